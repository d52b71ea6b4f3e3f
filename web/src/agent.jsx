// The agent desktop: state bar, incoming offer (rings, screen pop), the
// active interaction's workspace (customer, history, notes, transfer,
// wrap-up with a countdown). Live over the event stream; re-fetched after
// every reconnection.
import { useEffect, useRef, useState, useCallback } from 'preact/hooks';
import { api } from './api.js';
import { Chat } from './chat.jsx';
import { useApp } from './ctx.js';
import { fmtDateTime, fmtDuration, since, useTick, ring, unlockAudio, useLatest } from './util.js';

const HELD = new Set(['connected', 'wrap_up', 'wrapup']);

function mentionsAgent(ev, id) {
  const d = ev.data || {};
  return d.agent === id || d.from_agent === id || d.to_agent === id || (Array.isArray(d.agents) && d.agents.includes(id));
}

function StatePill({ t, state, reason, sinceIso }) {
  const now = useTick(1000);
  return (
    <div class="state-pill" data-state={state} data-testid="agent-state">
      <span class="dot" aria-hidden="true" />
      <strong>{t('state.' + state)}</strong>
      {state === 'not_ready' && reason && <span class="reason">· {reason}</span>}
      <span class="timer" aria-label={t('agent.timeInState')} data-testid="time-in-state">{fmtDuration(since(sinceIso, now))}</span>
    </div>
  );
}

function StateBar({ t, agent, reasons, act, busy }) {
  const [reason, setReason] = useState('');
  const enabled = reasons.filter((r) => r.enabled);
  useEffect(() => {
    if (!reason && enabled.length) setReason(enabled[0].code);
  }, [enabled.length]);
  const st = agent.state;
  const out = st === 'logged_out';
  return (
    <section class="statebar card" aria-label={t('agent.stateBar')} data-testid="statebar">
      <StatePill t={t} state={st} reason={labelOf(reasons, agent.reason)} sinceIso={agent.state_since} />
      <div class="actions">
        {out ? (
          <button class="primary" disabled={busy} onClick={() => act('login')} data-testid="btn-login">{t('agent.login')}</button>
        ) : (
          <>
            <button class="ready" disabled={busy || st === 'ready' || st === 'reserved' || st === 'busy'} onClick={() => act('ready')}
                    aria-keyshortcuts="Alt+R" data-testid="btn-ready">{t('agent.ready')} <kbd>Alt+R</kbd></button>
            <span class="group">
              <label for="nr-reason" class="sr-only">{t('agent.reason')}</label>
              <select id="nr-reason" value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
                {enabled.map((r) => <option key={r.code} value={r.code}>{r.label}</option>)}
              </select>
              <button disabled={busy} onClick={() => act('not-ready', reason)} aria-keyshortcuts="Alt+N"
                      data-testid="btn-notready">{t('agent.notReady')} <kbd>Alt+N</kbd></button>
            </span>
            <button class="ghost" disabled={busy} onClick={() => act('logout')} data-testid="btn-logout">{t('agent.logout')}</button>
          </>
        )}
      </div>
    </section>
  );
}

function labelOf(list, code) {
  const r = list.find((x) => x.code === code);
  return r ? r.label : code;
}

function CustomerCard({ t, locale, card, from, compact }) {
  if (!card) {
    return (
      <div class="customer unknown" data-testid="customer-card">
        <h3>{t('customer.unknown')}</h3>
        <p>{from || '–'}</p>
      </div>
    );
  }
  const open = (card.history || []).filter((h) => !h.ended);
  return (
    <div class="customer" data-testid="customer-card">
      <h3>
        {card.name} {card.segment && <span class={'segment seg-' + card.segment}>{segmentLabel(t, card.segment)}</span>}
      </h3>
      <dl class="facts">
        <dt>{t('customer.phones')}</dt>
        <dd>{(card.phones || []).join(', ') || '–'}</dd>
        {!compact && (
          <>
            <dt>{t('customer.emails')}</dt>
            <dd>{(card.emails || []).join(', ') || '–'}</dd>
            {card.notes && (
              <>
                <dt>{t('customer.notes')}</dt>
                <dd>{card.notes}</dd>
              </>
            )}
          </>
        )}
        <dt>{t('customer.open')}</dt>
        <dd>{open.length}</dd>
        <dt>{t('customer.last')}</dt>
        <dd>{card.history && card.history.length ? fmtDateTime(card.history[0].created, locale) : t('customer.none')}</dd>
      </dl>
    </div>
  );
}

// The CRM's segment code in the UI's language; a segment this UI does not know as it is.
function segmentLabel(t, seg) {
  return t.has('segment.' + seg) ? t('segment.' + seg) : seg;
}

function History({ t, locale, card, dispositions }) {
  const h = (card && card.history) || [];
  return (
    <section aria-labelledby="hist-title">
      <h3 id="hist-title">{t('customer.history')}</h3>
      {h.length === 0 ? (
        <p class="muted">{t('customer.none')}</p>
      ) : (
        <ol class="timeline">
          {h.map((x) => (
            <li key={x.id}>
              <time dateTime={x.created}>{fmtDateTime(x.created, locale)}</time>
              <span class={'chan chan-' + x.channel}>{t('channel.' + x.channel)}</span>
              <span>{x.disposition ? labelOf(dispositions, x.disposition) : t('istate.' + x.state)}</span>
              {x.notes && <p class="note">{x.notes}</p>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Offer({ t, locale, it, queues, expires, act, busy }) {
  const now = useTick(1000);
  const q = queues[it.queue];
  const left = expires ? Math.max(0, (Date.parse(expires) - now) / 1000) : null;
  return (
    <section class="offer card" aria-labelledby="offer-title" data-testid="offer">
      <div class="offer-head">
        <h2 id="offer-title">
          <svg class="ringing" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"/></svg> {t('offer.title', { channel: t('channel.' + it.channel) })}
        </h2>
        <dl class="facts inline">
          <dt>{t('offer.queue')}</dt>
          <dd data-testid="offer-queue">{q ? q.name : '#' + it.queue}</dd>
          <dt>{t('offer.wait')}</dt>
          <dd>{fmtDuration(since(it.enqueued, now))}</dd>
          {left != null && (
            <>
              <dt>{t('offer.expires')}</dt>
              <dd>{fmtDuration(left)}</dd>
            </>
          )}
        </dl>
      </div>
      <CustomerCard t={t} locale={locale} card={it.customer_card} from={it.from} compact />
      <div class="actions">
        <button class="primary big" disabled={busy} onClick={() => act('accept', it.id)} aria-keyshortcuts="Alt+A"
                data-testid="btn-accept">{t('offer.accept')} <kbd>Alt+A</kbd></button>
        <button class="danger" disabled={busy} onClick={() => act('reject', it.id)} aria-keyshortcuts="Alt+J"
                data-testid="btn-reject">{t('offer.reject')} <kbd>Alt+J</kbd></button>
      </div>
    </section>
  );
}

// Call controls of a live phone call (voice, connected): hold, recording pause
// for card numbers, and a consultative transfer to the agent chosen in the
// transfer form. The server answers with the call's state ({held, consult}).
// Click-to-call: the agent's own phone rings first, then the customer is
// called through the trunk (POST /api/calls); the call then appears as an
// interaction like any other.
function ClickToCall({ t, refresh }) {
  const [to, setTo] = useState('');
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  const call = async (e) => {
    e.preventDefault();
    setBusy(true);
    setErr('');
    try {
      await api.post('/api/calls', { to: to.trim() });
      setTo('');
      await refresh();
    } catch (x) {
      setErr(x.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="click-to-call" onSubmit={call} noValidate data-testid="click-to-call">
      <label for="ctc-to">{t('call.dial')}</label>
      <input id="ctc-to" type="tel" value={to} onInput={(e) => setTo(e.currentTarget.value)} placeholder="+48 600 100 200"
             aria-invalid={err ? 'true' : undefined} />
      <button type="submit" disabled={busy || !to.trim()}>{t('call.dialGo')}</button>
      {err && <p class="error field-error" role="alert">{err}</p>}
    </form>
  );
}

function CallControls({ t, it, consultTo }) {
  const [st, setSt] = useState({ held: false, consult: null, paused: false });
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  const post = async (path, body, update) => {
    setBusy(true);
    setErr('');
    try {
      const r = await api.post(`/api/interactions/${it.id}/${path}`, body);
      setSt((s) => update(s, r || {}));
    } catch (e) {
      setErr(e.message);
    } finally {
      setBusy(false);
    }
  };
  const call = (s, r) => ({ ...s, held: !!r.held, consult: r.consult || null });
  return (
    <div class="card call-controls" data-testid="call-controls">
      <h3>{t('call.title')}{st.held && <span class="badge" data-testid="call-held"> {t('call.onHold')}</span>}</h3>
      <div class="actions">
        {!st.consult && (
          <button disabled={busy} data-testid="btn-hold"
                  onClick={() => post(st.held ? 'resume' : 'hold', {}, call)}>
            {st.held ? t('call.resume') : t('call.hold')}
          </button>
        )}
        <button disabled={busy} data-testid="btn-rec" data-paused={st.paused ? "true" : "false"}
                onClick={() => post(`recording/${st.paused ? 'resume' : 'pause'}`, {}, (s, r) => ({ ...s, paused: !!r.paused }))}>
          {st.paused ? t('call.recResume') : t('call.recPause')}
        </button>
        {!st.consult && (
          <button disabled={busy || !consultTo} data-testid="btn-consult" title={consultTo ? '' : t('call.pickAgent')}
                  onClick={() => post('consult', { agent: Number(consultTo) }, call)}>
            {t('call.consult')}
          </button>
        )}
        {st.consult && (
          <>
            <button class="primary" disabled={busy} data-testid="btn-consult-complete"
                    onClick={() => post('consult/complete', {}, (s) => ({ ...s, consult: null }))}>
              {t('call.consultComplete')}
            </button>
            <button disabled={busy} data-testid="btn-consult-cancel" onClick={() => post('consult/cancel', {}, call)}>
              {t('call.consultCancel')}
            </button>
          </>
        )}
      </div>
      {st.paused && <p class="hint">{t('call.recPaused')}</p>}
      {st.consult && <p class="hint">{t('call.consulting')}</p>}
      {err && <p class="error" role="alert">{err}</p>}
    </div>
  );
}

function Workspace({ t, locale, it, agent, queues, dispositions, act, busy, error }) {
  const now = useTick(1000);
  const noteKey = 'sb.notes.' + it.id;
  const [notes, setNotes] = useState(() => localStorage.getItem(noteKey) || '');
  const [disp, setDisp] = useState('');
  const [tq, setTq] = useState('');
  const [ta, setTa] = useState('');
  const [agents, setAgents] = useState([]);
  const [cbAt, setCbAt] = useState('');
  const [cbMine, setCbMine] = useState(true);
  const [cbDone, setCbDone] = useState('');
  useEffect(() => {
    api.get('/api/agents/directory').then((list) => setAgents(list.filter((a) => a.id !== agent.id))).catch(() => {});
  }, [agent.id]);
  // Draft notes are saved on the server too (debounced), so another desk or a reload keeps them.
  useEffect(() => {
    const id = setTimeout(() => {
      if (notes) api.patch(`/api/interactions/${it.id}`, { notes }).catch(() => {});
    }, 800);
    return () => clearTimeout(id);
  }, [notes, it.id]);
  const q = queues[it.queue];
  const wrap = it.state === 'wrap_up' || it.state === 'wrapup';
  const left = wrap && agent.wrapup_ends ? Math.max(0, (Date.parse(agent.wrapup_ends) - now) / 1000) : null;
  const saveNotes = (v) => {
    setNotes(v);
    if (v) localStorage.setItem(noteKey, v);
    else localStorage.removeItem(noteKey);
  };
  const err = (f) => (error && error.target === it.id && error.field === f ? error.message : '');
  const complete = (e) => {
    e.preventDefault();
    act('complete', it.id, { disposition: disp, notes }).then((ok) => ok && localStorage.removeItem(noteKey));
  };
  const transfer = (e) => {
    e.preventDefault();
    act('transfer', it.id, ta ? { agent: Number(ta) } : { queue: Number(tq) });
  };
  const scheduleCallback = (e) => {
    e.preventDefault();
    const when = cbAt ? new Date(cbAt) : null;
    const at = when && !isNaN(when) ? when.toISOString() : cbAt;
    act('schedule-callback', it.id, { at, mine: cbMine, notes }).then((ok) => ok && setCbDone(when && !isNaN(when) ? fmtDateTime(when, locale) : at));
  };
  return (
    <section class="workspace" aria-labelledby={'ws-' + it.id} data-testid="workspace" data-state={it.state}>
      <header class="ws-head card">
        <h2 id={'ws-' + it.id}>
          {t('channel.' + it.channel)} · {q ? q.name : '#' + it.queue} · {it.customer_card ? it.customer_card.name : it.from}
        </h2>
        <span class="badge" data-state={it.state}>{t('istate.' + it.state)}</span>
        <span class="timer" aria-label={t('ws.handle')}>{fmtDuration(since(it.answered || it.enqueued, now))}</span>
        {!wrap && (
          <button disabled={busy} onClick={() => act('end', it.id)} aria-keyshortcuts="Alt+E" data-testid="btn-end">
            {t('ws.end')} <kbd>Alt+E</kbd>
          </button>
        )}
      </header>
      <div class="ws-grid">
        <div class="card">
          {(it.channel === 'chat' || it.channel === 'sms') && <Chat t={t} it={it} />}
          <CustomerCard t={t} locale={locale} card={it.customer_card} from={it.from} />
          <History t={t} locale={locale} card={it.customer_card} dispositions={dispositions} />
        </div>
        <div class="col">
          <form class={'card wrapup' + (wrap ? ' active' : '')} onSubmit={complete} noValidate data-testid="wrapup-form">
            <h3>
              {t('ws.wrapup')}{' '}
              {left != null && (
                <span class={'countdown' + (left < 10 ? ' urgent' : '')} role="timer" data-testid="wrapup-countdown">
                  {t('ws.left', { time: fmtDuration(left) })}
                </span>
              )}
            </h3>
            <label for={'notes-' + it.id}>{t('ws.notes')}</label>
            <textarea id={'notes-' + it.id} rows="4" value={notes} onInput={(e) => saveNotes(e.currentTarget.value)} />
            {err('notes') && <p class="error field-error">{err('notes')}</p>}
            <label for={'disp-' + it.id}>{t('ws.disposition')}</label>
            <select id={'disp-' + it.id} value={disp} onChange={(e) => setDisp(e.currentTarget.value)}
                    aria-invalid={err('disposition') ? 'true' : undefined}
                    aria-describedby={err('disposition') ? 'disp-err-' + it.id : undefined} data-testid="disposition">
              <option value="">{t('ws.choose')}</option>
              {dispositions.filter((d) => d.enabled).map((d) => <option key={d.code} value={d.code}>{d.label}</option>)}
            </select>
            {err('disposition') && <p class="error field-error" id={'disp-err-' + it.id}>{err('disposition')}</p>}
            <button class="primary" type="submit" disabled={busy} aria-keyshortcuts="Alt+W" data-testid="btn-complete">
              {t('ws.complete')}
            </button>
          </form>
          {it.channel === 'voice' && it.state === 'connected' && <CallControls t={t} it={it} consultTo={ta} />}
          {!wrap && (
            <form class="card transfer" onSubmit={transfer} noValidate>
              <h3>{t('ws.transfer')}</h3>
              <div class="row2">
                <span>
                  <label for={'tq-' + it.id}>{t('ws.toQueue')}</label>
                  <select id={'tq-' + it.id} value={tq} onChange={(e) => { setTq(e.currentTarget.value); setTa(''); }}>
                    <option value="">–</option>
                    {Object.values(queues).filter((x) => x.enabled !== false).map((x) => (
                      <option key={x.id} value={x.id}>{x.name}</option>
                    ))}
                  </select>
                </span>
                <span>
                  <label for={'ta-' + it.id}>{t('ws.toAgent')}</label>
                  <select id={'ta-' + it.id} value={ta} onChange={(e) => { setTa(e.currentTarget.value); setTq(''); }}
                          data-testid="transfer-agent">
                    <option value="">–</option>
                    {agents.map((a) => (
                      <option key={a.id} value={a.id}>
                        {a.name}{a.role === 'supervisor' ? ' · ' + t('ws.supervisor') : ''} ({t('state.' + a.state)})
                      </option>
                    ))}
                  </select>
                </span>
              </div>
              {(err('queue') || err('agent')) && <p class="error field-error">{err('queue') || err('agent')}</p>}
              <button type="submit" disabled={busy || (!tq && !ta)}>{t('ws.transferGo')}</button>
            </form>
          )}
          <form class="card callback" onSubmit={scheduleCallback} noValidate data-testid="callback-form">
            <h3>{t('ws.callback')}</h3>
            <label for={'cb-' + it.id}>{t('ws.callbackAt')}</label>
            <input id={'cb-' + it.id} type="datetime-local" value={cbAt} onInput={(e) => setCbAt(e.currentTarget.value)}
                   aria-invalid={err('at') ? 'true' : undefined} data-testid="callback-at" />
            {err('at') && <p class="error field-error">{err('at')}</p>}
            {err('number') && <p class="error field-error">{err('number')}</p>}
            <label class="check">
              <input type="checkbox" checked={cbMine} onChange={(e) => setCbMine(e.currentTarget.checked)} />
              {t('ws.callbackMine')}
            </label>
            <button type="submit" disabled={busy || !cbAt}>{t('ws.callbackGo')}</button>
            {cbDone && <p class="ok" role="status" data-testid="callback-done">{t('ws.callbackDone', { time: cbDone })}</p>}
          </form>
        </div>
      </div>
    </section>
  );
}

export function AgentDesktop() {
  const { me, t, stream, locale } = useApp();
  const [agent, setAgent] = useState(null);
  const [items, setItems] = useState({}); // interaction id -> detail
  const [reasons, setReasons] = useState([]);
  const [dispositions, setDispositions] = useState([]);
  const [queues, setQueues] = useState({});
  const [expires, setExpires] = useState({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [announce, setAnnounce] = useState('');
  const running = useRef(null);
  const again = useRef(false);

  // One refresh at a time; events during a refresh cause one more.
  const refresh = useCallback(async () => {
    if (running.current) {
      again.current = true;
      return running.current;
    }
    running.current = (async () => {
      do {
        again.current = false;
        try {
          const a = await api.get(`/api/agents/${me.id}`);
          const ids = [...(a.offer ? [a.offer] : []), ...(a.interactions || [])];
          const details = await Promise.all(ids.map((i) => api.get(`/api/interactions/${i}`).catch(() => null)));
          const next = {};
          details.forEach((d) => d && (next[d.id] = d));
          setAgent(a);
          setItems(next);
        } catch (e) {
          if (e.status !== 401) setError({ message: e.message });
        }
      } while (again.current);
      running.current = null;
    })();
    return running.current;
  }, [me.id]);

  const loadRef = useCallback(async () => {
    const [r, d, q] = await Promise.all([
      api.get('/api/reasons').catch(() => []),
      api.get('/api/dispositions').catch(() => []),
      api.get('/api/queues').catch(() => []),
    ]);
    setReasons(r);
    setDispositions(d);
    const m = {};
    q.forEach((x) => (m[x.id] = x));
    setQueues(m);
  }, []);

  useEffect(() => {
    loadRef();
    refresh();
    const offEv = stream.on((ev) => {
      if (!mentionsAgent(ev, me.id)) return;
      if (ev.type === 'offer.created' && ev.data.expires)
        setExpires((x) => ({ ...x, [ev.data.interaction]: ev.data.expires }));
      refresh();
    });
    const offSt = stream.onStatus((s) => {
      if (s === 'resync') {
        loadRef();
        refresh();
      }
    });
    return () => {
      offEv();
      offSt();
    };
  }, []);

  const offerId = agent && agent.offer;
  const offer = offerId ? items[offerId] : null;

  // Ring while an offer is pending; announce it to screen readers.
  useEffect(() => {
    if (!offerId) return;
    setAnnounce(t('offer.announce', { channel: offer ? t('channel.' + offer.channel) : '' }));
    ring();
    const id = setInterval(ring, 2500);
    return () => clearInterval(id);
  }, [offerId]);

  const act = async (what, id, body) => {
    unlockAudio();
    setBusy(true);
    setError(null);
    try {
      if (['login', 'ready', 'logout'].includes(what)) await api.post(`/api/agents/${me.id}/${what}`);
      else if (what === 'not-ready') await api.post(`/api/agents/${me.id}/not-ready`, id ? { reason: id } : undefined);
      else await api.post(`/api/interactions/${id}/${what}`, body);
      await refresh();
      return true;
    } catch (e) {
      setError({ message: e.message, field: e.field, target: id });
      return false;
    } finally {
      setBusy(false);
    }
  };
  const actRef = useLatest({ act, agent, offerId, items, reasons });

  // Keyboard shortcuts (Alt + letter, by physical key so any layout works).
  useEffect(() => {
    const k = (e) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const { act, agent, offerId, items } = actRef.current;
      if (!agent) return;
      const held = Object.values(items).filter((x) => HELD.has(x.state));
      const first = held[0];
      const map = {
        KeyA: () => offerId && act('accept', offerId),
        KeyJ: () => offerId && act('reject', offerId),
        KeyR: () => agent.state !== 'logged_out' && act('ready'),
        KeyN: () => act('not-ready', document.getElementById('nr-reason')?.value),
        KeyE: () => first && first.state === 'connected' && act('end', first.id),
        KeyW: () => first && document.getElementById('disp-' + first.id)?.focus(),
        KeyT: () => first && document.getElementById('tq-' + first.id)?.focus(),
      };
      const f = map[e.code];
      if (f) {
        e.preventDefault();
        f();
      }
    };
    addEventListener('keydown', k);
    return () => removeEventListener('keydown', k);
  }, []);

  if (!agent) return <main id="main" class="page"><p role="status">{t('common.loading')}</p></main>;
  const held = Object.values(items).filter((x) => x.id !== offerId);
  return (
    <main id="main" class="page desktop">
      <h1 class="sr-only">{t('nav.desktop')}</h1>
      <StateBar t={t} agent={agent} reasons={reasons} act={act} busy={busy} />
      <div class="sr-only" aria-live="assertive" role="alert">{announce && offerId ? announce : ''}</div>
      {error && !error.field && (
        <p class="error banner-error" role="alert">
          {error.message} <button class="link" onClick={() => setError(null)}>{t('common.dismiss')}</button>
        </p>
      )}
      {offer && <Offer t={t} locale={locale} it={offer} queues={queues} expires={expires[offer.id] || (agent && agent.offer === offer.id ? agent.offer_expires : null)} act={act} busy={busy} />}
      {held.map((it) => (
        <Workspace key={it.id} t={t} locale={locale} it={it} agent={agent} queues={queues} dispositions={dispositions} act={act}
                   busy={busy} error={error} />
      ))}
      {!offer && held.length === 0 && (
        <section class="idle card" aria-live="polite">
          <p>{agent.state === 'ready' ? t('agent.waiting') : agent.state === 'logged_out' ? t('agent.loggedOutHint') : t('agent.notReadyHint')}</p>
          <p class="muted">{t('agent.keysHint')}</p>
          {agent.state === 'ready' && <ClickToCall t={t} refresh={refresh} />}
        </section>
      )}
    </main>
  );
}
