import { useEffect, useState, useRef } from 'preact/hooks';

// Seconds as m:ss or h:mm:ss.
export function fmtDuration(sec) {
  if (sec == null || !isFinite(sec)) return '–';
  sec = Math.max(0, Math.floor(sec));
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return (h ? `${h}:` : '') + `${mm}:${String(s).padStart(2, '0')}`;
}

// Numbers, percentages, sizes and dates in the UI's language (the locale the
// user sees, not the browser's), through Intl. Formatters are cached per locale.
const formatters = new Map();
function nf(locale, opts) {
  const k = locale + JSON.stringify(opts);
  if (!formatters.has(k)) formatters.set(k, new Intl.NumberFormat(locale, opts));
  return formatters.get(k);
}

// A fraction (0.823) as a percentage with at most one decimal ("82.3%", "82,3 %").
export function fmtPercent(x, locale) {
  if (x == null || !isFinite(x)) return '–';
  return nf(locale, { style: 'percent', maximumFractionDigits: 1 }).format(x);
}

export function fmtNumber(x, locale, maxDigits = 1) {
  if (x == null || !isFinite(x)) return '–';
  return nf(locale, { maximumFractionDigits: maxDigits }).format(x);
}

// A count of seconds with the unit ("20 s", "20 с", "20 giây").
export function fmtSeconds(x, locale) {
  if (x == null || !isFinite(x)) return '–';
  return nf(locale, { style: 'unit', unit: 'second', unitDisplay: 'narrow' }).format(x);
}

// Bytes as B, kB or MB in the locale's notation.
export function fmtBytes(n, locale) {
  if (n == null || !isFinite(n)) return '–';
  if (n < 1024) return nf(locale, { style: 'unit', unit: 'byte', unitDisplay: 'short' }).format(n);
  if (n < 1024 * 1024) return nf(locale, { style: 'unit', unit: 'kilobyte', unitDisplay: 'short', maximumFractionDigits: 0 }).format(n / 1024);
  return nf(locale, { style: 'unit', unit: 'megabyte', unitDisplay: 'short', maximumFractionDigits: 1 }).format(n / 1024 / 1024);
}

// An ISO time as a date and time; `opts` as for Intl.DateTimeFormat
// (default: medium date, short time). '–' for none.
export function fmtDateTime(iso, locale, opts = { dateStyle: 'medium', timeStyle: 'short' }) {
  if (!iso) return '–';
  const d = iso instanceof Date ? iso : new Date(iso);
  return isNaN(d) ? '–' : d.toLocaleString(locale, opts);
}

export function since(iso, now = Date.now()) {
  const t = iso ? Date.parse(iso) : NaN;
  if (!(t > 0)) return null; // unknown (the server sends the epoch for "never")
  return (now - t) / 1000;
}

// Re-renders the calling component every `ms` (time-in-state clocks).
export function useTick(ms = 1000) {
  const [, set] = useState(0);
  useEffect(() => {
    const id = setInterval(() => set((n) => n + 1), ms);
    return () => clearInterval(id);
  }, [ms]);
  return Date.now();
}

export function useLatest(v) {
  const r = useRef(v);
  r.current = v;
  return r;
}

// A short two-tone ring made with WebAudio (no audio file).
let audio = null;
export function unlockAudio() {
  try {
    if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === 'suspended') audio.resume();
  } catch {
    audio = null;
  }
}
export function ring() {
  unlockAudio();
  if (!audio) return;
  const t0 = audio.currentTime;
  [880, 660].forEach((freq, i) => {
    const o = audio.createOscillator();
    const g = audio.createGain();
    o.type = 'sine';
    o.frequency.value = freq;
    g.gain.setValueAtTime(0.0001, t0 + i * 0.18);
    g.gain.exponentialRampToValueAtTime(0.2, t0 + i * 0.18 + 0.02);
    g.gain.exponentialRampToValueAtTime(0.0001, t0 + i * 0.18 + 0.16);
    o.connect(g).connect(audio.destination);
    o.start(t0 + i * 0.18);
    o.stop(t0 + i * 0.18 + 0.17);
  });
}

export function todayISO(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86400000);
  return d.toISOString().slice(0, 10);
}

// Error text for a field: exact match or a nested path under it
// ("requirements[0].min_level" belongs to "requirements" and to row 0).
export function fieldError(err, name) {
  if (!err || !err.field) return '';
  const f = err.field;
  if (f === name || f.startsWith(name + '.') || f.startsWith(name + '[')) return err.message;
  return '';
}

export function rowIndex(err, name) {
  if (!err || !err.field) return -1;
  const m = err.field.match(new RegExp(`^${name}\\[(\\d+)\\]`));
  return m ? Number(m[1]) : -1;
}
