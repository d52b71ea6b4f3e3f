// Supervisor: the live wallboard per queue and the agent grid, filtered by
// team. Agent rows change on each agent.state_changed event (batched per
// animation frame); the queue figures are re-read from /api/wallboard at most
// once a second while events arrive, and every 5 s otherwise.
import { Component } from 'preact';
import { useEffect, useMemo, useRef, useState, useCallback } from 'preact/hooks';
import { api, getOptional } from './api.js';
import { useApp } from './ctx.js';
import { fmtDuration, fmtPercent, since, useTick } from './util.js';

const STATES = ['ready', 'reserved', 'busy', 'wrap_up', 'not_ready', 'logged_out'];

// Figures from /api/queues when the server has no /api/wallboard yet.
function wallboardFromQueues(queues, agents) {
  return {
    fallback: true,
    queues: queues.map((q) => {
      const l = q.live || {};
      return {
        id: q.id,
        name: q.name,
        waiting: l.waiting || 0,
        longest_wait: l.longest_wait || 0,
        agents: { ready: l.agents_ready || 0, logged_in: l.agents_logged_in || 0 },
        today: {
          offered: l.offered || 0,
          answered: l.answered || 0,
          answered_in_sl: l.answered_in_sl || 0,
          abandoned: l.abandoned || 0,
          service_level: l.answered ? l.answered_in_sl / l.answered : null,
          asa: null,
          aht: l.avg_handle_time ?? null,
        },
        sl_target: q.sl_target,
      };
    }),
    agentsTotal: agents.length,
  };
}

function QueueTile({ t, locale, q, fetchedAt, target }) {
  const now = useTick(1000);
  const d = q.today || {};
  const lw = q.waiting > 0 ? q.longest_wait + (now - fetchedAt) / 1000 : 0;
  const sl = d.service_level;
  const slClass = sl == null ? '' : target && sl < target ? 'bad' : 'good';
  const a = q.agents || {};
  return (
    <article class="tile card" aria-labelledby={'q-' + q.id} data-testid="queue-tile" data-queue={q.id}>
      <h2 id={'q-' + q.id}>{q.name}</h2>
      <div class="figs">
        <div class={'fig big' + (q.waiting > 0 ? ' warn' : '')}>
          <span class="v" data-testid="waiting">{q.waiting}</span>
          <span class="k">{t('wb.waiting')}</span>
        </div>
        <div class="fig">
          <span class="v">{fmtDuration(lw)}</span>
          <span class="k">{t('wb.longest')}</span>
        </div>
        <div class={'fig ' + slClass}>
          <span class="v" data-testid="sl">{fmtPercent(sl, locale)}</span>
          <span class="k">{t('wb.sl')}</span>
        </div>
        <div class="fig">
          <span class="v">{d.asa == null ? '–' : fmtDuration(d.asa)}</span>
          <span class="k">{t('wb.asa')}</span>
        </div>
        <div class="fig">
          <span class="v" data-testid="answered">{d.answered ?? 0}</span>
          <span class="k">{t('wb.answered')}</span>
        </div>
        <div class="fig">
          <span class="v" data-testid="abandoned">{d.abandoned ?? 0}</span>
          <span class="k">{t('wb.abandoned')}</span>
        </div>
      </div>
      <ul class="by-state" aria-label={t('wb.agentsByState')}>
        {STATES.filter((s) => a[s] != null).map((s) => (
          <li key={s} data-state={s}><span class="dot" aria-hidden="true" />{t('state.' + s)} <b>{a[s]}</b></li>
        ))}
        {a.logged_in != null && <li>{t('wb.loggedIn')} <b>{a.logged_in}</b></li>}
      </ul>
    </article>
  );
}

// One grid row; re-renders only when its agent object changes.
class AgentRow extends Component {
  shouldComponentUpdate(next) {
    return next.a !== this.props.a || next.busy !== this.props.busy || next.t !== this.props.t ||
           next.mode !== this.props.mode || next.labels !== this.props.labels;
  }
  render({ a, t, act, busy, mode, monitor, open, labels }) {
    const out = a.state === 'logged_out';
    // A live call can be monitored on the supervisor's own SIP phone: listen, then whisper or barge.
    const call = a.state === 'busy' && (a.interactions || []).length ? a.interactions[0] : 0;
    return (
      <tr data-agent-id={a.id}>
        <th scope="row">{a.name}</th>
        <td data-col="state" data-state={a.state}>
          <span class="dot" aria-hidden="true" />
          {t('state.' + a.state)}
          {a.state === 'not_ready' && a.reason ? ` · ${labels[a.reason] || a.reason}` : ''}
        </td>
        <td class="num" data-since={a.state_since} />
        <td>
          {(a.interactions || []).map((i, k) => (
            <span key={i}>{k > 0 && ', '}<a href={'/interactions/' + i} onClick={(e) => open(e, i)}>#{i}</a></span>
          ))}
          {!(a.interactions || []).length && a.offer ? `#${a.offer} (${t('state.reserved')})` : ''}
        </td>
        <td class="row-actions">
          <button class="small" disabled={busy || out || a.state === 'ready'} onClick={() => act(a, 'ready')}
                  data-testid="btn-row-ready">{t('agent.ready')}</button>
          <button class="small" disabled={busy || out || a.state === 'not_ready'} onClick={() => act(a, 'not-ready')}
                  data-testid="btn-row-notready">{t('agent.notReady')}</button>
          <button class="small ghost" disabled={busy || out} onClick={() => act(a, 'logout')}
                  data-testid="btn-row-logout">{t('agent.logout')}</button>
          {call && !mode ? (
            <button class="small" data-testid="btn-listen" onClick={() => monitor(call, 'listen')}>{t('mon.listen')}</button>
          ) : null}
          {call && mode ? (
            <span class="monitor" data-testid="monitor" data-mode={mode}>
              {['listen', 'whisper', 'barge'].map((m) => (
                <button key={m} class={'small' + (m === mode ? ' primary' : '')} aria-pressed={m === mode}
                        data-testid={'btn-' + m} onClick={() => monitor(call, m)}>{t('mon.' + m)}</button>
              ))}
              <button class="small ghost" data-testid="btn-monitor-stop" onClick={() => monitor(call, null)}>
                {t('mon.stop')}
              </button>
            </span>
          ) : null}
        </td>
      </tr>
    );
  }
}

function AgentGrid({ t, agents, act, busyId, monitors, monitor, open, labels }) {
  const ref = useRef(null);
  // Time-in-state cells are written directly once a second: 1,000 rows do not re-render.
  const tick = useCallback(() => {
    if (!ref.current) return;
    const now = Date.now();
    for (const td of ref.current.querySelectorAll('td[data-since]')) {
      const s = fmtDuration(since(td.dataset.since, now));
      if (td.textContent !== s) td.textContent = s;
    }
  }, []);
  useEffect(() => {
    const id = setInterval(tick, 1000);
    return () => clearInterval(id);
  }, []);
  useEffect(tick);
  return (
    <div class="grid-wrap card">
      <table class="grid" ref={ref} data-testid="agent-grid">
        <caption class="sr-only">{t('wb.grid')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('wb.agent')}</th>
            <th scope="col">{t('wb.state')}</th>
            <th scope="col">{t('wb.inState')}</th>
            <th scope="col">{t('wb.current')}</th>
            <th scope="col"><span class="sr-only">{t('wb.actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          {agents.map((a) => (
            <AgentRow key={a.id} a={a} t={t} act={act} busy={busyId === a.id} monitor={monitor} open={open} labels={labels}
                      mode={monitors[(a.interactions || [])[0]]} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Supervisor({ big }) {
  const { me, t, stream, navigate, locale } = useApp();
  const [teams, setTeams] = useState([]);
  const [team, setTeam] = useState(() => new URLSearchParams(location.search).get('team') || (me.team ? String(me.team) : ''));
  const [agents, setAgents] = useState([]);
  const [board, setBoard] = useState(null);
  const [fetchedAt, setFetchedAt] = useState(Date.now());
  const [reasons, setReasons] = useState([]);
  const [reason, setReason] = useState('');
  const [busyId, setBusyId] = useState(0);
  const [error, setError] = useState('');
  const [queueCfg, setQueueCfg] = useState({});
  const teamRef = useRef(team);
  teamRef.current = team;
  const pending = useRef(new Map());
  const frame = useRef(0);
  const boardTimer = useRef(0);
  const lastBoard = useRef(0);

  const loadAgents = useCallback(async () => {
    const q = teamRef.current ? `?team=${teamRef.current}` : '';
    const list = await api.get('/api/agents' + q);
    list.sort((a, b) => a.name.localeCompare(b.name));
    setAgents(list);
    return list;
  }, []);

  const loadBoard = useCallback(async () => {
    lastBoard.current = Date.now();
    try {
      let b = await getOptional('/api/wallboard');
      if (!b) {
        const [qs, ags] = await Promise.all([api.get('/api/queues'), api.get('/api/agents')]);
        b = wallboardFromQueues(qs, ags);
      }
      setBoard(b);
      setFetchedAt(Date.now());
      setError('');
    } catch (e) {
      if (e.status !== 401) setError(e.message);
    }
  }, []);

  // At most one wallboard read per second while events arrive.
  const boardSoon = useCallback(() => {
    if (boardTimer.current) return;
    const wait = Math.max(0, 1000 - (Date.now() - lastBoard.current));
    boardTimer.current = setTimeout(() => {
      boardTimer.current = 0;
      loadBoard();
    }, wait);
  }, []);

  const flush = useCallback(() => {
    frame.current = 0;
    const p = pending.current;
    if (!p.size) return;
    pending.current = new Map();
    setAgents((list) => list.map((a) => (p.has(a.id) ? p.get(a.id).reduce((x, f) => f(x), a) : a)));
  }, []);

  useEffect(() => {
    api.get('/api/teams').then(setTeams).catch(() => {});
    api.get('/api/reasons').then((r) => {
      const en = r.filter((x) => x.enabled);
      setReasons(en);
      setReason((en.find((x) => x.code === 'meeting') || en[0] || {}).code || '');
    }).catch(() => {});
    api.get('/api/queues').then((qs) => {
      const m = {};
      qs.forEach((q) => (m[q.id] = q));
      setQueueCfg(m);
    }).catch(() => {});
    loadAgents().catch((e) => setError(e.message));
    loadBoard();
    const periodic = setInterval(() => Date.now() - lastBoard.current > 4500 && loadBoard(), 5000);
    const offEv = stream.on((ev) => {
      const d = ev.data || {};
      const patch = (id, f) => {
        pending.current.set(id, [...(pending.current.get(id) || []), f]);
        if (!frame.current) frame.current = requestAnimationFrame(flush);
      };
      const drop = (a, i) => ({ ...a, interactions: (a.interactions || []).filter((x) => x !== i) });
      switch (ev.type) {
        case 'agent.state_changed':
          patch(d.agent, (a) => ({ ...a, state: d.to, reason: d.reason, state_since: ev.at }));
          break;
        case 'offer.created':
          for (const id of d.agents || []) patch(id, (a) => ({ ...a, offer: d.interaction }));
          break;
        case 'offer.revoked':
        case 'offer.timed_out':
        case 'offer.rejected':
          patch(d.agent, (a) => (a.offer === d.interaction ? { ...a, offer: null } : a));
          break;
        case 'offer.accepted':
          patch(d.agent, (a) => ({ ...a, offer: null, interactions: [...drop(a, d.interaction).interactions, d.interaction] }));
          break;
        case 'interaction.ended':
          if (d.agent) patch(d.agent, (a) => drop(a, d.interaction));
          break;
        case 'interaction.transferred':
          if (d.from_agent) patch(d.from_agent, (a) => drop(a, d.interaction));
          agentsSoon();
          break;
      }
      boardSoon();
    });
    const offSt = stream.onStatus((s) => {
      if (s === 'resync') {
        loadAgents().catch(() => {});
        loadBoard();
      }
    });
    return () => {
      clearInterval(periodic);
      clearTimeout(boardTimer.current);
      cancelAnimationFrame(frame.current);
      offEv();
      offSt();
    };
  }, []);

  // Current interactions come with the agent list: re-read it at most 1/s.
  const agentsTimer = useRef(0);
  function agentsSoon() {
    if (agentsTimer.current) return;
    agentsTimer.current = setTimeout(() => {
      agentsTimer.current = 0;
      loadAgents().catch(() => {});
    }, 500);
  }

  const changeTeam = (v) => {
    setTeam(v);
    teamRef.current = v;
    const url = (big ? '/wall' : '/wallboard') + (v ? `?team=${v}` : '');
    history.replaceState(null, '', url);
    loadAgents().catch((e) => setError(e.message));
  };

  // Supervisor monitoring of a live call (interaction id -> mode while on).
  const [monitors, setMonitors] = useState({});
  const monitor = async (iid, mode) => {
    setError('');
    try {
      if (mode) await api.post(`/api/interactions/${iid}/monitor`, { mode });
      else await api.del(`/api/interactions/${iid}/monitor`);
      setMonitors((m) => ({ ...m, [iid]: mode || undefined }));
    } catch (e) {
      setError(`#${iid}: ${e.message}`);
      if (e.status === 404) setMonitors((m) => ({ ...m, [iid]: undefined }));
    }
  };

  // A current interaction's page (facts, recordings, history); a modified click opens a new tab.
  const open = (e, iid) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate('/interactions/' + iid);
  };

  const act = async (a, what) => {
    setBusyId(a.id);
    setError('');
    try {
      await api.post(`/api/agents/${a.id}/${what}`, what === 'not-ready' && reason ? { reason } : undefined);
    } catch (e) {
      setError(`${a.name}: ${e.message}`);
    } finally {
      setBusyId(0);
    }
  };

  // Not-ready reasons by their label, as the agent's own desktop shows them (the code if unknown).
  const reasonLabels = useMemo(() => Object.fromEntries(reasons.map((r) => [r.code, r.label])), [reasons]);
  const teamObj = teams.find((x) => String(x.id) === String(team));
  const queues = ((board && board.queues) || []).filter((q) => !teamObj || teamObj.queues.includes(q.id));
  const counts = {};
  for (const a of agents) counts[a.state] = (counts[a.state] || 0) + 1;

  return (
    <main id="main" class={'page supervisor' + (big ? ' big' : '')} data-testid={big ? 'wall' : 'wallboard'}>
      <div class="toolbar">
        <h1>{big ? (teamObj ? teamObj.name : t('wb.title')) : t('wb.title')}</h1>
        {!big && (
          <>
            <label for="team-filter">{t('wb.team')}</label>
            <select id="team-filter" value={team} onChange={(e) => changeTeam(e.currentTarget.value)}>
              <option value="">{t('wb.allTeams')}</option>
              {teams.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
            </select>
            <label for="force-reason">{t('wb.forceReason')}</label>
            <select id="force-reason" value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
              {reasons.map((r) => <option key={r.code} value={r.code}>{r.label}</option>)}
            </select>
          </>
        )}
        <span class="spacer" />
        <Clock locale={locale} />
        {big ? (
          <button class="ghost small" onClick={() => navigate('/wallboard' + (team ? `?team=${team}` : ''))}>{t('wb.exitBig')}</button>
        ) : (
          <button onClick={() => navigate('/wall' + (team ? `?team=${team}` : ''))} data-testid="btn-big">{t('wb.big')}</button>
        )}
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {board && board.fallback && !big && <p class="muted small">{t('wb.fallback')}</p>}
      <section class="tiles" aria-label={t('wb.queues')} aria-live="off">
        {queues.map((q) => (
          <QueueTile key={q.id} t={t} locale={locale} q={q} fetchedAt={fetchedAt} target={queueCfg[q.id]?.sl_target ?? q.sl_target} />
        ))}
      </section>
      <section class="summary" aria-label={t('wb.agentsByState')} data-testid="state-summary">
        {STATES.map((s) => (
          <span key={s} class="sum" data-state={s}><span class="dot" aria-hidden="true" />{t('state.' + s)} <b>{counts[s] || 0}</b></span>
        ))}
      </section>
      <AgentGrid t={t} agents={agents} act={act} busyId={busyId} monitors={monitors} monitor={monitor} open={open}
                 labels={reasonLabels} />
    </main>
  );
}

function Clock({ locale }) {
  const now = useTick(1000);
  return <time class="clock" dateTime={new Date(now).toISOString()}>{new Date(now).toLocaleTimeString(locale)}</time>;
}
