// Vite builds the web application into dist/, which `switchboard serve
// --web-root web/dist` serves. No plugin: esbuild compiles the JSX for Preact.
import { defineConfig } from 'vite';

const api = process.env.SB_API || 'http://127.0.0.1:18090';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    target: 'es2020',
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    reportCompressedSize: true,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      '/api': { target: api, ws: true },
      '/healthz': api,
    },
  },
});
