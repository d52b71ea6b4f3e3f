// Wallboard update latency with 1,000 agents changing state (not part of
// ctest). Starts its own server, creates 1,000 agents in one team through the
// API, logs them in, opens the admin's wallboard filtered to that team in
// Chromium, then toggles every agent ready / not ready in bursts. In the
// page, each agent.state_changed frame's arrival (WebSocket message) is paired
// with the moment the agent's row shows the new state (MutationObserver):
// event -> DOM latency. Also reports API call -> DOM for each burst.
//   node tests/e2e/bench_wallboard.mjs [--agents 1000] [--rounds 4]
import { Server, launchChromium, newPage, uiLogin, sleep, checkPrerequisites } from './harness.mjs';

const argv = process.argv;
const opt = (n, d) => (argv.includes('--' + n) ? Number(argv[argv.indexOf('--' + n) + 1]) : d);
const N = opt('agents', 1000);
const ROUNDS = opt('rounds', 4);
const CONC = 16;

async function pool(items, conc, fn) {
  let i = 0;
  await Promise.all(Array.from({ length: conc }, async () => {
    while (i < items.length) {
      const k = i++;
      await fn(items[k], k);
    }
  }));
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const missing = checkPrerequisites();
if (missing.length) throw new Error('missing: ' + missing.join('; '));
const server = await new Server().start();
const outside = [];
let browser;
try {
  const admin = await server.login('admin');
  const team = await server.call('POST', '/api/teams', admin, { name: 'Bench', queues: [] });
  const t0 = Date.now();
  const ids = [];
  await pool([...Array(N).keys()], 4, async (k) => {
    const u = await server.call('POST', '/api/users', admin, {
      login: `bench${k}`, name: `Bench Agent ${String(k).padStart(4, '0')}`, role: 'agent', team: team.id,
      password: 'bench-password-1',
    });
    ids.push(u.id);
  });
  console.log(`created ${N} agents in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await pool(ids, CONC, (id) => server.call('POST', `/api/agents/${id}/login`, admin));
  console.log('logged them in');

  browser = await launchChromium();
  const page = await newPage(browser, server, outside);
  await page.addInitScript(() => {
    window.__arrive = new Map();
    window.__lat = [];
    window.__shown = 0;
    const Orig = window.WebSocket;
    window.WebSocket = function (...a) {
      const ws = new Orig(...a);
      ws.addEventListener('message', (m) => {
        const t = performance.now();
        if (m.data.includes('agent.state_changed')) {
          const ev = JSON.parse(m.data);
          window.__arrive.set(`${ev.data.agent}:${ev.data.to}`, t);
        }
      });
      return ws;
    };
    window.WebSocket.prototype = Orig.prototype;
    Object.assign(window.WebSocket, { OPEN: 1, CLOSED: 3, CONNECTING: 0, CLOSING: 2 });
  });
  await uiLogin(page, server, 'admin');
  await page.goto(`${server.url}/wallboard?team=${team.id}`);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=agent-grid] tbody tr').length >= n, N, { timeout: 60000 });
  await page.evaluate(() => {
    const tbody = document.querySelector('[data-testid=agent-grid] tbody');
    new MutationObserver((muts) => {
      const t = performance.now();
      for (const m of muts) {
        const td = m.target;
        if (m.attributeName !== 'data-state' || td.dataset.col !== 'state') continue;
        const id = td.parentElement.dataset.agentId;
        const key = `${id}:${td.dataset.state}`;
        const a = window.__arrive.get(key);
        if (a != null) {
          window.__lat.push(t - a);
          window.__arrive.delete(key);
        }
        window.__shown++;
      }
    }).observe(tbody, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  });

  const bursts = [];
  for (let r = 0; r < ROUNDS; r++) {
    const what = r % 2 === 0 ? 'ready' : 'not-ready';
    const want = what === 'ready' ? 'ready' : 'not_ready';
    const before = await page.evaluate(() => window.__shown);
    const start = Date.now();
    await pool(ids, CONC, (id) => server.call('POST', `/api/agents/${id}/${what}`, admin));
    const apiDone = Date.now();
    await page.waitForFunction(([b, n]) => window.__shown - b >= n, [before, N], { timeout: 60000 });
    const domDone = Date.now();
    const cells = await page.evaluate((s) => [...document.querySelectorAll('[data-testid=agent-grid] td[data-col=state]')].filter((td) => td.dataset.state === s).length, want);
    bursts.push({ what, api_s: (apiDone - start) / 1000, last_dom_after_last_api_ms: domDone - apiDone, rows_in_state: cells });
    console.log(`round ${r + 1}: ${N} x ${what}: API ${((apiDone - start) / 1000).toFixed(2)} s (${Math.round(N / ((apiDone - start) / 1000))}/s), ` +
                `last row updated ${domDone - apiDone} ms after the last API answer, ${cells} rows show ${want}`);
    await sleep(1500);
  }
  const lat = await page.evaluate(() => window.__lat);
  const r = (x) => x.toFixed(1);
  console.log(`event -> DOM latency over ${lat.length} state changes: p50 ${r(pct(lat, 50))} ms, p95 ${r(pct(lat, 95))} ms, ` +
              `p99 ${r(pct(lat, 99))} ms, max ${r(Math.max(...lat))} ms`);
  // A single change on a quiet board.
  const single = [];
  for (let k = 0; k < 10; k++) {
    const id = ids[k * 7];
    const before = await page.evaluate(() => window.__lat.length);
    const t = Date.now();
    await server.call('POST', `/api/agents/${id}/${ROUNDS % 2 ? 'not-ready' : 'ready'}`, admin);
    await page.waitForFunction((b) => window.__lat.length > b, before);
    single.push({ api_to_dom: Date.now() - t, ev_to_dom: await page.evaluate(() => window.__lat[window.__lat.length - 1]) });
    await sleep(200);
  }
  console.log(`quiet board, one change: event -> DOM median ${r(pct(single.map((s) => s.ev_to_dom), 50))} ms; ` +
              `API call -> DOM median ${pct(single.map((s) => s.api_to_dom), 50)} ms`);
  if (outside.length) console.log('requests to outside hosts:', outside);
} finally {
  await browser?.close();
  await server.cleanup();
}
