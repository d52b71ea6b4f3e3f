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

export function fmtPercent(x) {
  if (x == null || !isFinite(x)) return '–';
  return `${Math.round(x * 1000) / 10}%`;
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
