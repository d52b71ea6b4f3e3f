// The message tables (web/src/i18n/*.js) against English, and the t()
// machinery: plural forms by each language's rules, placeholders, fallbacks.
// No browser, no server: `node --test web/test/` (ctest web_i18n).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');
const { MESSAGES, LOCALES, LOCALE_NAMES, makeT, pickLocale, loadAllLocales, loadLocale } = await import(path.join(src, 'i18n.js'));
await loadAllLocales(); // the tables other than English are loaded on demand
const en = MESSAGES.en;

// The languages whose tables must not be English left in place.
const TRANSLATED = ['vi', 'et', 'ro', 'ru'];
// Values that are rightly the same as in English: abbreviations and words the
// language takes as they are. Keep it short; anything else must be translated.
const SAME_AS_ENGLISH = {
  'channel.sms': ['vi', 'et', 'ro', 'ru'], // SMS
  'channel.fax': ['vi', 'ro'], // Fax
  'channel.chat': ['ro'], // Chat
  'segment.standard': ['ro'], // standard
};

const forms = (v) => (typeof v === 'string' ? [v] : Object.values(v));
const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('the six languages, each with its own name', () => {
  assert.deepEqual(LOCALES, ['en', 'pl', 'vi', 'et', 'ro', 'ru']);
  assert.deepEqual(LOCALE_NAMES, { en: 'English', pl: 'Polski', vi: 'Tiếng Việt', et: 'Eesti', ro: 'Română', ru: 'Русский' });
});

test('English messages are consistent: plural forms share their placeholders and include {count}', () => {
  for (const [k, v] of Object.entries(en)) {
    if (typeof v === 'string') continue;
    assert.deepEqual(Object.keys(v).sort(), ['one', 'other'], k);
    assert.deepEqual(placeholders(v.one), placeholders(v.other), k);
    assert.ok(placeholders(v.other).includes('count'), `${k}: a plural message shows {count}`);
  }
});

for (const loc of LOCALES.filter((l) => l !== 'en')) {
  const m = MESSAGES[loc];
  const cats = new Intl.PluralRules(loc).resolvedOptions().pluralCategories.slice().sort();

  test(`${loc}: exactly the keys of en`, () => {
    const missing = Object.keys(en).filter((k) => !(k in m));
    const extra = Object.keys(m).filter((k) => !(k in en));
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
  });

  test(`${loc}: no empty message; plural messages have this language's forms (${cats.join(', ')})`, () => {
    for (const [k, v] of Object.entries(m)) {
      assert.equal(typeof v === 'string', typeof en[k] === 'string', `${k}: plural in en exactly when plural in ${loc}`);
      if (typeof v !== 'string') assert.deepEqual(Object.keys(v).sort(), cats, `${loc} ${k}: plural categories`);
      for (const s of forms(v)) assert.ok(typeof s === 'string' && s.trim() !== '', `${loc} ${k}: empty`);
    }
  });

  test(`${loc}: the same placeholders as en`, () => {
    const bad = [];
    for (const [k, v] of Object.entries(m)) {
      const want = placeholders(forms(en[k])[0]);
      for (const s of forms(v)) if (placeholders(s).join() !== want.join()) bad.push(`${k}: ${s}`);
    }
    assert.deepEqual(bad, []);
  });

  if (TRANSLATED.includes(loc)) {
    test(`${loc}: translated, not English left in place`, () => {
      const same = Object.keys(m).filter(
        (k) => JSON.stringify(m[k]) === JSON.stringify(en[k]) && !(SAME_AS_ENGLISH[k] || []).includes(loc));
      assert.deepEqual(same, []);
      // Whole sentences of English inside a value (e.g. an untranslated clause).
      const english = /\b(the|and|with|your|this|not|for|you)\b/i;
      const leaked = Object.entries(m).filter(([, v]) => forms(v).some((s) => english.test(s.replace(/\/api\/\S+/g, ''))));
      assert.deepEqual(leaked.map(([k]) => k), []);
    });
  }
}

test('Romanian uses ș and ț with the comma below, not the cedilla', () => {
  const all = JSON.stringify(MESSAGES.ro);
  assert.doesNotMatch(all, /[şţŞŢ]/);
  assert.match(all, /ș/);
  assert.match(all, /ț/);
});

test('every key the UI asks for exists in en', () => {
  const used = new Set();
  for (const f of readdirSync(src).filter((x) => /\.jsx?$/.test(x)))
    for (const m of readFileSync(path.join(src, f), 'utf8').matchAll(/\bt\('([a-z]+\.[A-Za-z_.]+)'/g)) used.add(m[1]);
  assert.ok(used.size > 100, 'the scan finds the t() calls');
  const missing = [...used].filter((k) => !(k in en) && !k.endsWith('.'));
  assert.deepEqual(missing, []);
});

test('plurals follow each language\'s rules', () => {
  const count = (loc, n) => makeT(loc)('ix.count', { count: n });
  assert.deepEqual([1, 2, 5].map((n) => count('en', n)), ['1 interaction', '2 interactions', '5 interactions']);
  assert.deepEqual([1, 3, 5, 22, 25].map((n) => count('pl', n)),
    ['1 zgłoszenie', '3 zgłoszenia', '5 zgłoszeń', '22 zgłoszenia', '25 zgłoszeń']);
  assert.deepEqual([1, 3, 5, 21, 11].map((n) => count('ru', n)),
    ['1 обращение', '3 обращения', '5 обращений', '21 обращение', '11 обращений']);
  assert.deepEqual([1, 2, 19, 20, 101].map((n) => count('ro', n)),
    ['1 interacțiune', '2 interacțiuni', '19 interacțiuni', '20 de interacțiuni', '101 interacțiuni']);
  assert.deepEqual([1, 7].map((n) => count('et', n)), ['1 pöördumine', '7 pöördumist']);
  assert.deepEqual([1, 7].map((n) => count('vi', n)), ['1 tương tác', '7 tương tác']);
  assert.equal(makeT('ru')('conn.down', { count: 2 }), 'Соединение потеряно. Повторное подключение через 2 секунды…');
  assert.equal(makeT('en')('conn.down', { count: 1 }), 'Connection lost. Reconnecting in 1 second…');
});

test('{count} is written with the language\'s digit grouping; other parameters as given', () => {
  assert.equal(makeT('en')('ix.count', { count: 12345 }), '12,345 interactions');
  assert.equal(makeT('ru')('ix.count', { count: 12345 }), '12\u00a0345 обращений');
  assert.equal(makeT('ro')('ix.detail', { id: 12345 }), 'Interacțiunea nr. 12345');
});

test('fallbacks: a missing key in a table is English, an unknown key is the key', () => {
  const t = makeT('et');
  assert.equal(t('no.such.key'), 'no.such.key');
  assert.equal(t.has('no.such.key'), false);
  assert.equal(t.has('segment.gold'), true);
  assert.equal(makeT('xx')('state.ready'), 'Ready');
});

test('loading: every table by its locale; an unknown locale is refused', async () => {
  assert.deepEqual(Object.keys(MESSAGES).sort(), [...LOCALES].sort());
  await assert.rejects(loadLocale('xx'), /unknown locale/);
});

test('pickLocale maps browser and account tags to a table', () => {
  assert.equal(pickLocale('ru-RU'), 'ru');
  assert.equal(pickLocale('vi_VN'), 'vi');
  assert.equal(pickLocale('ET'), 'et');
  assert.equal(pickLocale('ro'), 'ro');
  assert.equal(pickLocale('de-DE'), 'en');
  assert.equal(pickLocale(''), 'en');
  assert.equal(pickLocale(undefined), 'en');
});
