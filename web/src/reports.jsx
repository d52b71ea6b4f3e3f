// Reports: a date range and a queue or agent; interactions per hour, service
// level, handle time, abandon rate and occupancy as inline SVG charts, and
// the per-hour rows as CSV. Reads /api/reports/summary; on a server without
// it, the same figures are computed here from /api/interactions.
import { useEffect, useState } from 'preact/hooks';
import { api, getOptional, request } from './api.js';
import { useApp } from './ctx.js';
import { fmtDuration, fmtNumber, fmtPercent, todayISO } from './util.js';

const secs = (a, b) => (Date.parse(b) - Date.parse(a)) / 1000;
const avg = (xs) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);

// The summary computed from interaction records (fallback).
export function summarize(list, queues, agents, from, to) {
  const qcfg = Object.fromEntries(queues.map((q) => [q.id, q]));
  const hours = new Map();
  const per = new Map();
  const ag = new Map();
  for (const i of list) {
    const h = new Date(i.created);
    h.setUTCMinutes(0, 0, 0);
    const key = h.toISOString().replace('.000Z', 'Z');
    const row = hours.get(key) || { hour: key, offered: 0, answered: 0, abandoned: 0, answered_in_sl: 0 };
    const q = per.get(i.queue) || { id: i.queue, name: qcfg[i.queue]?.name || '#' + i.queue, offered: 0, answered: 0, abandoned: 0, in_sl: 0, waits: [], handles: [] };
    row.offered++;
    q.offered++;
    if (i.answered) {
      const w = secs(i.enqueued, i.answered);
      const inSl = w <= (qcfg[i.queue]?.sl_threshold ?? 20);
      row.answered++;
      q.answered++;
      q.waits.push(w);
      if (inSl) {
        row.answered_in_sl++;
        q.in_sl++;
      }
      if (i.ended) q.handles.push(secs(i.answered, i.ended));
      if (i.agent) {
        const a = ag.get(i.agent) || { id: i.agent, name: agents.find((x) => x.id === i.agent)?.name || '#' + i.agent, handled: 0, handles: [] };
        a.handled++;
        if (i.ended) a.handles.push(secs(i.answered, i.ended));
        ag.set(i.agent, a);
      }
    }
    if (i.end_reason === 'abandoned') {
      row.abandoned++;
      q.abandoned++;
    }
    hours.set(key, row);
    per.set(i.queue, q);
  }
  return {
    from,
    to,
    computed: true,
    hours: [...hours.values()].sort((a, b) => a.hour.localeCompare(b.hour)),
    queues: [...per.values()].map((q) => ({
      id: q.id, name: q.name, offered: q.offered, answered: q.answered, abandoned: q.abandoned,
      service_level: q.offered ? q.in_sl / q.offered : null, asa: avg(q.waits), aht: avg(q.handles),
      abandon_rate: q.offered ? q.abandoned / q.offered : null,
    })),
    agents: [...ag.values()].map((a) => ({ id: a.id, name: a.name, handled: a.handled, aht: avg(a.handles), occupancy: null })),
  };
}

// Every hour of the range (UTC, up to now) with zeros where nothing happened;
// per day instead when the range is longer than two weeks.
export function fillHours(hours, from, to, now = Date.now()) {
  const start = Date.parse(from + 'T00:00:00Z');
  const end = Math.min(Date.parse(to + 'T23:00:00Z'), now);
  if (!(start <= end)) return hours;
  const byDay = (end - start) / 3600000 > 24 * 14;
  const step = byDay ? 86400000 : 3600000;
  const slots = new Map();
  for (let t = start; t <= end; t += step) {
    const k = new Date(t).toISOString().replace('.000Z', 'Z');
    slots.set(k, { hour: k, offered: 0, answered: 0, abandoned: 0, answered_in_sl: 0, day: byDay });
  }
  for (const h of hours) {
    const t = Date.parse(h.hour);
    const k = new Date(start + Math.floor((t - start) / step) * step).toISOString().replace('.000Z', 'Z');
    const s = slots.get(k) || { hour: k, offered: 0, answered: 0, abandoned: 0, answered_in_sl: 0, day: byDay };
    for (const f of ['offered', 'answered', 'abandoned', 'answered_in_sl']) s[f] += h[f] || 0;
    slots.set(k, s);
  }
  return [...slots.values()].sort((a, b) => a.hour.localeCompare(b.hour));
}

function csvOf(hours) {
  const head = 'hour,offered,answered,abandoned,answered_in_sl';
  return [head, ...hours.map((h) => [h.hour, h.offered, h.answered, h.abandoned, h.answered_in_sl].join(','))].join('\n') + '\n';
}

// Grouped bars per hour, with axes and a legend; a table follows for screen readers.
function HourChart({ t, locale, hours }) {
  const W = 900, H = 260, L = 40, B = 36, T = 10, R = 10;
  const series = [['offered', 's1'], ['answered', 's2'], ['abandoned', 's3']];
  const max = Math.max(1, ...hours.map((h) => Math.max(h.offered, h.answered + h.abandoned)));
  const nice = Math.ceil(max / 4) * 4 || 4; // a multiple of 4: the quarter ticks are whole numbers
  const bw = Math.min(60, (W - L - R) / Math.max(1, hours.length));
  const y = (v) => T + (H - T - B) * (1 - v / nice);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => nice * f);
  const every = Math.ceil(hours.length / 12);
  const byDay = hours.length && hours[0].day;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="hc-title" data-testid="hour-chart">
        <title id="hc-title">{t('rep.perHour')}</title>
        {ticks.map((v) => (
          <g key={v}>
            <line x1={L} x2={W - R} y1={y(v)} y2={y(v)} class="gridline" />
            <text x={L - 6} y={y(v) + 4} class="axis" text-anchor="end">{fmtNumber(v, locale, 0)}</text>
          </g>
        ))}
        {hours.map((h, i) => {
          const x0 = L + i * bw;
          const gap = bw > 8 ? 2 : 0.5;
          const w = Math.max(1, bw - 2 * gap);
          const d = new Date(h.hour);
          return (
            <g key={h.hour}>
              <title>{`${d.toLocaleString(locale)} · ${series.map(([k]) => `${t('rep.' + k)}: ${h[k] || 0}`).join(', ')}`}</title>
              {/* offered behind; answered and abandoned stacked in front */}
              {h.offered > 0 && <rect class="s1" x={x0 + gap} y={y(h.offered)} width={w} height={y(0) - y(h.offered)} />}
              {h.answered > 0 && <rect class="s2" x={x0 + gap} y={y(h.answered)} width={w} height={y(0) - y(h.answered)} />}
              {h.abandoned > 0 && (
                <rect class="s3" x={x0 + gap} y={y(h.answered + h.abandoned)} width={w} height={y(h.answered) - y(h.answered + h.abandoned)} />
              )}
              {i % every === 0 && (
                <text x={x0 + bw / 2} y={H - B + 16} class="axis" text-anchor="middle">
                  {byDay ? d.toLocaleDateString(locale, { month: 'short', day: 'numeric' }) : d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' })}
                </text>
              )}
              {!byDay && i % every === 0 && (d.getHours() < every || i === 0) && (
                <text x={x0 + bw / 2} y={H - B + 30} class="axis small" text-anchor="middle">{d.toLocaleDateString(locale, { month: 'short', day: 'numeric' })}</text>
              )}
            </g>
          );
        })}
        <line x1={L} x2={W - R} y1={y(0)} y2={y(0)} class="baseline" />
      </svg>
      <figcaption class="legend">
        {series.map(([k, cls]) => <span key={k}><i class={'sw ' + cls} aria-hidden="true" />{t('rep.' + k)}</span>)}
      </figcaption>
    </figure>
  );
}

// Horizontal bars: one row per item.
function Bars({ t, title, items, fmt, max, target, testid }) {
  const W = 420, rowH = 26, L = 140, R = 70;
  const H = Math.max(rowH, items.length * rowH) + 8;
  const m = max ?? Math.max(1e-9, ...items.map((x) => x.value || 0));
  const xw = (v) => ((W - L - R) * Math.min(v || 0, m)) / m;
  return (
    <figure class="chart small-chart card">
      <figcaption><h3>{title}</h3></figcaption>
      {items.length === 0 ? (
        <p class="muted">{t('rep.noData')}</p>
      ) : (
        <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} data-testid={testid}>
          {items.map((x, i) => (
            <g key={x.label} transform={`translate(0 ${4 + i * rowH})`}>
              <text x={L - 8} y={rowH / 2 + 4} class="axis" text-anchor="end">{x.label.length > 18 ? x.label.slice(0, 17) + '…' : x.label}</text>
              <rect x={L} y={4} width={W - L - R} height={rowH - 10} class="track" />
              {x.value != null && <rect x={L} y={4} width={xw(x.value)} height={rowH - 10} class={x.bad ? 's3' : 's2'} />}
              <text x={W - R + 6} y={rowH / 2 + 4} class="val">{x.value == null ? '–' : fmt(x.value)}</text>
            </g>
          ))}
          {target != null && <line x1={L + xw(target)} x2={L + xw(target)} y1={0} y2={H} class="target" />}
        </svg>
      )}
    </figure>
  );
}

export function Reports() {
  const { t, locale } = useApp();
  const [from, setFrom] = useState(todayISO());
  const [to, setTo] = useState(todayISO());
  const [queue, setQueue] = useState('');
  const [agent, setAgent] = useState('');
  const [queues, setQueues] = useState([]);
  const [agents, setAgents] = useState([]);
  const [data, setData] = useState(null);
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);

  const qs = () => {
    const p = new URLSearchParams({ from, to });
    if (queue) p.set('queue', queue);
    if (agent) p.set('agent', agent);
    return p;
  };

  const run = async (e) => {
    e && e.preventDefault();
    setBusy(true);
    setErr(null);
    try {
      let d = await getOptional('/api/reports/summary?' + qs());
      if (!d) {
        const p = new URLSearchParams({ from: from + 'T00:00:00', to: to + 'T23:59:59', limit: '1000' });
        if (queue) p.set('queue', queue);
        if (agent) p.set('agent', agent);
        const list = await api.get('/api/interactions?' + p);
        d = summarize(list, queues, agents, from, to);
      }
      setData(d);
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    Promise.all([api.get('/api/queues').catch(() => []), api.get('/api/agents').catch(() => [])]).then(([q, a]) => {
      setQueues(q);
      setAgents(a);
    });
  }, []);
  useEffect(() => {
    run();
  }, [queues.length, agents.length]);

  const download = async () => {
    let blob;
    try {
      const p = qs();
      p.set('format', 'csv');
      const res = await request('GET', '/api/reports/summary?' + p, undefined, { raw: true });
      blob = await res.blob();
    } catch (x) {
      if (x.status !== 404 || !data) return setErr(x);
      blob = new Blob([csvOf(data.hours)], { type: 'text/csv' });
    }
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `switchboard-${from}-${to}.csv`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  const fe = (f) => (err && err.field === f ? err.message : '');
  const pct = (v) => fmtPercent(v, locale);
  const totals = data ? data.hours.reduce((s, h) => ({ offered: s.offered + h.offered, answered: s.answered + h.answered, abandoned: s.abandoned + h.abandoned }), { offered: 0, answered: 0, abandoned: 0 }) : null;
  return (
    <main id="main" class="page reports">
      <h1>{t('nav.reports')}</h1>
      <form class="card filters" onSubmit={run} noValidate>
        <span>
          <label for="r-from">{t('rep.from')}</label>
          <input id="r-from" type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} aria-invalid={fe('from') ? 'true' : undefined} />
          {fe('from') && <p class="error field-error">{fe('from')}</p>}
        </span>
        <span>
          <label for="r-to">{t('rep.to')}</label>
          <input id="r-to" type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} aria-invalid={fe('to') ? 'true' : undefined} />
          {fe('to') && <p class="error field-error">{fe('to')}</p>}
        </span>
        <span>
          <label for="r-queue">{t('rep.queue')}</label>
          <select id="r-queue" value={queue} onChange={(e) => setQueue(e.currentTarget.value)}>
            <option value="">{t('rep.allQueues')}</option>
            {queues.map((q) => <option key={q.id} value={q.id}>{q.name}</option>)}
          </select>
        </span>
        <span>
          <label for="r-agent">{t('rep.agent')}</label>
          <select id="r-agent" value={agent} onChange={(e) => setAgent(e.currentTarget.value)}>
            <option value="">{t('rep.allAgents')}</option>
            {agents.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
          </select>
        </span>
        <button class="primary" type="submit" disabled={busy}>{t('rep.show')}</button>
        <button type="button" onClick={download} disabled={!data} data-testid="btn-csv">{t('rep.csv')}</button>
      </form>
      {err && !err.field && <p class="error" role="alert">{err.message}</p>}
      {data && (
        <>
          {data.computed && <p class="muted small">{t('rep.computed')}</p>}
          <section class="kpis" aria-label={t('rep.totals')}>
            <div class="fig card"><span class="v">{fmtNumber(totals.offered, locale)}</span><span class="k">{t('rep.offered')}</span></div>
            <div class="fig card"><span class="v">{fmtNumber(totals.answered, locale)}</span><span class="k">{t('rep.answered')}</span></div>
            <div class="fig card"><span class="v">{fmtNumber(totals.abandoned, locale)}</span><span class="k">{t('rep.abandoned')}</span></div>
            <div class="fig card"><span class="v">{fmtPercent(totals.offered ? totals.abandoned / totals.offered : null, locale)}</span><span class="k">{t('rep.abandonRate')}</span></div>
          </section>
          <section class="card" aria-labelledby="ph-title">
            <h2 id="ph-title">{t('rep.perHour')}</h2>
            {data.hours.length ? <HourChart t={t} locale={locale} hours={fillHours(data.hours, data.from || from, data.to || to)} /> : <p class="muted">{t('rep.noData')}</p>}
            <details>
              <summary>{t('rep.asTable')}</summary>
              <table class="data">
                <thead><tr><th scope="col">{t('rep.hour')}</th><th scope="col">{t('rep.offered')}</th><th scope="col">{t('rep.answered')}</th><th scope="col">{t('rep.abandoned')}</th><th scope="col">{t('rep.inSl')}</th></tr></thead>
                <tbody>
                  {data.hours.map((h) => (
                    <tr key={h.hour}><td>{new Date(h.hour).toLocaleString(locale)}</td><td>{h.offered}</td><td>{h.answered}</td><td>{h.abandoned}</td><td>{h.answered_in_sl}</td></tr>
                  ))}
                </tbody>
              </table>
            </details>
          </section>
          <div class="chart-grid">
            <Bars t={t} title={t('rep.sl')} testid="sl-chart" max={1} fmt={pct}
                  items={data.queues.map((q) => ({ label: q.name, value: q.service_level, bad: q.service_level != null && q.service_level < 0.8 }))} target={0.8} />
            <Bars t={t} title={t('rep.aht')} fmt={fmtDuration} items={data.queues.map((q) => ({ label: q.name, value: q.aht }))} />
            <Bars t={t} title={t('rep.abandonRate')} max={1} fmt={pct}
                  items={data.queues.map((q) => ({ label: q.name, value: q.abandon_rate, bad: q.abandon_rate > 0.05 }))} />
            <Bars t={t} title={t('rep.occupancy')} max={1} fmt={pct} items={data.agents.map((a) => ({ label: a.name, value: a.occupancy }))} />
            <Bars t={t} title={t('rep.handled')} fmt={(v) => fmtNumber(v, locale)} items={data.agents.map((a) => ({ label: a.name, value: a.handled }))} />
            <Bars t={t} title={t('rep.agentAht')} fmt={fmtDuration} items={data.agents.map((a) => ({ label: a.name, value: a.aht }))} />
          </div>
        </>
      )}
    </main>
  );
}
