// Admin: users, teams, skills, queues, disposition codes and not-ready
// reasons. One schema-driven list + form per resource; the server validates,
// and its error.field ("sl_target", "requirements[0].min_level", ...) puts
// the message next to the field (or the row) that caused it.
import { useEffect, useState, useCallback, useRef } from 'preact/hooks';
import { api } from './api.js';
import { useApp } from './ctx.js';
import { LOCALES, LOCALE_NAMES } from './i18n.js';
import { fieldError, fmtPercent, fmtSeconds, rowIndex } from './util.js';

const CHANNELS = ['voice', 'chat', 'email', 'sms', 'fax', 'callback', 'case'];
const STRATEGIES = ['longest_idle', 'most_skilled', 'least_occupied', 'round_robin', 'ring_all'];
const ROLES = ['agent', 'supervisor', 'admin', 'analyst'];
const KINDS = ['success', 'failure', 'refusal', 'neutral'];

// Each resource: where it lives, its list columns and its form fields.
function schemas(t, locale, ref) {
  const opt = (list, label = (x) => x.name) => () => list.map((x) => [String(x.id), label(x)]);
  const skillOpts = opt(ref.skills);
  return {
    users: {
      path: '/api/users',
      cols: [['login', (r) => r.login], ['name', (r) => r.name], ['role', (r) => t('role.' + r.role)],
             ['team', (r) => ref.teams.find((x) => x.id === r.team)?.name || '–'],
             ['locale', (r) => LOCALE_NAMES[r.locale] || r.locale]],
      toggle: 'disabled',
      fields: [
        { name: 'login', type: 'text', createOnly: true, autocomplete: 'off' },
        { name: 'name', type: 'text' },
        { name: 'role', type: 'select', options: () => ROLES.map((r) => [r, t('role.' + r)]) },
        { name: 'team', type: 'select', nullable: true, number: true, options: opt(ref.teams) },
        { name: 'locale', type: 'select', options: () => LOCALES.map((l) => [l, LOCALE_NAMES[l]]) },
        { name: 'password', type: 'password', hint: 'hint.password' },
        { name: 'skills', type: 'rows', cols: [{ name: 'skill', type: 'select', options: skillOpts, number: true },
                                              { name: 'level', type: 'number', min: 1, max: 10, def: 5 }] },
        { name: 'disabled', type: 'bool', editOnly: true },
      ],
      defaults: { role: 'agent', locale: 'en', skills: [] },
    },
    teams: {
      path: '/api/teams',
      cols: [['name', (r) => r.name], ['queues', (r) => r.queues.map((q) => ref.queues.find((x) => x.id === q)?.name || q).join(', ')]],
      fields: [
        { name: 'name', type: 'text' },
        { name: 'queues', type: 'checks', number: true, options: opt(ref.queues) },
      ],
      defaults: { queues: [] },
    },
    skills: {
      path: '/api/skills',
      cols: [['name', (r) => r.name], ['description', (r) => r.description]],
      fields: [{ name: 'name', type: 'text' }, { name: 'description', type: 'text' }],
      defaults: {},
    },
    queues: {
      path: '/api/queues',
      cols: [['name', (r) => r.name], ['channels', (r) => r.channels.map((c) => t('channel.' + c)).join(', ')],
             ['strategy', (r) => t('strategy.' + r.strategy)], ['sl', (r) => `${fmtPercent(r.sl_target, locale)} / ${fmtSeconds(r.sl_threshold, locale)}`]],
      toggle: 'enabled',
      fields: [
        { name: 'name', type: 'text' },
        { name: 'channels', type: 'checks', options: () => CHANNELS.map((c) => [c, t('channel.' + c)]) },
        { name: 'priority', type: 'number', hint: 'hint.priority' },
        { name: 'sl_threshold', type: 'number', hint: 'hint.seconds' },
        { name: 'sl_target', type: 'number', step: 'any', hint: 'hint.fraction' },
        { name: 'max_wait', type: 'number', hint: 'hint.maxWait' },
        { name: 'overflow_queue', type: 'select', nullable: true, number: true, options: opt(ref.queues) },
        { name: 'strategy', type: 'select', options: () => STRATEGIES.map((s) => [s, t('strategy.' + s)]) },
        { name: 'offer_timeout', type: 'number', hint: 'hint.seconds' },
        { name: 'wrapup', type: 'number', hint: 'hint.seconds' },
        { name: 'requirements', type: 'rows', cols: [{ name: 'skill', type: 'select', options: skillOpts, number: true },
                                                    { name: 'min_level', type: 'number', min: 1, max: 10, def: 1 }] },
        // One row per relaxed requirement; rows with the same "after" form one step.
        { name: 'relaxations', type: 'rows', pack: packRelaxations, unpack: unpackRelaxations,
          cols: [{ name: 'after', type: 'number', min: 1, def: 60 }, { name: 'skill', type: 'select', options: skillOpts, number: true },
                 { name: 'min_level', type: 'number', min: 1, max: 10, def: 1 }] },
        { name: 'utc_offset_minutes', type: 'number', hint: 'hint.utcOffset', skip: true,
          from: (rec) => (rec && rec.hours ? rec.hours.utc_offset_minutes : 0) },
        { name: 'hours', type: 'rows', hint: 'hint.hours', pack: packHours, unpack: unpackHours,
          cols: [{ name: 'weekday', type: 'select', number: true, options: () => [0, 1, 2, 3, 4, 5, 6].map((d) => [String(d), t('day.' + d)]) },
                 { name: 'start', type: 'time', def: '08:00' }, { name: 'end', type: 'time', def: '17:00' }] },
        { name: 'enabled', type: 'bool', editOnly: true },
      ],
      defaults: { channels: ['voice'], priority: 0, sl_threshold: 20, sl_target: 0.8, max_wait: 0, strategy: 'longest_idle',
                  offer_timeout: 20, wrapup: 30, requirements: [] },
    },
    dispositions: {
      path: '/api/dispositions',
      cols: [['code', (r) => r.code], ['label', (r) => r.label], ['kind', (r) => t('kind.' + r.kind)]],
      toggle: 'enabled',
      fields: [
        { name: 'code', type: 'text', createOnly: true, hint: 'hint.code' },
        { name: 'label', type: 'text' },
        { name: 'kind', type: 'select', options: () => KINDS.map((k) => [k, t('kind.' + k)]) },
      ],
      defaults: { kind: 'neutral' },
    },
    reasons: {
      path: '/api/reasons',
      cols: [['code', (r) => r.code], ['label', (r) => r.label]],
      toggle: 'enabled',
      fields: [{ name: 'code', type: 'text', createOnly: true, hint: 'hint.code' }, { name: 'label', type: 'text' }],
      defaults: {},
    },
  };
}

// Queue relaxations: the API takes steps [{after, requirements:[{skill, min_level}]}];
// the form shows one row per requirement.
function packRelaxations(rows) {
  const steps = new Map();
  for (const r of rows) {
    if (!steps.has(r.after)) steps.set(r.after, []);
    if (r.skill !== undefined && r.skill !== '') steps.get(r.after).push({ skill: r.skill, min_level: r.min_level });
  }
  return [...steps.entries()].sort((a, b) => a[0] - b[0]).map(([after, requirements]) => ({ after, requirements }));
}
function unpackRelaxations(steps) {
  const rows = [];
  for (const st of steps || []) {
    if (!st.requirements.length) rows.push({ after: st.after, skill: '', min_level: '' });
    for (const r of st.requirements) rows.push({ after: st.after, skill: r.skill, min_level: r.min_level });
  }
  return rows;
}
// Business hours: the API takes minutes after local midnight; the form shows HH:MM.
const hhmm = (m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const minutes = (s) => {
  const [h, m] = String(s || '').split(':').map(Number);
  return Number.isFinite(h) && Number.isFinite(m) ? h * 60 + m : undefined;
};
function packHours(rows, values) {
  const offset = Number(values.utc_offset_minutes) || 0;
  return {
    utc_offset_minutes: offset,
    open: rows.map((r) => ({ weekday: r.weekday, start_minute: minutes(r.start), end_minute: r.end === '00:00' ? 1440 : minutes(r.end) })),
  };
}
function unpackHours(hours) {
  return ((hours && hours.open) || []).map((w) => ({ weekday: w.weekday, start: hhmm(w.start_minute), end: hhmm(w.end_minute % 1440) }));
}

const TABS = ['users', 'teams', 'skills', 'queues', 'dispositions', 'reasons'];

function toBody(fields, values, editing) {
  const body = {};
  const num = (v) => (v === '' || v == null ? undefined : isNaN(Number(v)) ? v : Number(v));
  for (const f of fields) {
    if ((f.createOnly && editing) || (f.editOnly && !editing) || f.skip) continue;
    let v = values[f.name];
    if (f.type === 'password') {
      if (v) body.password = v;
      continue;
    }
    if (f.type === 'number') v = num(v);
    else if (f.type === 'select' && f.number) v = v === '' || v == null ? (f.nullable ? null : undefined) : Number(v);
    else if (f.type === 'checks' && f.number) v = (v || []).map(Number);
    else if (f.type === 'rows') {
      v = (v || []).map((r) => Object.fromEntries(f.cols.map((c) => [c.name, c.type === 'number' || c.number ? num(r[c.name]) : r[c.name]])));
      if (f.pack) v = f.pack(v, values);
    } else if (f.type === 'text' && v == null) v = undefined;
    if (v !== undefined) body[f.name] = v;
  }
  return body;
}

function fromRecord(fields, rec, defaults) {
  const v = {};
  for (const f of fields) {
    let x = f.from ? f.from(rec, defaults) : rec ? rec[f.name] : defaults[f.name];
    if (f.unpack) x = f.unpack(x);
    if (f.type === 'select' && f.number) x = x == null ? '' : String(x);
    else if (f.type === 'checks') x = (x || []).map(String);
    else if (f.type === 'rows') x = (x || []).map((r) => Object.fromEntries(f.cols.map((c) => [c.name, r[c.name] == null ? '' : String(r[c.name])])));
    else if (f.type === 'password') x = '';
    else if (f.type === 'bool') x = !!x;
    v[f.name] = x == null ? '' : x;
  }
  return v;
}

function FieldView({ t, res, f, value, set, err }) {
  const id = `f-${res}-${f.name}`;
  const msg = fieldError(err, f.name);
  const errId = id + '-err';
  const label = t(`field.${f.name}`);
  const common = { id, 'aria-invalid': msg ? 'true' : undefined, 'aria-describedby': [msg && errId, f.hint && id + '-hint'].filter(Boolean).join(' ') || undefined };
  const hint = f.hint && <small class="hint" id={id + '-hint'}>{t(f.hint)}</small>;
  const error = msg && <p class="error field-error" id={errId} data-field={f.name}>{msg}</p>;
  if (f.type === 'bool') {
    return (
      <div class="field check">
        <input type="checkbox" {...common} checked={!!value} onChange={(e) => set(e.currentTarget.checked)} />
        <label for={id}>{label}</label>
        {error}
      </div>
    );
  }
  if (f.type === 'checks') {
    const opts = f.options();
    return (
      <fieldset class="field checks" aria-describedby={msg ? errId : undefined} id={id}>
        <legend>{label}</legend>
        {opts.map(([v, l]) => (
          <label key={v} class="check-inline">
            <input type="checkbox" checked={value.includes(v)}
                   onChange={(e) => set(e.currentTarget.checked ? [...value, v] : value.filter((x) => x !== v))} /> {l}
          </label>
        ))}
        {error}
      </fieldset>
    );
  }
  if (f.type === 'rows') {
    const bad = rowIndex(err, f.name);
    const rows = value || [];
    const upd = (i, k, v) => set(rows.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
    return (
      <fieldset class="field rows" id={id}>
        <legend>{label}</legend>
        {hint}
        {rows.length === 0 && <p class="muted small">{t('admin.noRows')}</p>}
        {rows.map((r, i) => (
          <div class={'row' + (bad === i ? ' invalid' : '')} key={i} data-row={i}>
            {f.cols.map((c) => {
              const cid = `${id}-${i}-${c.name}`;
              const cellBad = err && err.field === `${f.name}[${i}].${c.name}`;
              return (
                <span key={c.name} class="cell">
                  <label for={cid}>{t('field.' + c.name)}</label>
                  {c.type === 'select' ? (
                    <select id={cid} value={r[c.name]} aria-invalid={cellBad ? 'true' : undefined} onChange={(e) => upd(i, c.name, e.currentTarget.value)}>
                      <option value="">–</option>
                      {c.options().map(([v, l]) => <option key={v} value={v}>{l}</option>)}
                    </select>
                  ) : (
                    <input id={cid} type={c.type === 'time' ? 'time' : 'number'} min={c.min} max={c.max} value={r[c.name]}
                           aria-invalid={cellBad ? 'true' : undefined} onInput={(e) => upd(i, c.name, e.currentTarget.value)} />
                  )}
                </span>
              );
            })}
            <button type="button" class="small ghost" onClick={() => set(rows.filter((_, j) => j !== i))}
                    aria-label={t('admin.removeRow', { n: i + 1 })}>✕</button>
            {bad === i && <p class="error field-error" data-field={err.field}>{err.message}</p>}
          </div>
        ))}
        {bad < 0 && error}
        <button type="button" class="small" onClick={() => set([...rows, Object.fromEntries(f.cols.map((c) => [c.name, c.def != null ? String(c.def) : '']))])}>
          {t('admin.addRow')}
        </button>
      </fieldset>
    );
  }
  let input;
  if (f.type === 'select') {
    input = (
      <select {...common} value={value} onChange={(e) => set(e.currentTarget.value)}>
        {f.nullable && <option value="">{t('admin.none')}</option>}
        {f.options().map(([v, l]) => <option key={v} value={v}>{l}</option>)}
      </select>
    );
  } else {
    input = (
      <input {...common} type={f.type === 'number' ? 'number' : f.type === 'password' ? 'password' : 'text'} step={f.step}
             autocomplete={f.type === 'password' ? 'new-password' : f.autocomplete} value={value}
             onInput={(e) => set(e.currentTarget.value)} />
    );
  }
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {input}
      {hint}
      {error}
    </div>
  );
}

function EditForm({ t, res, schema, rec, onSaved, onCancel }) {
  const editing = !!rec;
  const [values, setValues] = useState(() => fromRecord(schema.fields, rec, schema.defaults));
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef(null);
  useEffect(() => {
    setValues(fromRecord(schema.fields, rec, schema.defaults));
    setErr(null);
  }, [rec, res]);
  useEffect(() => {
    // Move focus to the first field the server complained about.
    if (!err || !formRef.current) return;
    const bad = formRef.current.querySelector('[aria-invalid="true"]');
    (bad && bad.focus ? bad : formRef.current.querySelector('.form-error'))?.focus?.();
  }, [err]);
  const visible = schema.fields.filter((f) => !(f.createOnly && editing) && !(f.editOnly && !editing));
  // Whether a field of this form will show the error next to itself.
  const known = (name) => visible.some((x) => !!fieldError({ field: name, message: 'x' }, x.name));
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    try {
      const body = toBody(schema.fields, values, editing);
      const saved = editing ? await api.patch(`${schema.path}/${rec.id}`, body) : await api.post(schema.path, body);
      onSaved(saved);
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  const title = editing ? t('admin.edit', { what: rec.name || rec.label || rec.code || rec.login }) : t('admin.new.' + res);
  return (
    <form class="card edit-form" onSubmit={submit} noValidate ref={formRef} aria-labelledby="edit-title" data-testid="edit-form">
      <h2 id="edit-title">{title}</h2>
      {err && (!err.field || !known(err.field)) && (
        <p class="error form-error" role="alert" tabIndex={-1}>{err.field ? `${err.field}: ` : ''}{err.message}</p>
      )}
      {err && err.field && known(err.field) && <p class="sr-only" role="alert">{t('admin.fixErrors')}</p>}
      <div class="fields">
        {visible.map((f) => (
            <FieldView key={f.name} t={t} res={res} f={f} value={values[f.name]} err={err}
                       set={(v) => setValues((o) => ({ ...o, [f.name]: v }))} />
          ))}
      </div>
      <div class="actions">
        <button class="primary" type="submit" disabled={busy} data-testid="btn-save">{t('admin.save')}</button>
        <button type="button" class="ghost" onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </form>
  );
}

export function Admin({ path }) {
  const { t, navigate, locale } = useApp();
  const tab = TABS.find((x) => path.startsWith('/admin/' + x)) || 'users';
  const [ref, setRef] = useState({ users: [], teams: [], skills: [], queues: [], dispositions: [], reasons: [] });
  const [editing, setEditing] = useState(undefined); // undefined: none, null: new, record: edit
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    const out = {};
    await Promise.all(TABS.map(async (k) => {
      try {
        out[k] = await api.get('/api/' + k);
      } catch (e) {
        out[k] = [];
        if (e.status !== 403) setError(e.message);
      }
    }));
    setRef(out);
    return out;
  }, []);
  useEffect(() => {
    load();
  }, []);
  useEffect(() => {
    setEditing(undefined);
    setNote('');
  }, [tab]);
  const sch = schemas(t, locale, ref)[tab];
  const rows = ref[tab] || [];
  const toggle = async (r) => {
    const k = sch.toggle;
    setError('');
    try {
      await api.patch(`${sch.path}/${r.id}`, { [k]: !r[k] });
      await load();
    } catch (e) {
      setError(e.message);
    }
  };
  const isOff = (r) => (sch.toggle === 'disabled' ? r.disabled : sch.toggle === 'enabled' ? r.enabled === false : false);
  return (
    <main id="main" class="page admin">
      <h1>{t('nav.admin')}</h1>
      <nav class="tabs" aria-label={t('admin.sections')}>
        {TABS.map((x) => (
          <a key={x} href={'/admin/' + x} aria-current={x === tab ? 'page' : undefined}
             onClick={(e) => { e.preventDefault(); navigate('/admin/' + x); }}>{t('admin.tab.' + x)}</a>
        ))}
      </nav>
      {error && <p class="error" role="alert">{error}</p>}
      {note && <p class="ok" role="status">{note}</p>}
      <div class="admin-grid">
        <section class="card list" aria-labelledby="list-title">
          <div class="list-head">
            <h2 id="list-title">{t('admin.tab.' + tab)} <span class="muted">({rows.length})</span></h2>
            <button class="primary" onClick={() => { setEditing(null); setNote(''); }} data-testid="btn-new">{t('admin.new.' + tab)}</button>
          </div>
          <div class="scroll">
            <table class="data">
              <thead>
                <tr>
                  {sch.cols.map(([k]) => <th key={k} scope="col">{t('field.' + k)}</th>)}
                  {sch.toggle && <th scope="col">{t('field.status')}</th>}
                  <th scope="col"><span class="sr-only">{t('wb.actions')}</span></th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id} class={isOff(r) ? 'off' : ''} aria-selected={editing && editing.id === r.id ? 'true' : undefined}>
                    {sch.cols.map(([k, f]) => <td key={k}>{f(r)}</td>)}
                    {sch.toggle && <td>{isOff(r) ? t('admin.disabled') : t('admin.active')}</td>}
                    <td class="row-actions">
                      <button class="small" onClick={() => { setEditing(r); setNote(''); }}>{t('admin.editBtn')}</button>
                      {sch.toggle && (
                        <button class="small ghost" onClick={() => toggle(r)}>{isOff(r) ? t('admin.enable') : t('admin.disable')}</button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        {editing !== undefined ? (
          <EditForm t={t} res={tab} schema={sch} rec={editing}
                    onCancel={() => setEditing(undefined)}
                    onSaved={async (saved) => {
                      await load();
                      setEditing(undefined);
                      setNote(t('admin.saved', { what: saved?.name || saved?.label || saved?.login || '' }));
                    }} />
        ) : (
          <p class="muted card hint-card">{t('admin.pick')}</p>
        )}
      </div>
    </main>
  );
}
