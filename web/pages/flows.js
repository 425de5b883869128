// Flows: the list (enable/disable, delete), and an editor with two views of the same
// document: a form (steps, expectations, next/end) and the raw JSON for power users.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { api, ApiError } from '../lib/api.js';
import { ErrorNote, SelectField, Spinner, TextArea, TextField, Toggle, useConfirm, useLoad } from '../lib/ui.js';

const TYPES = ['', 'choice', 'text', 'number', 'email', 'phone', 'date', 'media'];
const READ_ONLY = ['id', 'instance_id', 'version', 'created_at', 'updated_at'];

const lines = (s) => s.split(/[\n,]+/).map((x) => x.trim()).filter(Boolean);
const textOf = (c) => (c && typeof c.text === 'string' ? c.text : '');
const content = (s) => (s.trim() ? { text: s } : undefined);

const FieldErr = ({ text }) => (text ? html`<p class="field-error" role="alert">${text}</p>` : null);

function blank() {
  return { name: '', trigger: { keywords: [], match: 'word' }, exit_keywords: ['cancel'], timeout_minutes: 30, start: 'start', steps: [{ id: 'start', send: { text: '' }, end: true }] };
}

/** The editable part of a stored flow. */
function editable(flow) {
  const doc = { ...flow };
  for (const k of READ_ONLY) delete doc[k];
  return doc;
}

export default function FlowsPage({ params }) {
  const id = params.id;
  const base = `/v1/instances/${id}/flows`;
  const list = useLoad(() => api('GET', `${base}?limit=100`).then((r) => r.flows), [id]);
  const [editing, setEditing] = useState(null); // {flow?: stored, doc}
  const [error, setError] = useState(null);
  const [dialog, ask] = useConfirm();
  const act = async (fn) => {
    setError(null);
    try {
      await fn();
      await list.reload();
    } catch (err) {
      setError(err);
    }
  };
  if (editing) return html`<${FlowEditor} base=${base} editing=${editing} onDone=${() => { setEditing(null); list.reload(); }} />`;
  return html`<section class="page flows">
    ${dialog}
    <div class="page-head"><h1>${t('flows.title')}</h1>
      <button type="button" class="btn primary" onClick=${() => setEditing({ doc: blank() })}>${t('flows.add')}</button></div>
    <p class="lead">${t('flows.lead')}</p>
    <${ErrorNote} error=${error ?? list.error} />
    ${list.loading && !list.data && html`<${Spinner} />`}
    ${list.data?.length === 0 && html`<p class="card empty">${t('flows.none')}</p>`}
    <ul class="plain-list card">
      ${(list.data ?? []).map((f) => html`<li class="list-item">
        <div class="item-main"><h2 class="card-title">${f.name}</h2>
          <p class="hint">${t('flows.summary', { steps: f.steps.length, keywords: f.trigger?.keywords.join(', ') || '—' })}</p></div>
        <div class="actions wrap">
          <${Toggle} label=${t('flows.enabled')} checked=${f.enabled} onChange=${(on) => act(() => api('POST', `${base}/${f.id}/${on ? 'enable' : 'disable'}`))} />
          <button type="button" class="btn" onClick=${() => setEditing({ flow: f, doc: editable(f) })}>${t('flows.edit', { name: f.name })}</button>
          <button type="button" class="btn danger" onClick=${() => act(async () => {
            if (await ask({ title: t('flows.deleteTitle', { name: f.name }), body: t('flows.deleteBody'), confirm: t('common.delete') })) await api('DELETE', `${base}/${f.id}`);
          })}>${t('common.delete')}</button>
        </div>
      </li>`)}
    </ul>
  </section>`;
}

function FlowEditor({ base, editing, onDone }) {
  const [doc, setDoc] = useState(editing.doc);
  const [view, setView] = useState('form');
  const [json, setJson] = useState('');
  const [jsonError, setJsonError] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const shown = new Set();
  /** The API's message for this path (`steps.0.expect.options`), or for anything under it when `deep`. */
  const err = (path, deep = false) => {
    if (!(error instanceof ApiError)) return null;
    const key = `body.${path}`;
    const hit = Object.keys(error.fields).find((f) => f === key || (deep && f.startsWith(`${key}.`)));
    if (!hit) return null;
    shown.add(hit);
    return error.fields[hit];
  };
  const update = (fn) => setDoc((d) => { const next = structuredClone(d); fn(next); return next; });
  const toJson = () => { setJson(JSON.stringify(doc, null, 2)); setJsonError(null); setView('json'); };
  const fromJson = () => {
    try {
      setDoc(JSON.parse(json));
      setJsonError(null);
      return true;
    } catch (e) {
      setJsonError(t('flows.badJson', { why: e.message }));
      return false;
    }
  };
  const save = async (e) => {
    e.preventDefault();
    let body = doc;
    if (view === 'json') {
      try {
        body = JSON.parse(json);
      } catch (ex) {
        return setJsonError(t('flows.badJson', { why: ex.message }));
      }
      setDoc(body);
    }
    setBusy(true);
    setError(null);
    try {
      if (editing.flow) await api('PATCH', `${base}/${editing.flow.id}`, body);
      else await api('POST', base, body);
      onDone();
    } catch (ex) {
      setError(ex);
      setBusy(false);
    }
  };
  const stepIds = doc.steps?.map((s) => s.id) ?? [];
  const form = view === 'form' && html`<div>
    <div class="card">
      <${TextField} label=${t('flows.name')} value=${doc.name} onInput=${(v) => update((d) => { d.name = v; })} error=${err('name')} />
      <${TextArea} label=${t('flows.trigger')} rows="2" value=${(doc.trigger?.keywords ?? []).join('\n')} hint=${t('flows.triggerHint')}
        onInput=${(v) => update((d) => { d.trigger = lines(v).length ? { ...(d.trigger ?? { match: 'word' }), keywords: lines(v) } : null; })} error=${err('trigger', true)} />
      <${TextArea} label=${t('flows.exit')} rows="2" value=${(doc.exit_keywords ?? []).join('\n')} hint=${t('flows.exitHint')}
        onInput=${(v) => update((d) => { d.exit_keywords = lines(v); })} error=${err('exit_keywords', true)} />
      <div class="row">
        <${TextField} label=${t('flows.timeout')} type="number" min="1" value=${doc.timeout_minutes ?? ''} onInput=${(v) => update((d) => { d.timeout_minutes = v === '' ? undefined : Number(v); })} error=${err('timeout_minutes')} />
        <${SelectField} label=${t('flows.start')} value=${doc.start} onChange=${(v) => update((d) => { d.start = v; })} options=${stepIds.map((s) => ({ value: s, label: s }))} error=${err('start')} />
      </div>
      <${TextField} label=${t('flows.timeoutMessage')} value=${textOf(doc.timeout_message)} onInput=${(v) => update((d) => { d.timeout_message = content(v) ?? null; })} error=${err('timeout_message', true)} />
    </div>
    ${(doc.steps ?? []).map((step, i) => StepCard({ step, i, stepIds, err, update }))}
    <${FieldErr} text=${err('steps')} />
    <button type="button" class="btn" onClick=${() => update((d) => { d.steps.push({ id: `step${d.steps.length + 1}`, send: { text: '' }, end: true }); })}>${t('flows.addStep')}</button>
  </div>`;
  const rest = error instanceof ApiError ? Object.entries(error.fields).filter(([f]) => !shown.has(f)) : [];
  return html`<section class="page flow-editor">
    <div class="page-head"><h1>${editing.flow ? t('flows.editTitle', { name: editing.flow.name }) : t('flows.newTitle')}</h1></div>
    <div class="tabs" role="group" aria-label=${t('flows.view')}>
      <button type="button" class="btn" aria-pressed=${view === 'form'} onClick=${() => view === 'json' && fromJson() && setView('form')}>${t('flows.formView')}</button>
      <button type="button" class="btn" aria-pressed=${view === 'json'} onClick=${() => view === 'form' && toJson()}>${t('flows.jsonView')}</button>
    </div>
    <form onSubmit=${save} novalidate>
      ${form}
      ${view === 'json' && html`<div class="card"><${TextArea} label=${t('flows.json')} rows="24" className="mono" value=${json} onInput=${setJson}
        error=${jsonError ?? (rest.length ? rest.map(([f, m]) => `${f}: ${m}`).join(' · ') : null)} hint=${t('flows.jsonHint')} /></div>`}
      ${view === 'form' && html`<${ErrorNote} text=${error && !(error instanceof ApiError) ? error.message : rest.length ? rest.map(([f, m]) => `${f}: ${m}`).join(' · ') : error && !Object.keys(error.fields).length ? error.message : null} />`}
      <div class="actions save-row">
        <button type="button" class="btn" onClick=${onDone}>${t('common.cancel')}</button>
        <button type="submit" class="btn primary" disabled=${busy}>${t('flows.save')}</button>
      </div>
    </form>
  </section>`;
}

/** Renames a step and every reference to it (start, next, options' next), so the form never leaves a dangling id. */
function renameStep(d, from, to) {
  if (d.start === from) d.start = to;
  for (const s of d.steps) {
    if (s.id === from) s.id = to;
    if (s.next === from) s.next = to;
    if (s.expect?.next === from) s.expect.next = to;
    for (const o of s.expect?.options ?? []) if (o.next === from) o.next = to;
  }
}

function StepCard({ step, i, stepIds, err, update }) {
  const p = `steps.${i}`;
  const ex = step.expect;
  const set = (fn) => update((d) => fn(d.steps[i]));
  const nextOptions = [{ value: '', label: '—' }, ...stepIds.map((s) => ({ value: s, label: s }))];
  const setType = (type) => set((s) => {
    if (!type) delete s.expect;
    else {
      s.expect = type === 'choice' ? { type, options: [{ match: ['1'], next: s.next ?? stepIds[0] }] } : { type, next: s.next ?? s.expect?.next ?? stepIds[0] };
      delete s.next;
      delete s.end;
    }
  });
  return html`<fieldset class="card step-card">
    <legend>${t('flows.step', { n: i + 1, id: step.id })}</legend>
    <div class="row">
      <${TextField} label=${t('flows.stepId')} value=${step.id} onInput=${(v) => update((d) => renameStep(d, step.id, v))} error=${err(`${p}.id`)} />
      <${SelectField} label=${t('flows.expect')} value=${ex?.type ?? ''} onChange=${setType} options=${TYPES.map((x) => ({ value: x, label: t(`flows.type.${x || 'none'}`) }))} error=${err(`${p}.expect.type`)} />
    </div>
    <${TextArea} label=${t('flows.send')} rows="3" value=${textOf(step.send)} onInput=${(v) => set((s) => { s.send = content(v); })} error=${err(`${p}.send`, true)} hint=${t('flows.sendHint')} />
    ${ex?.type === 'choice' && html`<div class="options">
      <h3>${t('flows.options')}</h3>
      ${ex.options.map((o, j) => html`<div class="row option-row">
        <${TextField} label=${t('flows.optionMatch', { n: j + 1 })} value=${o.match.join(', ')} onInput=${(v) => set((s) => { s.expect.options[j].match = lines(v); })} error=${err(`${p}.expect.options.${j}.match`, true)} />
        <${SelectField} label=${t('flows.optionNext', { n: j + 1 })} value=${o.next} onChange=${(v) => set((s) => { s.expect.options[j].next = v; })} options=${nextOptions} error=${err(`${p}.expect.options.${j}.next`)} />
        <button type="button" class="btn small" onClick=${() => set((s) => { s.expect.options.splice(j, 1); })}>${t('flows.removeOption', { n: j + 1 })}</button>
      </div>`)}
      <${FieldErr} text=${err(`${p}.expect.options`)} />
      <button type="button" class="btn small" onClick=${() => set((s) => { s.expect.options.push({ match: [], next: stepIds[0] }); })}>${t('flows.addOption')}</button>
    </div>`}
    ${ex && ex.type !== 'choice' && html`<div class="row">
      <${SelectField} label=${t('flows.next')} value=${ex.next ?? ''} onChange=${(v) => set((s) => { s.expect.next = v; })} options=${nextOptions} error=${err(`${p}.expect.next`)} />
      <${TextField} label=${t('flows.saveAs')} value=${ex.save_as ?? ''} onInput=${(v) => set((s) => { if (v) s.expect.save_as = v; else delete s.expect.save_as; })} error=${err(`${p}.expect.save_as`)} />
    </div>`}
    ${ex?.type === 'number' && html`<div class="row">
      <${TextField} label=${t('flows.min')} type="number" value=${ex.min ?? ''} onInput=${(v) => set((s) => { if (v === '') delete s.expect.min; else s.expect.min = Number(v); })} error=${err(`${p}.expect.min`)} />
      <${TextField} label=${t('flows.max')} type="number" value=${ex.max ?? ''} onInput=${(v) => set((s) => { if (v === '') delete s.expect.max; else s.expect.max = Number(v); })} error=${err(`${p}.expect.max`)} />
    </div>`}
    ${ex && html`<div class="row">
      <${TextField} label=${t('flows.invalid')} value=${textOf(ex.invalid)} onInput=${(v) => set((s) => { if (v) s.expect.invalid = { text: v }; else delete s.expect.invalid; })} error=${err(`${p}.expect.invalid`, true)} />
      <${TextField} label=${t('flows.maxAttempts')} type="number" min="1" max="20" value=${ex.max_attempts ?? ''} onInput=${(v) => set((s) => { if (v === '') delete s.expect.max_attempts; else s.expect.max_attempts = Number(v); })} error=${err(`${p}.expect.max_attempts`)} />
    </div>`}
    ${!ex && html`<div class="row">
      <${SelectField} label=${t('flows.thenGo')} value=${step.end ? '' : step.next ?? ''} onChange=${(v) => set((s) => { if (v) { s.next = v; delete s.end; } else { delete s.next; s.end = true; } })}
        options=${[{ value: '', label: t('flows.endHere') }, ...stepIds.map((s) => ({ value: s, label: s }))]} error=${err(`${p}.next`) ?? err(`${p}.end`)} />
    </div>`}
    <${FieldErr} text=${err(p) ?? err(`${p}.expect`)} />
    <button type="button" class="btn small danger-outline" onClick=${() => update((d) => { d.steps.splice(i, 1); })}>${t('flows.removeStep', { id: step.id })}</button>
  </fieldset>`;
}
