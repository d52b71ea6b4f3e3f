// A real phone call in the agent desktop: sipp plays anna's SIP phone, sofia's
// (a supervisor) and a customer (Jan Nowak's number) calling Sales; the desktop (Debian's Chromium)
// shows the call with its controls, and hold, recording pause supervisor monitoring (listen,
// barge, stop on the wallboard) and the end of the conversation are clicked there and checked in the interaction's history
// and on the phones (both get BYE). Then the supervisor plays the call's recording on the
// interaction's page (real audio, audited) and the agent's page of the same call has no player.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server, launchChromium, newPage, uiLogin, shotPath, checkPrerequisites, freePort, waitFor } from './harness.mjs';

const SIP_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'sip');
const missing = checkPrerequisites();
let server, browser, admin;
const outside = [];
const procs = [];


// Runs one sipp scenario against the server; resolves with its exit code and output.
function sipp(scenario, args) {
  const p = spawn('sipp', ['-sf', path.join(SIP_DIR, scenario), '-m', '1', '-nostdin', '-i', '127.0.0.1',
                           '-timeout', '40s', '-timeout_error', ...args, `127.0.0.1:${server.sipPort}`],
                  { stdio: ['ignore', 'pipe', 'pipe'], cwd: server.dataDir });
  procs.push(p);
  let out = '';
  p.stdout.on('data', (d) => (out = (out + d).slice(-4000)));
  p.stderr.on('data', (d) => (out = (out + d).slice(-4000)));
  const done = new Promise((resolve) => p.once('exit', (code) => resolve({ code, out })));
  return { proc: p, done };
}

before(async () => {
  if (missing.length) throw new Error('missing: ' + missing.join('; '));
  server = await new Server().start();
  browser = await launchChromium();
  admin = await server.login('admin');
});

after(async () => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  await browser?.close();
  await server?.cleanup();
  assert.deepEqual(outside, [], 'no request may leave the machine');
});

let call = null; // the interaction of the phone call, for the recording test

const events = async (id) => (await server.call('GET', `/api/interactions/${id}/events`, admin)).map((e) => e.type);

test('a phone call in the desktop: hold, recording pause, end', async () => {
  const phonePort = await freePort();
  const reg = sipp('register.xml', ['-p', String(phonePort), '-s', 'anna', '-au', 'anna', '-ap', 'switchboard']);
  assert.equal((await reg.done).code, 0, 'anna\'s phone registers');
  const phone = sipp('agent_answer.xml', ['-p', String(phonePort), '-key', 'rtp_port', String(await freePort())]);

  const agent = await newPage(browser, server, outside);
  await uiLogin(agent, server, 'anna');
  await agent.waitForURL(/\/desktop$/);
  await agent.click('[data-testid=btn-login]');
  await agent.waitForSelector('[data-testid=agent-state][data-state=not_ready]');
  await agent.click('[data-testid=btn-ready]');
  await agent.waitForSelector('[data-testid=agent-state][data-state=ready]');

  // Click-to-call is offered to a ready agent; the demo has no trunk, so the server's refusal is shown.
  await agent.fill('[data-testid=click-to-call] input', '+48600100200');
  await agent.click('[data-testid=click-to-call] button[type=submit]');
  await agent.waitForSelector('[data-testid=click-to-call] .error');
  assert.match(await agent.textContent('[data-testid=click-to-call] .error'), /trunk/i);

  // sofia's phone, for monitoring from the wallboard.
  const sofiaPort = await freePort();
  const sreg = sipp('register.xml', ['-p', String(sofiaPort), '-s', 'sofia', '-au', 'sofia', '-ap', 'switchboard']);
  assert.equal((await sreg.done).code, 0, 'sofia\'s phone registers');

  const caller = sipp('caller_until_bye.xml', ['-p', String(await freePort()), '-s', '100', '-key', 'rtp_port',
                                                String(await freePort()), '-key', 'pt', '0', '-key', 'caller', '+48601100200']);
  // The phone answers: the desktop shows the connected call with Jan Nowak's card and the call controls.
  await agent.waitForSelector('[data-testid=workspace][data-state=connected]');
  await agent.waitForSelector('[data-testid=call-controls]');
  assert.match(await agent.textContent('[data-testid=workspace]'), /Jan Nowak/);
  const list = await server.call('GET', '/api/interactions?limit=50', admin);
  const it = list.filter((i) => i.from === '+48601100200' && i.channel === 'voice').pop();
  assert.equal(it.state, 'connected');
  call = { id: it.id, agent: it.agent, pages: { agent } };

  await agent.click('[data-testid=btn-hold]');
  await agent.waitForSelector('[data-testid=call-held]');
  await waitFor(async () => (await events(it.id)).includes('call.held'), 15000);
  await agent.screenshot({ path: shotPath('12-agent-call-held') });
  await agent.click('[data-testid=btn-hold]');
  await agent.waitForSelector('[data-testid=call-held]', { state: 'detached' });
  await waitFor(async () => (await events(it.id)).includes('call.resumed'));

  await agent.click('[data-testid=btn-rec]');
  await agent.waitForSelector('[data-testid=btn-rec][data-paused=true]');
  await waitFor(async () => (await events(it.id)).includes('recording.paused'));
  await agent.click('[data-testid=btn-rec]');
  await waitFor(async () => (await events(it.id)).includes('recording.resumed'));

  // The supervisor listens from the wallboard on her phone, then barges in, then stops.
  const supPhone = sipp('supervisor_answer.xml', ['-p', String(sofiaPort), '-s', 'sofia', '-key', 'pt', '0',
                                                 '-key', 'rtp_port', String(await freePort())]);
  const sup = await newPage(browser, server, outside);
  await uiLogin(sup, server, 'sofia');
  await sup.waitForURL(/\/wallboard/);
  const row = `[data-testid=agent-grid] tr[data-agent-id="${it.agent}"]`;
  await sup.click(`${row} [data-testid=btn-listen]`);
  await sup.waitForSelector(`${row} [data-testid=monitor][data-mode=listen]`);
  try {
    await waitFor(async () => (await events(it.id)).includes('monitor.started'), 15000);
  } catch (e) {
    throw new Error(`${e.message}\nevents: ${(await events(it.id)).join(' ')}\nsofia's phone: ${(await supPhone.done).out}`);
  }
  await sup.click(`${row} [data-testid=btn-barge]`);
  await sup.waitForSelector(`${row} [data-testid=monitor][data-mode=barge]`);
  await waitFor(async () => (await events(it.id)).includes('monitor.changed'));
  await sup.screenshot({ path: shotPath('13-wallboard-monitor') });
  await sup.click(`${row} [data-testid=btn-monitor-stop]`);
  await sup.waitForSelector(`${row} [data-testid=btn-listen]`);
  await waitFor(async () => (await events(it.id)).includes('monitor.stopped'));
  const sp = await supPhone.done;
  assert.equal(sp.code, 0, 'sofia\'s phone rang, answered and got BYE:\n' + sp.out);

  // Ending the conversation on the desktop hangs up both phones.
  await agent.click('[data-testid=btn-end]');
  await agent.waitForSelector('[data-testid=workspace][data-state=wrap_up]');
  const c = await caller.done;
  assert.equal(c.code, 0, 'the caller gets BYE:\n' + c.out);
  const p = await phone.done;
  assert.equal(p.code, 0, 'anna\'s phone gets BYE:\n' + p.out);
  call.pages.sup = sup;
});

// The newest audit sequence number (the log is read in pages of 1,000).
async function lastAuditSeq() {
  let seq = 0;
  for (;;) {
    const page = await server.call('GET', `/api/audit?after=${seq}&limit=1000`, admin);
    if (!page.length) return seq;
    seq = page[page.length - 1].seq;
  }
}

test('the supervisor plays the call\'s recording; the agent sees no player', async () => {
  assert.ok(call, 'the phone call test ran first');
  const { id } = call;
  // The recording is listed once it has stopped (the call ended): its length and size.
  let recs = [];
  await waitFor(async () => {
    recs = await server.call('GET', `/api/interactions/${id}/recordings`, admin);
    return recs.length === 1 && recs[0].seconds > 0 && !recs[0].in_progress;
  }, 15000);
  const [r] = recs;
  assert.equal(r.available, true);
  assert.ok(r.bytes > 44, 'the WAV holds samples');

  // The supervisor finds the call in the interaction list and opens it.
  const sup = call.pages.sup;
  await sup.click('nav a[href="/interactions"]');
  await sup.click(`[data-testid=ix-list] tr[data-interaction-id="${id}"] a`);
  await sup.waitForURL(new RegExp(`/interactions/${id}$`));
  const row = '[data-testid=recordings] [data-testid=recording][data-n="1"]';
  await sup.waitForSelector(row);
  assert.match(await sup.textContent(`${row} [data-testid=rec-duration]`), /^\d+:\d\d$/);
  assert.equal(await sup.locator('[data-testid=rec-audio]').count(), 0, 'nothing is fetched before Play');

  const before = await lastAuditSeq();
  await sup.click(`${row} [data-testid=btn-rec-play]`);
  await sup.waitForSelector(`${row} [data-testid=rec-audio]`);
  // The browser decodes the fetched WAV: its duration is the recording's.
  const duration = await sup.$eval(`${row} [data-testid=rec-audio]`, (el) => new Promise((resolve, reject) => {
    if (el.readyState >= 1) return resolve(el.duration);
    el.addEventListener('loadedmetadata', () => resolve(el.duration), { once: true });
    el.addEventListener('error', () => reject(new Error('audio error ' + (el.error && el.error.code))), { once: true });
  }));
  assert.ok(duration > 0, `duration ${duration}`);
  assert.ok(Math.abs(duration - r.seconds) < 0.05, `the player's ${duration} s is the recording's ${r.seconds} s`);
  // What the player holds is the server's file: a RIFF/WAVE of the listed size (read from the Blob URL, no request).
  const blob = await sup.$eval(`${row} [data-testid=rec-audio]`, async (el) => {
    const b = new Uint8Array(await (await fetch(el.src)).arrayBuffer());
    const ascii = (from, to) => String.fromCharCode(...b.slice(from, to));
    return { url: el.src, size: b.length, riff: ascii(0, 4), wave: ascii(8, 12) };
  });
  assert.match(blob.url, /^blob:/);
  assert.deepEqual({ size: blob.size, riff: blob.riff, wave: blob.wave }, { size: r.bytes, riff: 'RIFF', wave: 'WAVE' });
  await sup.screenshot({ path: shotPath('14-interaction-recording'), fullPage: true });

  // The play is audited: one entry, sofia's, for this interaction's file.
  const sofia = (await server.call('GET', '/api/me', await server.login('sofia'))).id;
  let played = [];
  await waitFor(async () => {
    played = (await server.call('GET', `/api/audit?after=${before}&limit=1000`, admin)).filter((a) => a.action === 'recording.played');
    return played.length > 0;
  });
  assert.equal(played.length, 1, JSON.stringify(played));
  assert.equal(played[0].user, sofia);
  assert.equal(played[0].target, `interaction:${id}`);
  assert.deepEqual(played[0].details, { file: r.file });

  // The agent's page of the same call: the facts and history, no recordings, and no request for them.
  const agent = call.pages.agent;
  const asked = [];
  agent.on('request', (q) => q.url().includes('/recordings') && asked.push(q.url()));
  await agent.click('nav a[href="/interactions"]');
  await agent.click(`[data-testid=ix-list] tr[data-interaction-id="${id}"] a`);
  await agent.waitForSelector(`[data-testid=interaction][data-interaction-id="${id}"] [data-testid=ix-events]`);
  assert.equal(await agent.locator('[data-testid=recordings]').count(), 0);
  assert.equal(await agent.locator('audio').count(), 0);
  assert.deepEqual(asked, []);
  // The server refuses her anyway.
  const anna = await server.login('anna');
  const res = await fetch(server.url + r.url, { headers: { authorization: `Bearer ${anna}` } });
  assert.equal(res.status, 403);
  await agent.screenshot({ path: shotPath('15-agent-interaction'), fullPage: true });
});
