import { render } from 'preact';
import { useEffect, useState, useCallback } from 'preact/hooks';
import { api, session, ApiError } from './api.js';
import { AppCtx } from './ctx.js';
import { EventStream } from './stream.js';
import { makeT, pickLocale, isLoaded, loadLocale, LOCALES, LOCALE_NAMES } from './i18n.js';
import { unlockAudio, useTick } from './util.js';
import { AgentDesktop } from './agent.jsx';
import { Supervisor } from './supervisor.jsx';
import { Admin } from './admin.jsx';
import { Reports } from './reports.jsx';
import { Interactions } from './interactions.jsx';
import './styles.css';


const stream = new EventStream(() => session.token);

// The UI's language: the choice made in this browser's picker (per user once
// signed in, so a shared desk keeps each agent's own; on the login page the
// browser's), else the account's (/api/me `locale`, set by an admin), else
// the browser's language.
const LOCALE_KEY = 'sb.locale';
const choiceKey = (me) => (me ? `${LOCALE_KEY}.${me.id}` : LOCALE_KEY);
const storedChoice = (me) => {
  try {
    return localStorage.getItem(choiceKey(me)) || '';
  } catch {
    return '';
  }
};

function LanguagePicker({ t, locale, onPick, id }) {
  return (
    <span class="lang">
      <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
        <path fill="none" stroke="currentColor" stroke-width="1.6" d="M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18Zm-9 9h18M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9S9.5 5.6 12 3Z" />
      </svg>
      <label for={id} class="sr-only">{t('field.locale')}</label>
      <select id={id} value={locale} onChange={(e) => onPick(e.currentTarget.value)} data-testid="lang-picker">
        {LOCALES.map((l) => <option key={l} value={l} lang={l}>{LOCALE_NAMES[l]}</option>)}
      </select>
    </span>
  );
}

// What a role may open, from the permissions /api/me lists.
export function pagesFor(me) {
  const p = new Set(me.permissions || []);
  const pages = [];
  // Supervisors have a desktop too: they log in to take escalations and transfers.
  if (me.role === 'agent' || me.role === 'supervisor') pages.push('desktop');
  if (p.has('users.read') && p.has('events.stream_team')) pages.push('wallboard');
  if (p.has('users.write') || p.has('queues.write')) pages.push('admin');
  if (p.has('interactions.read_all') || p.has('interactions.read_own')) pages.push('interactions');
  if (p.has('reports.read')) pages.push('reports');
  return pages;
}

function homeFor(me) {
  const pages = pagesFor(me);
  if (me.role === 'supervisor' && pages.includes('wallboard')) return '/wallboard';
  if (me.role === 'analyst' && pages.includes('reports')) return '/reports';
  return '/' + (pages[0] || 'desktop');
}

function navigate(path, replace = false) {
  if (location.pathname + location.search === path) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

function usePath() {
  const [path, setPath] = useState(location.pathname + location.search);
  useEffect(() => {
    const f = () => setPath(location.pathname + location.search);
    addEventListener('popstate', f);
    return () => removeEventListener('popstate', f);
  }, []);
  return path;
}

function Login({ t, locale, onPick, onLoggedIn }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    unlockAudio();
    setBusy(true);
    setErr(null);
    try {
      const r = await api.post('/api/login', { login, password });
      session.set(r.token);
      await onLoggedIn();
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  const msg = err && (err.status === 401 || err.status === 403 ? t('login.bad') : err.message);
  return (
    <main class="login" id="main">
      <form class="card login-card" onSubmit={submit} noValidate aria-labelledby="login-title">
        <h1 id="login-title">
          <span class="logo" aria-hidden="true">☎</span> Switchboard
        </h1>
        <p class="muted">{t('login.intro')}</p>
        <label for="login-name">{t('login.name')}</label>
        <input id="login-name" name="login" autocomplete="username" value={login} autofocus
               onInput={(e) => setLogin(e.currentTarget.value)} aria-invalid={err ? 'true' : undefined} />
        <label for="login-password">{t('login.password')}</label>
        <input id="login-password" name="password" type="password" autocomplete="current-password" value={password}
               onInput={(e) => setPassword(e.currentTarget.value)} aria-invalid={err ? 'true' : undefined} />
        {msg && <p class="error" role="alert">{msg}</p>}
        <button class="primary" type="submit" disabled={busy}>{t('login.submit')}</button>
        <LanguagePicker t={t} locale={locale} onPick={onPick} id="login-lang" />
      </form>
    </main>
  );
}

function ConnectionBanner({ t }) {
  const [st, setSt] = useState({ s: stream.status, retryAt: 0, wasOpen: false });
  useEffect(
    () =>
      stream.onStatus((s, extra) => {
        if (s === 'resync') return;
        setSt((o) => ({ s, retryAt: extra?.retryAt || 0, wasOpen: o.wasOpen || s === 'open' }));
      }),
    [],
  );
  useTick(1000);
  if (stream.stopped) return null; // this role has no live stream
  if (st.s === 'open' || !st.wasOpen) return <span class="conn" data-state={st.s} title={t('conn.' + (st.s === 'open' ? 'live' : 'connecting'))} />;
  const secs = Math.max(0, Math.ceil((st.retryAt - Date.now()) / 1000));
  return (
    <div class="banner" role="status" data-testid="conn-banner">
      {st.s === 'connecting' ? t('conn.connecting') : t('conn.down', { count: secs })}{' '}
      <button class="link" onClick={() => stream.reconnectNow()}>{t('conn.retry')}</button>
    </div>
  );
}

function Help({ t, onClose }) {
  useEffect(() => {
    const prev = document.activeElement;
    document.getElementById('help-close')?.focus();
    const k = (e) => e.key === 'Escape' && onClose();
    addEventListener('keydown', k);
    return () => {
      removeEventListener('keydown', k);
      prev?.focus?.();
    };
  }, []);
  const rows = [
    ['Alt+A', 'keys.accept'], ['Alt+J', 'keys.reject'], ['Alt+R', 'keys.ready'], ['Alt+N', 'keys.notready'],
    ['Alt+E', 'keys.end'], ['Alt+W', 'keys.wrapup'], ['Alt+T', 'keys.transfer'], ['?', 'keys.help'],
  ];
  return (
    <div class="modal-back" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="modal card" role="dialog" aria-modal="true" aria-labelledby="help-title">
        <h2 id="help-title">{t('keys.title')}</h2>
        <table class="keys">
          <tbody>
            {rows.map(([k, m]) => (
              <tr key={k}><td><kbd>{k}</kbd></td><td>{t(m)}</td></tr>
            ))}
          </tbody>
        </table>
        <button id="help-close" onClick={onClose}>{t('common.close')}</button>
      </div>
    </div>
  );
}

function Shell({ me, t, locale, onPick, path, onLogout, children, bare }) {
  const [help, setHelp] = useState(false);
  useEffect(() => {
    const k = (e) => {
      const tag = (e.target.tagName || '').toLowerCase();
      if (e.key === '?' && !['input', 'textarea', 'select'].includes(tag)) {
        e.preventDefault();
        setHelp(true);
      }
    };
    addEventListener('keydown', k);
    return () => removeEventListener('keydown', k);
  }, []);
  const pages = pagesFor(me);
  const go = (e, p) => {
    e.preventDefault();
    navigate(p);
  };
  return (
    <div class={bare ? 'shell bare' : 'shell'}>
      <a class="skip" href="#main">{t('common.skip')}</a>
      {!bare && (
        <header class="top">
          <span class="brand"><span class="logo" aria-hidden="true">☎</span> Switchboard</span>
          <nav aria-label={t('nav.label')}>
            <ul>
              {pages.map((p) => (
                <li key={p}>
                  <a href={'/' + p} onClick={(e) => go(e, '/' + p)}
                     aria-current={path.startsWith('/' + p) ? 'page' : undefined}>{t('nav.' + p)}</a>
                </li>
              ))}
            </ul>
          </nav>
          <span class="spacer" />
          <ConnectionBanner t={t} />
          <button class="ghost" onClick={() => setHelp(true)} aria-label={t('keys.title')} title={t('keys.title')}>?</button>
          <LanguagePicker t={t} locale={locale} onPick={onPick} id="lang" />
          <span class="who">{me.name} <span class="muted">({t('role.' + me.role)})</span></span>
          <button class="ghost" onClick={onLogout}>{t('nav.logout')}</button>
        </header>
      )}
      {bare && <ConnectionBanner t={t} />}
      {children}
      {help && <Help t={t} onClose={() => setHelp(false)} />}
    </div>
  );
}

function App() {
  const path = usePath();
  const [me, setMe] = useState(null);
  const [loading, setLoading] = useState(!!session.token);
  const [choice, setChoice] = useState(() => storedChoice(null));
  const wanted = pickLocale(choice || (me && me.locale) || navigator.language);
  // The language on screen: `wanted` once its table has arrived. Until then the
  // one shown before stays (no flash of English on a switch); at start, nothing.
  const [prev, setPrev] = useState('');
  const locale = isLoaded(wanted) ? wanted : prev;
  useEffect(() => {
    let live = true;
    // A table slow to come (a stalled request) must not leave the page blank:
    // English (in the bundle) meanwhile, the language when it arrives.
    const slow = setTimeout(() => live && setPrev((l) => l || 'en'), 2000);
    loadLocale(wanted).then(
      () => live && setPrev(wanted),
      (e) => {
        console.warn(e);
        if (live) setPrev((l) => l || 'en');
      },
    );
    return () => {
      live = false;
      clearTimeout(slow);
    };
  }, [wanted]);
  const t = makeT(locale || 'en');

  // A choice equal to the account's language is no choice: the account's applies again.
  const pick = (l) => {
    const follow = !!me && l === pickLocale(me.locale);
    try {
      if (follow) localStorage.removeItem(choiceKey(me));
      else localStorage.setItem(choiceKey(me), l);
    } catch {
      /* storage may be off: the choice lasts for this page */
    }
    setChoice(follow ? '' : l);
  };

  const loadMe = useCallback(async () => {
    const m = await api.get('/api/me');
    // The user's table first, so the first page after sign-in is already in their language.
    await loadLocale(pickLocale(storedChoice(m) || m.locale)).catch(() => {});
    setChoice(storedChoice(m));
    setMe(m);
    if ((m.permissions || []).some((p) => p.startsWith('events.stream'))) stream.start();
    const p = location.pathname;
    if (p === '/' || p === '/login' || !pagesFor(m).some((x) => p.startsWith('/' + x) || (x === 'wallboard' && p === '/wall')))
      navigate(homeFor(m), true);
  }, []);

  const signedOut = useCallback(() => {
    stream.stop();
    session.set('');
    setMe(null);
    setChoice(storedChoice(null));
    navigate('/login', true);
  }, []);

  useEffect(() => {
    session.onUnauthorized(signedOut);
    if (session.token)
      loadMe()
        .catch((e) => {
          if (!(e instanceof ApiError) || e.status !== 401) console.warn(e);
          signedOut();
        })
        .finally(() => setLoading(false));
    else navigate('/login', true);
  }, []);

  useEffect(() => {
    if (locale) document.documentElement.lang = locale;
  }, [locale]);

  if (!locale) return null; // the first table is on its way (one request, same server; English after 2 s)
  if (loading) return <p class="loading" role="status">{t('common.loading')}</p>;
  if (!me) return <Login t={t} locale={locale} onPick={pick} onLoggedIn={loadMe} />;

  const logout = async () => {
    try {
      await api.post('/api/logout');
    } catch {
      /* the session may be gone already */
    }
    signedOut();
  };
  const ctx = { me, t, stream, navigate, locale };
  const big = path.startsWith('/wall') && !path.startsWith('/wallboard');
  let page;
  if (path.startsWith('/desktop')) page = <AgentDesktop />;
  else if (path.startsWith('/wall')) page = <Supervisor big={big} />;
  else if (path.startsWith('/admin')) page = <Admin path={path} />;
  else if (path.startsWith('/reports')) page = <Reports />;
  else if (path.startsWith('/interactions')) page = <Interactions path={path.split('?')[0]} />;
  else page = null;
  return (
    <AppCtx.Provider value={ctx}>
      <Shell me={me} t={t} locale={locale} onPick={pick} path={path} onLogout={logout} bare={big}>
        {page}
      </Shell>
    </AppCtx.Provider>
  );
}

render(<App />, document.getElementById('app'));
