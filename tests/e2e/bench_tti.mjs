// Time to interactive of the agent desktop on localhost, and the JavaScript
// shipped (not part of ctest). TTI: navigation start to the state bar's
// buttons being rendered and enabled, with a signed-in session (token in
// localStorage), a fresh browser context (empty cache) per run; median of 5.
//   node tests/e2e/bench_tti.mjs [--runs 5]
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Server, launchChromium, newPage, checkPrerequisites, config } from './harness.mjs';

const argv = process.argv;
const RUNS = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : 5;
const missing = checkPrerequisites();
if (missing.length) throw new Error('missing: ' + missing.join('; '));

const assets = path.join(config.webRoot, 'assets');
// The entry (app-*.js) is what everyone loads; each other .js is one language's
// table, of which a user loads at most one.
let js = 0, jsGz = 0, css = 0, cssGz = 0;
const langs = [];
for (const f of readdirSync(assets)) {
  const b = readFileSync(path.join(assets, f));
  const gz = gzipSync(b, { level: 9 }).length;
  if (f.endsWith('.js') && f.startsWith('app-')) (js += b.length), (jsGz += gz);
  else if (f.endsWith('.js')) langs.push(`${f.split('-')[0]} ${gz}`);
  if (f.endsWith('.css')) (css += b.length), (cssGz += gz);
}
console.log(`JS shipped: ${js} bytes, ${jsGz} bytes gzip; CSS: ${css} bytes, ${cssGz} bytes gzip`);
console.log(`language tables, bytes gzip (one loaded when not English): ${langs.join(', ')}`);

const server = await new Server().start();
const outside = [];
const browser = await launchChromium();
try {
  const token = await server.login('anna');
  const me = await server.call('GET', '/api/me', token);
  await server.call('POST', `/api/agents/${me.id}/login`, token);
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const page = await newPage(browser, server, outside);
    await page.addInitScript((t) => {
      localStorage.setItem('sb.token', t);
      // Timestamp, in the page, of the first moment the state bar can be used.
      new MutationObserver((_, obs) => {
        if (document.querySelector('[data-testid=btn-ready]:not([disabled])')) {
          window.__tti = performance.now();
          obs.disconnect();
        }
      }).observe(document, { subtree: true, childList: true, attributes: true });
    }, token);
    await page.goto(server.url + '/desktop');
    await page.waitForFunction(() => window.__tti);
    const tti = await page.evaluate(() => window.__tti);
    const nav = await page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0];
      return { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd };
    });
    times.push(tti);
    console.log(`run ${i + 1}: interactive at ${tti.toFixed(0)} ms (DOMContentLoaded ${nav.dcl.toFixed(0)} ms)`);
    await page.context().close();
  }
  const s = [...times].sort((a, b) => a - b);
  console.log(`agent desktop time to interactive: median ${s[Math.floor(s.length / 2)].toFixed(0)} ms over ${RUNS} runs`);
  if (outside.length) console.log('requests to outside hosts:', outside);
} finally {
  await browser.close();
  await server.cleanup();
}
