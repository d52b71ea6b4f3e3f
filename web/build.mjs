// Builds the web application into dist/ with esbuild: one minified ES module
// (the entry, named by dist/index.html), one stylesheet, and one chunk per
// language table other than English (loaded on demand), all content-hashed.
//   node build.mjs            production build
//   node build.mjs --watch    rebuild on every change (serve dist/ with
//                             `switchboard serve --web-root web/dist`)
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(root, 'dist');
const watch = process.argv.includes('--watch');

const writeIndex = {
  name: 'index-html',
  setup(build) {
    build.onEnd((result) => {
      if (result.errors.length) return;
      const outs = Object.keys(result.metafile.outputs).map((f) => path.relative(dist, path.resolve(root, f)));
      const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === 'src/main.jsx');
      const js = path.relative(dist, path.resolve(root, entry[0]));
      const css = outs.find((f) => f.endsWith('.css'));
      const html = readFileSync(path.join(root, 'index.html'), 'utf8').replace(
        /<script type="module" src="[^"]*"><\/script>/,
        (css ? `<link rel="stylesheet" href="/${css}" />\n    ` : '') + `<script type="module" src="/${js}"></script>`,
      );
      writeFileSync(path.join(dist, 'index.html'), html);
      for (const f of outs) {
        const b = readFileSync(path.join(dist, f));
        console.log(`dist/${f}  ${(b.length / 1024).toFixed(1)} KiB, gzip ${(gzipSync(b).length / 1024).toFixed(1)} KiB`);
      }
    });
  },
};

rmSync(dist, { recursive: true, force: true });
mkdirSync(path.join(dist, 'assets'), { recursive: true });
const options = {
  absWorkingDir: root,
  entryPoints: ['src/main.jsx'],
  bundle: true,
  format: 'esm',
  target: 'es2020',
  minify: !watch,
  sourcemap: watch ? 'inline' : false,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: 'dist/assets',
  entryNames: 'app-[hash]',
  splitting: true, // i18n.js's import() of each language table becomes its own file
  chunkNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [writeIndex],
};
if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  console.log('watching src/ (Ctrl-C to stop)');
} else {
  await esbuild.build(options);
}
