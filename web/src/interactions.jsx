// Interaction history: the list of interactions in a date range
// (/interactions, newest first) and one interaction's page
// (/interactions/{id}): its facts, its call recordings with a player, and its
// event history. Who sees what is the server's decision: agents list only
// their own interactions (interactions.read_own), and the recordings section
// exists only for holders of recordings.listen (supervisors, admins).
//
// The player: an <audio> element cannot send the Authorization header, and a
// token in a URL would end up in the browser's history and in logs. So Play
// fetches the WAV with the bearer header (the server checks the permission
// and commits the audit entry `recording.played` before it sends a byte) and
// plays it from a Blob URL, revoked when the row goes away. One Play = one
// fetch = one audit entry; seeking and replaying use the fetched copy.
import { useEffect, useState } from 'preact/hooks';
import { api, request } from './api.js';
import { useApp } from './ctx.js';
import { fmtBytes, fmtDateTime, fmtDuration } from './util.js';

const LIMIT = 200;

// In the UI's language (the locale the user sees), not the browser's; to the second.
const fmtDate = (iso, locale) => fmtDateTime(iso, locale, { dateStyle: 'medium', timeStyle: 'medium' });

// The local calendar day `offset` days from today, as YYYY-MM-DD (what <input type=date> holds).
function localDay(offset = 0) {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

// A local calendar day's bounds as the UTC times the API takes (YYYY-MM-DDTHH:MM:SSZ).
function utcBound(day, end) {
  const d = new Date(`${day}T${end ? '23:59:59' : '00:00:00'}`);
  return isNaN(d) ? day : d.toISOString().slice(0, 19) + 'Z';
}

const secsBetween = (a, b) => (a && b ? (Date.parse(b) - Date.parse(a)) / 1000 : null);

function outcome(t, it) {
  if (it.state !== 'ended') return t('istate.' + it.state);
  return it.end_reason ? t('end.' + it.end_reason) : t('istate.ended');
}

function link(navigate, href) {
  return {
    href,
    onClick: (e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return; // new tab etc.
      e.preventDefault();
      navigate(href);
    },
  };
}

// Names for ids: queues for everyone; agents from the directory (or the full list).
function useNames() {
  const [names, setNames] = useState({ queues: {}, agents: {}, agentList: [], queueList: [], codes: {} });
  useEffect(() => {
    let live = true;
    Promise.all([
      api.get('/api/queues').catch(() => []),
      api.get('/api/agents').catch(() => api.get('/api/agents/directory').catch(() => [])),
      api.get('/api/dispositions').catch(() => []),
    ]).then(([qs, ags, codes]) => {
      if (!live) return;
      const byId = (xs) => Object.fromEntries(xs.map((x) => [x.id, x.name]));
      ags.sort((a, b) => a.name.localeCompare(b.name));
      setNames({ queues: byId(qs), agents: byId(ags), queueList: qs, agentList: ags,
                 codes: Object.fromEntries(codes.map((c) => [c.code, c.label])) });
    });
    return () => (live = false);
  }, []);
  return names;
}

export function Interactions({ path }) {
  const m = path.match(/^\/interactions\/(\d+)/);
  return m ? <InteractionPage id={Number(m[1])} /> : <InteractionList />;
}

function InteractionList() {
  const { me, t, navigate, locale } = useApp();
  const all = (me.permissions || []).includes('interactions.read_all');
  const q0 = new URLSearchParams(location.search);
  const [from, setFrom] = useState(q0.get('from') || localDay(-6));
  const [to, setTo] = useState(q0.get('to') || localDay());
  const [queue, setQueue] = useState(q0.get('queue') || '');
  const [agent, setAgent] = useState(q0.get('agent') || '');
  const [list, setList] = useState(null);
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const names = useNames();

  const run = async (e) => {
    e && e.preventDefault();
    const shown = new URLSearchParams({ from, to });
    if (queue) shown.set('queue', queue);
    if (agent) shown.set('agent', agent);
    history.replaceState(null, '', '/interactions?' + shown);
    const p = new URLSearchParams({ from: utcBound(from, false), to: utcBound(to, true), order: 'newest', limit: String(LIMIT) });
    if (queue) p.set('queue', queue);
    if (agent) p.set('agent', agent);
    setBusy(true);
    setErr(null);
    try {
      setList(await api.get('/api/interactions?' + p));
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    run();
  }, []);

  const fe = (f) => (err && err.field === f ? err.message : '');
  return (
    <main id="main" class="page interactions">
      <h1>{all ? t('ix.title') : t('ix.mine')}</h1>
      <form class="card filters" onSubmit={run} noValidate data-testid="ix-filters">
        <span>
          <label for="ix-from">{t('rep.from')}</label>
          <input id="ix-from" type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} aria-invalid={fe('from') ? 'true' : undefined} />
          {fe('from') && <p class="error field-error">{fe('from')}</p>}
        </span>
        <span>
          <label for="ix-to">{t('rep.to')}</label>
          <input id="ix-to" type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} aria-invalid={fe('to') ? 'true' : undefined} />
          {fe('to') && <p class="error field-error">{fe('to')}</p>}
        </span>
        <span>
          <label for="ix-queue">{t('rep.queue')}</label>
          <select id="ix-queue" value={queue} onChange={(e) => setQueue(e.currentTarget.value)}>
            <option value="">{t('rep.allQueues')}</option>
            {names.queueList.map((q) => <option key={q.id} value={q.id}>{q.name}</option>)}
          </select>
        </span>
        {all && (
          <span>
            <label for="ix-agent">{t('rep.agent')}</label>
            <select id="ix-agent" value={agent} onChange={(e) => setAgent(e.currentTarget.value)}>
              <option value="">{t('rep.allAgents')}</option>
              {names.agentList.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
            </select>
          </span>
        )}
        <button class="primary" type="submit" disabled={busy}>{t('rep.show')}</button>
      </form>
      {err && !err.field && <p class="error" role="alert">{err.message}</p>}
      {!list && !err && <p class="muted" role="status">{t('common.loading')}</p>}
      {list && list.length === 0 && <p class="card muted" data-testid="ix-empty">{t('ix.empty')}</p>}
      {list && list.length > 0 && (
        <p class="muted small" data-testid="ix-count">{t('ix.count', { count: list.length })}</p>
      )}
      {list && list.length > 0 && (
        <div class="card grid-wrap tall">
          <table class="data" data-testid="ix-list">
            <caption class="sr-only">{all ? t('ix.title') : t('ix.mine')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('ix.id')}</th>
                <th scope="col">{t('ix.created')}</th>
                <th scope="col">{t('ix.channel')}</th>
                <th scope="col">{t('rep.queue')}</th>
                <th scope="col">{t('ix.customer')}</th>
                <th scope="col">{t('rep.agent')}</th>
                <th scope="col">{t('ix.outcome')}</th>
                <th scope="col" class="num">{t('ix.talk')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((it) => (
                <tr key={it.id} data-interaction-id={it.id}>
                  <th scope="row"><a {...link(navigate, `/interactions/${it.id}`)}>#{it.id}</a></th>
                  <td>{fmtDate(it.created, locale)}</td>
                  <td>{t('channel.' + it.channel)}</td>
                  <td>{names.queues[it.queue] || '#' + it.queue}</td>
                  <td>{it.from || '–'}</td>
                  <td>{it.agent ? names.agents[it.agent] || (it.agent === me.id ? me.name : '#' + it.agent) : '–'}</td>
                  <td data-state={it.state}>{outcome(t, it)}</td>
                  <td class="num">{fmtDuration(secsBetween(it.answered, it.ended))}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.length >= LIMIT && <p class="muted small pad">{t('ix.limit', { count: LIMIT })}</p>}
        </div>
      )}
    </main>
  );
}

function InteractionPage({ id }) {
  const { me, t, navigate, locale } = useApp();
  const perms = new Set(me.permissions || []);
  const [it, setIt] = useState(null);
  const [events, setEvents] = useState(null);
  const [err, setErr] = useState(null);
  const names = useNames();

  useEffect(() => {
    let live = true;
    setIt(null);
    setErr(null);
    Promise.all([api.get(`/api/interactions/${id}`), api.get(`/api/interactions/${id}/events`)])
      .then(([i, ev]) => live && (setIt(i), setEvents(ev)))
      .catch((x) => live && setErr(x));
    return () => (live = false);
  }, [id]);

  const back = (
    <p><a {...link(navigate, '/interactions')}>← {perms.has('interactions.read_all') ? t('ix.back') : t('ix.mine')}</a></p>
  );
  if (err) {
    return (
      <main id="main" class="page interaction">
        {back}
        <h1>{t('ix.detail', { id })}</h1>
        <p class="error" role="alert">{err.message}</p>
      </main>
    );
  }
  if (!it) return <main id="main" class="page"><p class="muted" role="status">{t('common.loading')}</p></main>;
  const card = it.customer_card;
  return (
    <main id="main" class="page interaction" data-testid="interaction" data-interaction-id={id}>
      {back}
      <h1>
        {t('ix.detail', { id })} <span class="badge" data-state={it.state}>{outcome(t, it)}</span>
      </h1>
      <div class="ix-grid">
        <section class="card" aria-labelledby="ix-facts">
          <h2 id="ix-facts">{t('ix.facts')}</h2>
          <dl class="facts">
            <dt>{t('ix.channel')}</dt><dd>{t('channel.' + it.channel)}</dd>
            <dt>{t('rep.queue')}</dt><dd>{names.queues[it.queue] || '#' + it.queue}</dd>
            <dt>{t('ix.customer')}</dt><dd>{card ? `${card.name} (${it.from})` : it.from || '–'}</dd>
            <dt>{t('rep.agent')}</dt>
            <dd>{it.agent ? names.agents[it.agent] || (it.agent === me.id ? me.name : '#' + it.agent) : '–'}</dd>
            <dt>{t('ix.created')}</dt><dd>{fmtDate(it.created, locale)}</dd>
            <dt>{t('ix.wait')}</dt><dd>{fmtDuration(secsBetween(it.enqueued, it.answered))}</dd>
            <dt>{t('ix.answered')}</dt><dd>{fmtDate(it.answered, locale)}</dd>
            <dt>{t('ix.ended')}</dt><dd>{fmtDate(it.ended, locale)}</dd>
            <dt>{t('ix.talk')}</dt><dd>{fmtDuration(secsBetween(it.answered, it.ended))}</dd>
            <dt>{t('ws.disposition')}</dt><dd>{it.disposition ? names.codes[it.disposition] || it.disposition : '–'}</dd>
            {it.subject && <><dt>{t('ix.subject')}</dt><dd>{it.subject}</dd></>}
          </dl>
          {it.notes && (
            <>
              <h3 class="gap">{t('ws.notes')}</h3>
              <p class="pre">{it.notes}</p>
            </>
          )}
        </section>
        {perms.has('recordings.listen') && <Recordings iid={id} />}
        <section class="card span2" aria-labelledby="ix-history">
          <h2 id="ix-history">{t('ix.history')}</h2>
          {!events || events.length === 0 ? (
            <p class="muted">{t('ix.noEvents')}</p>
          ) : (
            <ol class="timeline long" data-testid="ix-events">
              {events.map((e) => (
                <li key={e.seq}>
                  <time dateTime={e.at}>{fmtDate(e.at, locale)}</time>
                  <code>{e.type}</code>
                  <span class="muted small">{summarize(e.data, names)}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
    </main>
  );
}

// An event's details in one line, without what the page already says.
function summarize(data, names) {
  if (!data || typeof data !== 'object') return '';
  const skip = new Set(['interaction', 'path', 'type']);
  const named = { agent: names.agents, from_agent: names.agents, to_agent: names.agents, queue: names.queues,
                  from_queue: names.queues, to_queue: names.queues };
  return Object.entries(data)
    .filter(([k, v]) => !skip.has(k) && v !== null && v !== '' && typeof v !== 'object')
    .map(([k, v]) => `${k}: ${(named[k] && named[k][v]) || (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : v)}`)
    .join(' · ');
}

// The interaction's recordings (one per bridged segment). Re-read every 5 s
// while one is still being written, so it becomes playable when the call ends.
function Recordings({ iid }) {
  const { t } = useApp();
  const [list, setList] = useState(null);
  const [err, setErr] = useState(null);
  const [gen, setGen] = useState(0);

  useEffect(() => {
    let live = true;
    let timer = 0;
    api
      .get(`/api/interactions/${iid}/recordings`)
      .then((l) => {
        if (!live) return;
        setList(l);
        setErr(null);
        if (l.some((r) => r.in_progress)) timer = setTimeout(() => setGen((g) => g + 1), 5000);
      })
      .catch((x) => live && setErr(x));
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [iid, gen]);

  let body;
  if (err) {
    body = (
      <div role="alert" data-testid="rec-error">
        <p class="error">{t('rec.error', { msg: err.message })}</p>
        <button class="small" onClick={() => (setErr(null), setList(null), setGen((g) => g + 1))}>{t('rec.retry')}</button>
      </div>
    );
  } else if (!list) {
    body = <p class="muted" role="status" data-testid="rec-loading">{t('rec.loading')}</p>;
  } else if (list.length === 0) {
    body = <p class="muted" data-testid="rec-empty">{t('rec.none')}</p>;
  } else {
    body = (
      <ul class="recs">
        {list.map((r) => <Recording key={r.n} iid={iid} r={r} />)}
      </ul>
    );
  }
  return (
    <section class="card recordings" aria-labelledby="rec-title" data-testid="recordings">
      <h2 id="rec-title">{t('rec.title')}</h2>
      <p class="muted small">{t('rec.channels')} {t('rec.audited')}</p>
      {body}
    </section>
  );
}

function Recording({ iid, r }) {
  const { t, locale } = useApp();
  const [st, setSt] = useState({ s: 'idle' }); // idle | loading | ready {url, bytes} | error {msg}
  useEffect(() => () => st.url && URL.revokeObjectURL(st.url), [st.url]);

  const play = async () => {
    setSt({ s: 'loading' });
    try {
      const res = await request('GET', r.url || `/api/interactions/${iid}/recordings/${r.n}`, undefined, { raw: true });
      const blob = await res.blob();
      setSt({ s: 'ready', url: URL.createObjectURL(blob.type ? blob : new Blob([blob], { type: 'audio/wav' })), bytes: blob.size });
    } catch (x) {
      setSt({ s: 'error', msg: x.message });
    }
  };

  let status = null;
  if (r.deleted) status = t('rec.deleted', { date: fmtDate(r.deleted.at, locale), reason: t('rec.reason.' + (r.deleted.reason || 'other')) });
  else if (r.in_progress) status = t('rec.inProgress');
  else if (!r.available) status = t('rec.missing');
  const playable = !status;
  return (
    <li class="rec" data-testid="recording" data-n={r.n} data-state={st.s}>
      <div class="rec-head">
        <h3>{t('rec.segment', { n: r.n })}</h3>
        <dl class="facts inline">
          <dt>{t('rec.started')}</dt><dd>{fmtDate(r.started_at, locale)}</dd>
          <dt>{t('rec.duration')}</dt><dd data-testid="rec-duration">{r.in_progress ? '…' : fmtDuration(r.seconds)}</dd>
          <dt>{t('rec.size')}</dt><dd>{fmtBytes(r.bytes, locale)}</dd>
        </dl>
      </div>
      {status && <p class="muted" data-testid="rec-status">{status}</p>}
      {playable && st.s !== 'ready' && (
        <button class="primary small" onClick={play} disabled={st.s === 'loading'} data-testid="btn-rec-play">
          ▶ {t('rec.play')}
        </button>
      )}
      {st.s === 'loading' && <span class="muted" role="status"> {t('rec.loadingAudio')}</span>}
      {st.s === 'error' && <p class="error" role="alert" data-testid="rec-play-error">{t('rec.playError', { msg: st.msg })}</p>}
      {st.s === 'ready' && (
        <div class="rec-player">
          <audio controls autoplay preload="auto" src={st.url} data-testid="rec-audio"
                 aria-label={t('rec.player', { n: r.n })} />
          <a href={st.url} download={r.file} class="small">{t('rec.download')}</a>
        </div>
      )}
    </li>
  );
}
