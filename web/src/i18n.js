// Every UI string, by key, per locale: one table per language under i18n/,
// English the reference (every table has exactly its keys: web/test/i18n.test.mjs).
// The locale comes from the user's choice in this browser, else the account's
// (/api/me `locale`), else the browser's language; a key missing from a table
// falls back to English, then to the key itself.
//
// English is in the main bundle; every other table is a chunk of its own,
// fetched on first use (loadLocale), so a user downloads one language, not six.
//
// A message is a string with {name} placeholders, or, where it shows a count,
// an object of plural forms keyed by the locale's Intl.PluralRules categories
// ({one, other} in English and Estonian, {one, few, many, other} in Polish and
// Russian, {one, few, other} in Romanian, {other} in Vietnamese), chosen by the
// `count` parameter, which is also written with the locale's digit grouping.
import en from './i18n/en.js';

const LOADERS = {
  pl: () => import('./i18n/pl.js'),
  vi: () => import('./i18n/vi.js'),
  et: () => import('./i18n/et.js'),
  ro: () => import('./i18n/ro.js'),
  ru: () => import('./i18n/ru.js'),
};

export const LOCALES = ['en', ...Object.keys(LOADERS)];
// The tables loaded so far, by locale.
export const MESSAGES = { en };

export function isLoaded(locale) {
  return !!MESSAGES[locale];
}

// Fetches `locale`'s table once; resolves when t() can use it.
const loading = {};
export function loadLocale(locale) {
  if (MESSAGES[locale]) return Promise.resolve();
  if (!LOADERS[locale]) return Promise.reject(new Error('unknown locale ' + locale));
  loading[locale] ||= LOADERS[locale]().then(
    (m) => void (MESSAGES[locale] = m.default),
    (e) => {
      delete loading[locale]; // a later call tries again
      throw e;
    },
  );
  return loading[locale];
}

export const loadAllLocales = () => Promise.all(LOCALES.map(loadLocale));

// Each language by its own name, as the language picker offers it.
export const LOCALE_NAMES = {
  en: 'English',
  pl: 'Polski',
  vi: 'Tiếng Việt',
  et: 'Eesti',
  ro: 'Română',
  ru: 'Русский',
};

// A BCP 47 tag ("pl-PL", "ru_RU", "vi") to one of LOCALES; English otherwise.
export function pickLocale(tag) {
  const base = String(tag || '').toLowerCase().split(/[-_]/)[0];
  return LOCALES.includes(base) ? base : 'en';
}

// The form of a plural message for `count` under `locale`'s rules.
export function pluralForm(forms, locale, count) {
  const cat = new Intl.PluralRules(locale).select(Number(count) || 0);
  return forms[cat] ?? forms.other;
}

const cache = {};
// t(key, params): the message in `locale`. t.has(key) tells whether any table
// has the key (for labels of server-side codes that may be unknown here).
// Call it for a loaded locale (see loadLocale); before that, t() speaks English.
export function makeT(locale) {
  if (cache[locale]) return cache[locale];
  const m = MESSAGES[locale] || en;
  const num = new Intl.NumberFormat(locale);
  const t = (key, params) => {
    const own = m[key] !== undefined;
    let s = own ? m[key] : en[key] ?? key;
    if (typeof s === 'object') s = pluralForm(s, own ? locale : 'en', params?.count);
    if (params)
      s = s.replace(/\{(\w+)\}/g, (_, k) =>
        k === 'count' && typeof params.count === 'number' ? num.format(params.count) : params[k] ?? '');
    return s;
  };
  t.has = (key) => key in m || key in en;
  if (MESSAGES[locale]) cache[locale] = t;
  return t;
}
