// The web application end to end in a real browser (Debian's Chromium):
// an agent's whole interaction seen live by a supervisor, the admin queue form
// with a server validation error next to its field, reports, the desktop
// reconnecting by itself after the server restarts, and the UI in each of its
// languages. Screenshots of every main screen go to $SB_SCREENSHOTS (ctest:
// <build>/e2e-screenshots).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server, launchChromium, newPage, uiLogin, shotPath, checkPrerequisites, sleep, waitFor } from './harness.mjs';


const i18n = await import(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/src/i18n.js'));
await i18n.loadAllLocales();
const { MESSAGES, makeT } = i18n;

const missing = checkPrerequisites();
let server, browser, admin;
const outside = [];

before(async () => {
  if (missing.length) throw new Error('missing: ' + missing.join('; '));
  server = await new Server().start();
  browser = await launchChromium();
  admin = await server.login('admin');
});

after(async () => {
  await browser?.close();
  await server?.cleanup();
  assert.deepEqual(outside, [], 'no request may leave the machine');
});

const text = async (page, sel) => (await page.textContent(sel)).trim();

async function tileNumber(page, queueId, field) {
  return Number(await text(page, `[data-testid=queue-tile][data-queue="${queueId}"] [data-testid=${field}]`));
}

test('agent handles an interaction; the supervisor wallboard follows', async () => {
  const queues = await server.call('GET', '/api/queues', admin);
  const sales = queues.find((q) => q.name === 'Sales');

  const agent = await newPage(browser, server, outside);
  await agent.goto(server.url + '/');
  await agent.waitForSelector('#login-name');
  await agent.screenshot({ path: shotPath('01-login') });
  await uiLogin(agent, server, 'anna');
  await agent.waitForURL(/\/desktop$/);
  await agent.click('[data-testid=btn-login]');
  await agent.waitForSelector('[data-testid=agent-state][data-state=not_ready]');
  await agent.click('[data-testid=btn-ready]');
  await agent.waitForSelector('[data-testid=agent-state][data-state=ready]');

  const sup = await newPage(browser, server, outside);
  await uiLogin(sup, server, 'sofia');
  await sup.waitForURL(/\/wallboard/);
  await sup.waitForSelector(`[data-testid=queue-tile][data-queue="${sales.id}"]`);
  // sofia's account is in Romanian: so is her wallboard, with no choice made.
  assert.equal(await sup.getAttribute('html', 'lang'), 'ro');
  assert.equal(await text(sup, 'main h1'), MESSAGES.ro['wb.title']);
  // The grid shows anna ready (live from the event stream).
  await sup.waitForSelector('[data-testid=agent-grid] tr:has(th:text("Anna Kowalska")) td[data-state=ready]');
  const answeredBefore = await tileNumber(sup, sales.id, 'answered');

  // An interaction created through the API pops up with the customer card.
  const created = await server.call('POST', '/api/interactions', admin, { channel: 'voice', queue: sales.id, from: '+48601100200' });
  await agent.waitForSelector('[data-testid=offer]');
  assert.match(await text(agent, '[data-testid=offer] [data-testid=customer-card]'), /Jan Nowak/);
  assert.match(await text(agent, '[data-testid=offer-queue]'), /Sales/);
  assert.equal(await agent.getAttribute('[data-testid=agent-state]', 'data-state'), 'reserved');
  await agent.screenshot({ path: shotPath('02-agent-offer') });
  await sup.waitForSelector('[data-testid=agent-grid] tr:has(th:text("Anna Kowalska")) td[data-state=reserved]');

  // Accept with the keyboard shortcut.
  await agent.keyboard.press('Alt+KeyA');
  await agent.waitForSelector('[data-testid=workspace][data-state=connected]');
  assert.match(await text(agent, '[data-testid=workspace] [data-testid=customer-card]'), /\+48601100200/);
  await agent.fill(`#notes-${created.id}`, 'Customer asked about the gold plan.');
  // The draft notes reach the server before the interaction is completed.
  await waitFor(async () => (await server.call('GET', `/api/interactions/${created.id}`, admin)).notes === 'Customer asked about the gold plan.');
  // Schedule a callback for tomorrow, kept for this agent.
  const tomorrow = new Date(Date.now() + 86400000);
  const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  await agent.fill('[data-testid=callback-at]', local);
  await agent.click('[data-testid=callback-form] button[type=submit]');
  await agent.waitForSelector('[data-testid=callback-done]');
  const later = await server.call('GET', `/api/interactions?customer=${created.customer}`, admin);
  const scheduled = later.find((x) => x.channel === 'callback' && x.state === 'scheduled');
  assert.ok(scheduled, 'a scheduled callback exists for the customer');
  assert.equal(scheduled.from, '+48601100200');
  await agent.screenshot({ path: shotPath('03-agent-active') });
  await sup.waitForSelector('[data-testid=agent-grid] tr:has(th:text("Anna Kowalska")) td[data-state=busy]');

  // End the conversation: wrap-up with a countdown, then a disposition.
  await agent.click('[data-testid=btn-end]');
  await agent.waitForSelector('[data-testid=workspace][data-state=wrap_up] [data-testid=wrapup-countdown]');
  await agent.selectOption('[data-testid=disposition]', 'resolved');
  await agent.screenshot({ path: shotPath('04-agent-wrapup') });
  await agent.click('[data-testid=btn-complete]');
  await agent.waitForSelector('[data-testid=workspace]', { state: 'detached' });
  await agent.waitForSelector('[data-testid=agent-state][data-state=ready]');
  const rec = await server.call('GET', `/api/interactions/${created.id}`, admin);
  assert.equal(rec.disposition, 'resolved');
  assert.equal(rec.notes, 'Customer asked about the gold plan.');

  // The wallboard's numbers change without a reload.
  await sup.waitForFunction(
    ([id, before]) => Number(document.querySelector(`[data-testid=queue-tile][data-queue="${id}"] [data-testid=answered]`)?.textContent) > before,
    [sales.id, answeredBefore], { timeout: 10000 });
  await sup.screenshot({ path: shotPath('05-wallboard') });
  await sup.click('[data-testid=btn-big]');
  await sup.waitForSelector('[data-testid=wall]');
  await sup.screenshot({ path: shotPath('06-wallboard-large') });

  // The supervisor forces anna not ready; her desktop follows.
  await sup.goto(server.url + '/wallboard');
  await sup.click('[data-testid=agent-grid] tr:has(th:text("Anna Kowalska")) [data-testid=btn-row-notready]');
  await agent.waitForSelector('[data-testid=agent-state][data-state=not_ready]');
  await agent.context().close();
  await sup.context().close();
});

test('interaction pages: the list, no recordings, a failed recordings read, no player for analysts', async () => {
  const queues = await server.call('GET', '/api/queues', admin);
  const billing = queues.find((q) => q.name === 'Billing');
  const it = await server.call('POST', '/api/interactions', admin, { channel: 'voice', queue: billing.id, from: '+48600999888' });
  await server.call('POST', `/api/interactions/${it.id}/cancel`, admin); // ended: offered to nobody in later tests

  const sup = await newPage(browser, server, outside);
  await uiLogin(sup, server, 'sofia');
  await sup.click('nav a[href="/interactions"]');
  const link = `[data-testid=ix-list] tr[data-interaction-id="${it.id}"]`;
  await sup.waitForSelector(link);
  assert.match(await text(sup, link), /\+48600999888/);
  assert.ok((await text(sup, link)).includes(MESSAGES.ro['end.cancelled']), 'the outcome in sofia\'s language (ro)');
  // Dates in the UI's language, not the browser's (en-US here).
  const created = (await server.call('GET', `/api/interactions/${it.id}`, admin)).created;
  assert.equal(await text(sup, `${link} td:nth-of-type(1)`),
               await sup.evaluate((iso) => new Date(iso).toLocaleString('ro', { dateStyle: 'medium', timeStyle: 'medium' }), created));
  const rows = await sup.locator('[data-testid=ix-list] tbody tr').count();
  assert.equal(await text(sup, '[data-testid=ix-count]'), makeT('ro')('ix.count', { count: rows }));
  await sup.screenshot({ path: shotPath('16-interactions-list') });
  await sup.click(`${link} a`);
  await sup.waitForSelector('[data-testid=recordings] [data-testid=rec-empty]');
  assert.ok((await text(sup, '[data-testid=recordings]')).includes(MESSAGES.ro['rec.none']));
  assert.match(await text(sup, '[data-testid=ix-events]'), /interaction\.queued[^]*interaction\.ended/);
  await sup.screenshot({ path: shotPath('17-interaction-no-recordings') });

  // The server failing the list: the error is shown with a way to try again.
  let fail = true;
  await sup.route(`**/api/interactions/${it.id}/recordings`, (route) =>
    fail ? route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"code":"internal","message":"disk on fire"}}' })
         : route.continue());
  await sup.reload();
  await sup.waitForSelector('[data-testid=rec-error]');
  assert.match(await text(sup, '[data-testid=rec-error]'), /disk on fire/);
  fail = false;
  await sup.click('[data-testid=rec-error] button');
  await sup.waitForSelector('[data-testid=recordings] [data-testid=rec-empty]');
  await sup.context().close();

  // An analyst reads all interactions but may not listen: no recordings section.
  const an = await newPage(browser, server, outside);
  await uiLogin(an, server, 'analyst');
  await an.goto(server.url + `/interactions/${it.id}`);
  await an.waitForSelector('[data-testid=interaction] [data-testid=ix-events]');
  assert.equal(await an.locator('[data-testid=recordings]').count(), 0);
  await an.context().close();
});

test('admin creates a queue; a bad value is shown next to its field', async () => {
  const page = await newPage(browser, server, outside);
  await uiLogin(page, server, 'admin');
  await page.goto(server.url + '/admin/queues');
  await page.click('[data-testid=btn-new]');
  await page.fill('#f-queues-name', 'E2E Retention');
  await page.fill('#f-queues-sl_target', '7');
  await page.click('[data-testid=btn-save]');
  const err = page.locator('.field:has(#f-queues-sl_target) .field-error');
  await err.waitFor();
  assert.match(await err.textContent(), /fraction/);
  assert.equal(await page.getAttribute('#f-queues-sl_target', 'aria-invalid'), 'true');
  await page.screenshot({ path: shotPath('07-admin-queue-error') });

  // A nested field error lands on its row.
  await page.fill('#f-queues-sl_target', '0.85');
  await page.click('fieldset#f-queues-requirements button:text("Add")');
  await page.selectOption('#f-queues-requirements-0-skill', { label: 'sales' });
  await page.fill('#f-queues-requirements-0-min_level', '11');
  await page.click('[data-testid=btn-save]');
  await page.locator('[data-row="0"].invalid .field-error[data-field="requirements[0].min_level"]').waitFor();
  await page.screenshot({ path: shotPath('08-admin-queue-row-error') });

  await page.fill('#f-queues-requirements-0-min_level', '4');
  await page.click('[data-testid=btn-save]');
  await page.waitForSelector('td:text("E2E Retention")');
  const q = (await server.call('GET', '/api/queues', admin)).find((x) => x.name === 'E2E Retention');
  assert.equal(q.sl_target, 0.85);
  assert.deepEqual(q.requirements.map((r) => r.min_level), [4]);

  // Routing settings beyond the flat fields: relaxation steps and opening hours.
  await page.click('tr:has(td:text-is("Support")) button:text("Edit")');
  await page.waitForSelector('#f-queues-relaxations-1-after');
  assert.equal(await page.inputValue('#f-queues-relaxations-0-after'), '60');
  assert.equal(await page.inputValue('#f-queues-relaxations-1-after'), '180');
  await page.fill('#f-queues-utc_offset_minutes', '60');
  await page.click('fieldset#f-queues-hours button:text("Add")');
  await page.selectOption('#f-queues-hours-0-weekday', '0');
  await page.fill('#f-queues-hours-0-start', '08:00');
  await page.fill('#f-queues-hours-0-end', '17:30');
  await page.click('[data-testid=btn-save]');
  await waitFor(async () => {
    const support = (await server.call('GET', '/api/queues', admin)).find((x) => x.name === 'Support');
    return support.hours.open.length === 1;
  });
  const support = (await server.call('GET', '/api/queues', admin)).find((x) => x.name === 'Support');
  assert.deepEqual(support.hours, { utc_offset_minutes: 60, open: [{ weekday: 0, start_minute: 480, end_minute: 1050 }] });
  assert.deepEqual(support.relaxations.map((r) => r.after), [60, 180], 'relaxations survive an edit');
  // Open Support around the clock again for the tests that follow.
  await server.call('PATCH', `/api/queues/${support.id}`, admin, { hours: { utc_offset_minutes: 0, open: [] } });
  await page.context().close();
});

test('reports show charts for the day', async () => {
  const page = await newPage(browser, server, outside);
  await uiLogin(page, server, 'analyst');
  await page.waitForURL(/\/reports$/);
  await page.waitForSelector('[data-testid=hour-chart] rect.s2');
  await page.screenshot({ path: shotPath('09-reports'), fullPage: true });
  await page.context().close();
});

test('the desktop reconnects after the server restarts', async () => {
  const page = await newPage(browser, server, outside);
  await uiLogin(page, server, 'lukasz');
  await page.waitForURL(/\/desktop$/);
  await page.click('[data-testid=btn-login]');
  await page.click('[data-testid=btn-ready]');
  await page.waitForSelector('[data-testid=agent-state][data-state=ready]');
  await page.evaluate(() => (window.__sameDocument = true));
  // The live stream must be up before the kill, or there is nothing to lose.
  await page.waitForSelector('.conn[data-state=open]', { timeout: 15000 });

  await server.kill('SIGKILL');
  await page.waitForSelector('[data-testid=conn-banner]', { timeout: 20000 });
  await page.screenshot({ path: shotPath('10-agent-reconnecting') });
  await sleep(500);
  await server.start();
  await page.waitForSelector('[data-testid=conn-banner]', { state: 'detached', timeout: 30000 });

  // After the reconnection the desktop re-reads the state the server has now
  // (this server does not restore agent states across a restart: logged out).
  const after = await server.call('GET', '/api/agents/' + (await server.call('GET', '/api/me', await server.login('lukasz'))).id, admin);
  await page.waitForSelector(`[data-testid=agent-state][data-state=${after.state}]`);
  if (after.state === 'logged_out') await page.click('[data-testid=btn-login]');
  if (after.state !== 'ready') {
    await page.click('[data-testid=btn-ready]');
    await page.waitForSelector('[data-testid=agent-state][data-state=ready]');
  }

  // Live again: an interaction created now pops up on the same page (no reload).
  const support = (await server.call('GET', '/api/queues', admin)).find((q) => q.name === 'Support');
  await server.call('POST', '/api/interactions', admin, { channel: 'chat', queue: support.id, from: '+84901234567' });
  await page.waitForSelector('[data-testid=offer]', { timeout: 15000 });
  assert.equal(await page.evaluate(() => window.__sameDocument), true);
  assert.match(await text(page, '[data-testid=offer] [data-testid=customer-card]'), /Nguyễn Văn An/);

  // The chat conversation: the customer's words arrive live, the agent answers.
  const chatId = (await server.call('GET', '/api/agents/' + (await server.call('GET', '/api/me', await server.login('lukasz'))).id, admin)).offer;
  await page.keyboard.press('Alt+KeyA');
  await page.waitForSelector('[data-testid=chat][data-loaded=true]');
  await server.call('POST', `/api/interactions/${chatId}/messages?from=customer`, admin, { text: 'Xin chào, tôi cần giúp đỡ.' });
  await page.waitForSelector('[data-testid=chat] li[data-from=customer]:has-text("Xin chào")');
  await page.fill('[data-testid=chat-input]', 'Dzień dobry, w czym mogę pomóc?');
  await page.click('[data-testid=chat] button[type=submit]');
  await page.waitForSelector('[data-testid=chat] li[data-from=agent]:has-text("w czym mogę pomóc")');
  const transcript = await server.call('GET', `/api/interactions/${chatId}/messages`, admin);
  assert.deepEqual(transcript.map((m) => m.from), ['customer', 'agent']);
  await page.screenshot({ path: shotPath('11-agent-chat') });
  await page.context().close();
});

// Every key of the English table, to find one shown raw (a missing translation
// or a t() of an unknown key would show its key).
const rawKeys = async (page) => {
  const shown = await page.evaluate(() => document.body.innerText);
  return Object.keys(MESSAGES.en).filter((k) => shown.includes(k));
};

test('a language table that does not arrive leaves English on screen, not a blank page', async () => {
  // A Polish browser whose Polish table is stuck on its way (a stalled request).
  const page = await newPage(browser, server, outside, { locale: 'pl-PL' });
  let asked = 0;
  await page.route(/\/assets\/pl-[^/]*\.js$/, () => { asked += 1; /* never answered */ });
  const t0 = Date.now();
  await page.goto(server.url + '/login');
  await page.waitForSelector('#login-name', { timeout: 8000 });
  assert.ok(asked >= 1, 'the Polish table was asked for');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await text(page, 'button[type=submit]'), MESSAGES.en['login.submit']);
  assert.ok(Date.now() - t0 < 8000);
  await page.context().close();
});

test('the UI in Vietnamese, Estonian, Romanian and Russian, chosen by the user', async () => {
  // The login page offers every language by its own name, before anyone signs in.
  const page = await newPage(browser, server, outside);
  await page.goto(server.url + '/login');
  await page.waitForSelector('#login-name');
  assert.deepEqual(await page.locator('#login-lang option').allTextContents(),
                   ['English', 'Polski', 'Tiếng Việt', 'Eesti', 'Română', 'Русский']);
  await page.selectOption('#login-lang', 'et');
  await page.waitForSelector('html[lang=et]');
  assert.equal(await text(page, 'button[type=submit]'), MESSAGES.et['login.submit']);
  assert.equal(await text(page, 'label[for=login-password]'), MESSAGES.et['login.password']);

  // james's account is in English; he logs in to the queues (not ready: no offers for him).
  await uiLogin(page, server, 'james');
  await page.waitForURL(/\/desktop$/);
  assert.equal(await page.getAttribute('html', 'lang'), 'en', 'after sign-in the account\'s language applies');
  await page.click('[data-testid=btn-login]');
  await page.waitForSelector('[data-testid=agent-state][data-state=not_ready]');

  // piotr supervises the back office; his account is in Polish.
  const sup = await newPage(browser, server, outside);
  await uiLogin(sup, server, 'piotr');
  await sup.waitForURL(/\/wallboard/);
  await sup.waitForSelector('[data-testid=queue-tile]');
  assert.equal(await sup.getAttribute('html', 'lang'), 'pl');

  for (const lang of ['vi', 'et', 'ro', 'ru']) {
    const T = MESSAGES[lang];
    // The agent desktop.
    await page.selectOption('#lang', lang);
    await page.waitForSelector(`html[lang=${lang}]`);
    await page.waitForSelector(`[data-testid=btn-ready]:has-text("${T['agent.ready']}")`);
    assert.equal(await text(page, 'nav a[href="/desktop"]'), T['nav.desktop']);
    assert.equal(await text(page, 'nav a[href="/interactions"]'), T['nav.interactions']);
    assert.equal(await text(page, '[data-testid=agent-state] strong'), T['state.not_ready']);
    assert.match(await text(page, '[data-testid=btn-notready]'), new RegExp('^' + T['agent.notReady']));
    assert.equal(await text(page, '[data-testid=btn-logout]'), T['agent.logout']);
    assert.equal(await text(page, 'section.idle p'), T['agent.notReadyHint']);
    assert.equal(await text(page, 'header .who .muted'), `(${T['role.agent']})`);
    assert.equal(await text(page, 'header button.ghost:last-of-type'), T['nav.logout']);
    assert.deepEqual(await rawKeys(page), [], `${lang}: no key shown raw on the desktop`);
    assert.ok(!(await page.evaluate(() => document.body.innerText)).includes(MESSAGES.en['agent.notReadyHint']));
    // The keyboard help, in the same language.
    await page.evaluate(() => document.activeElement?.blur()); // `?` is typed text inside the picker
    await page.keyboard.press('?');
    await page.waitForSelector('[role=dialog]');
    assert.equal(await text(page, '#help-title'), T['keys.title']);
    assert.ok((await text(page, '[role=dialog] table')).includes(T['keys.accept']));
    await page.screenshot({ path: shotPath(`18-desktop-${lang}`) });
    await page.click('#help-close');

    // The wallboard.
    await sup.selectOption('#lang', lang);
    await sup.waitForSelector(`html[lang=${lang}]`);
    await sup.waitForSelector(`main h1:text-is("${T['wb.title']}")`);
    const tile = sup.locator('[data-testid=queue-tile]').first();
    const labels = await tile.locator('.fig .k').allTextContents();
    assert.deepEqual(labels, ['wb.waiting', 'wb.longest', 'wb.sl', 'wb.asa', 'wb.answered', 'wb.abandoned'].map((k) => T[k]));
    assert.deepEqual(await sup.locator('[data-testid=agent-grid] thead th').allTextContents(),
                     ['wb.agent', 'wb.state', 'wb.inState', 'wb.current', 'wb.actions'].map((k) => T[k]));
    assert.ok((await text(sup, '[data-testid=state-summary]')).includes(T['state.logged_out']));
    assert.equal(await text(sup, '[data-testid=btn-big]'), T['wb.big']);
    assert.equal(await text(sup, 'label[for=team-filter]'), T['wb.team']);
    assert.equal(await sup.locator('[data-testid=agent-grid] [data-testid=btn-row-notready]').first().textContent(), T['agent.notReady']);
    assert.deepEqual(await rawKeys(sup), [], `${lang}: no key shown raw on the wallboard`);
    await sup.screenshot({ path: shotPath(`19-wallboard-${lang}`) });
  }

  // The choice stays with the user in this browser, across a reload.
  await page.reload();
  await page.waitForSelector('[data-testid=btn-ready]');
  assert.equal(await page.getAttribute('html', 'lang'), 'ru');
  assert.equal(await text(page, 'nav a[href="/desktop"]'), MESSAGES.ru['nav.desktop']);
  // Choosing the account's language again drops the choice: the account's applies.
  await page.selectOption('#lang', 'en');
  await page.waitForSelector('html[lang=en]');
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sb.locale.'))), []);
  await page.click('[data-testid=btn-logout]');
  await page.waitForSelector('[data-testid=agent-state][data-state=logged_out]');
  await page.context().close();
  await sup.context().close();
});
