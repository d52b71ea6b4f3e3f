// Shared helpers for the browser tests: a `switchboard serve --demo` of our
// own (fresh data dir under /dev/shm, free port, --web-root), API calls, and
// Debian's Chromium driven by playwright-core (no browser download).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

function arg(name) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

export const config = {
  binary: process.env.SB_BINARY || arg('binary') || path.join(repo, 'build/src/app/switchboard'),
  webRoot: process.env.SB_WEB_ROOT || arg('web-root') || path.join(repo, 'web/dist'),
  shots: process.env.SB_SCREENSHOTS || arg('screenshots') || path.join(repo, 'build/e2e-screenshots'),
  chromium: process.env.SB_CHROMIUM || '/usr/bin/chromium',
};

export function checkPrerequisites() {
  const missing = [];
  if (!existsSync(config.binary)) missing.push(`server binary ${config.binary} (build it)`);
  if (!existsSync(path.join(config.webRoot, 'index.html'))) missing.push(`web build ${config.webRoot} (cd web && npm ci && npm run build)`);
  if (!existsSync(config.chromium)) missing.push(`${config.chromium} (apt-get install chromium)`);
  return missing;
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export { sleep };

// Polls `fn` until it returns true (`ms` at most, 10 s by default).
export async function waitFor(fn, ms = 10000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not met in time: ' + fn);
}

// One server process on a data dir and port that survive restarts.
export class Server {
  constructor({ port, dataDir, extraArgs = [] } = {}) {
    this.port = port;
    this.dataDir = dataDir || mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sb-e2e-'));
    this.extraArgs = extraArgs;
    this.proc = null;
    this.log = '';
  }
  get url() {
    return `http://127.0.0.1:${this.port}`;
  }
  async start() {
    if (!this.port) this.port = await freePort();
    if (!this.sipPort) this.sipPort = await freePort(); // parallel servers must not share SIP's 5060
    this.proc = spawn(config.binary, ['serve', '--demo', '--data', this.dataDir, '--http', `127.0.0.1:${this.port}`,
                                      '--sip', `127.0.0.1:${this.sipPort}`,
                                      '--web-root', config.webRoot, '--log-level', 'warn', ...this.extraArgs],
                      { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d) => (this.log = (this.log + d).slice(-20000));
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error('server exited: ' + this.log);
      try {
        const r = await fetch(this.url + '/healthz');
        if (r.ok) return this;
      } catch {
        /* not up yet */
      }
      await sleep(100);
    }
    throw new Error('server did not start: ' + this.log);
  }
  async kill(signal = 'SIGKILL') {
    if (!this.proc || this.proc.exitCode !== null) return;
    const done = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill(signal);
    await done;
  }
  async cleanup() {
    await this.kill();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  async call(method, p, token, body) {
    const headers = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(this.url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    const json = text ? JSON.parse(text) : null;
    if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
    return json;
  }
  async login(login, password = 'switchboard') {
    return (await this.call('POST', '/api/login', null, { login, password })).token;
  }
}

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  // playwright-core gives every launch a fresh temporary --user-data-dir.
  return chromium.launch({
    executablePath: config.chromium,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--autoplay-policy=no-user-gesture-required'],
  });
}

// A page whose requests may go only to our server: anything else fails the test.
export async function newPage(browser, server, outside, options = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, ...options });
  await ctx.route(/.*/, (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1' || u.protocol === 'data:' || u.protocol === 'blob:') return route.continue();
    outside.push(route.request().url());
    return route.abort();
  });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  return page;
}

export async function uiLogin(page, server, login) {
  await page.goto(server.url + '/login');
  await page.fill('#login-name', login);
  await page.fill('#login-password', 'switchboard');
  await page.click('button[type=submit]');
  await page.waitForSelector('header.top');
}

export function shotPath(name) {
  mkdirSync(config.shots, { recursive: true });
  return path.join(config.shots, name + '.png');
}
