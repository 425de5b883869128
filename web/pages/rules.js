// Keyword rules: the list in the order they are checked, create and edit,
// enable and disable, reorder, and a "try a message" box with the full trace.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api, fieldError, generalError } from '../lib/api.js';
import { t } from '../lib/i18n.js';
import { ErrorNote, SelectField, Spinner, TextArea, TextField, Toggle, Trace, replyText, useConfirm, useLoad } from '../lib/ui.js';

const MATCH = ['contains', 'word', 'exact', 'starts_with', 'ends_with', 'regex'];
const SCOPES = ['all', 'private', 'group'];
const TYPES = ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contact', 'poll', 'button_reply', 'list_reply'];
const SHOWN = ['name', 'keywords', 'match', 'scope', 'priority', 'cooldown_seconds', 'reply', 'reply.text', 'message_types', 'case_sensitive'];

const EMPTY = { name: '', keywords: '', match: 'contains', case_sensitive: false, scope: 'all', message_types: [], cooldown_seconds: '', priority: '0', replyText: '', replyJson: null, enabled: true };

/** A rule as the form edits it: keywords one per line, the reply as text (or JSON when it is not text). */
function toForm(rule) {
  const textOnly = Object.keys(rule.reply).length === 1 && typeof rule.reply.text === 'string';
  return {
    name: rule.name,
    keywords: rule.keywords.join('\n'),
    match: rule.match,
    case_sensitive: rule.case_sensitive,
    scope: rule.scope,
    message_types: rule.message_types ?? [],
    cooldown_seconds: rule.cooldown_seconds == null ? '' : String(rule.cooldown_seconds),
    priority: String(rule.priority),
    replyText: textOnly ? rule.reply.text : '',
    replyJson: textOnly ? null : JSON.stringify(rule.reply, null, 2),
    enabled: rule.enabled,
  };
}

function toBody(form) {
  let reply;
  if (form.replyJson !== null) {
    try {
      reply = JSON.parse(form.replyJson);
    } catch {
      reply = form.replyJson;
    }
  } else reply = { text: form.replyText };
  return {
    name: form.name,
    keywords: form.keywords.split('\n').map((k) => k.trim()).filter(Boolean),
    match: form.match,
    case_sensitive: form.case_sensitive,
    scope: form.scope,
    message_types: form.message_types.length ? form.message_types : null,
    cooldown_seconds: form.cooldown_seconds === '' ? null : Number(form.cooldown_seconds),
    priority: Number(form.priority),
    enabled: form.enabled,
    reply,
  };
}

function RuleForm({ instanceId, rule, onDone, onCancel }) {
  const [form, setForm] = useState(rule ? toForm(rule) : EMPTY);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (v) => setForm({ ...form, [k]: v });
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (rule) await api('PATCH', `/v1/instances/${instanceId}/rules/${rule.id}`, toBody(form));
      else await api('POST', `/v1/instances/${instanceId}/rules`, toBody(form));
      onDone();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const toggleType = (type, on) => set('message_types')(on ? [...form.message_types, type] : form.message_types.filter((x) => x !== type));
  return html`<form class="card rule-form" onSubmit=${submit} novalidate aria-labelledby="rule-form-title">
    <h2 id="rule-form-title">${rule ? t('rules.editTitle', { name: rule.name }) : t('rules.newTitle')}</h2>
    <${TextField} label=${t('rules.name')} value=${form.name} onInput=${set('name')} error=${fieldError(error, 'name')} maxlength="100" />
    <${TextArea} label=${t('rules.keywords')} value=${form.keywords} onInput=${set('keywords')} rows="3" hint=${t('rules.keywordsHint')}
      error=${fieldError(error, 'keywords') ?? Object.entries(error?.fields ?? {}).find(([f]) => f.startsWith('body.keywords.'))?.[1]} />
    <div class="row">
      <${SelectField} label=${t('rules.match')} value=${form.match} onChange=${set('match')} options=${MATCH.map((m) => ({ value: m, label: t(`match.${m}`) }))} error=${fieldError(error, 'match')} />
      <${SelectField} label=${t('rules.scope')} value=${form.scope} onChange=${set('scope')} options=${SCOPES.map((s) => ({ value: s, label: t(`scope.${s}`) }))} error=${fieldError(error, 'scope')} />
    </div>
    <${Toggle} label=${t('rules.caseSensitive')} checked=${form.case_sensitive} onChange=${set('case_sensitive')} />
    ${form.replyJson === null
      ? html`<${TextArea} label=${t('rules.reply')} value=${form.replyText} onInput=${set('replyText')} rows="3" hint=${t('rules.replyHint')} error=${fieldError(error, 'reply.text') ?? fieldError(error, 'reply')} />`
      : html`<${TextArea} label=${t('rules.replyJson')} value=${form.replyJson} onInput=${set('replyJson')} rows="6" className="mono" hint=${t('rules.replyJsonHint')} error=${fieldError(error, 'reply') ?? Object.entries(error?.fields ?? {}).find(([f]) => f.startsWith('body.reply.'))?.[1]} />`}
    <details class="more">
      <summary>${t('rules.more')}</summary>
      <div class="row">
        <${TextField} label=${t('rules.priority')} type="number" value=${form.priority} onInput=${set('priority')} hint=${t('rules.priorityHint')} error=${fieldError(error, 'priority')} />
        <${TextField} label=${t('rules.cooldown')} type="number" min="1" value=${form.cooldown_seconds} onInput=${set('cooldown_seconds')} hint=${t('rules.cooldownHint')} error=${fieldError(error, 'cooldown_seconds')} />
      </div>
      <fieldset>
        <legend>${t('rules.types')}</legend>
        <div class="checks">
          ${TYPES.map((type) => html`<label class="check"><input type="checkbox" checked=${form.message_types.includes(type)} onChange=${(e) => toggleType(type, e.currentTarget.checked)} />${t(`type.${type}`)}</label>`)}
        </div>
        <p class="hint">${t('rules.typesHint')}</p>
        ${fieldError(error, 'message_types') && html`<p class="field-error" role="alert">${fieldError(error, 'message_types')}</p>`}
      </fieldset>
      ${form.replyJson === null && html`<button type="button" class="btn link" onClick=${() => setForm({ ...form, replyJson: JSON.stringify({ text: form.replyText }, null, 2) })}>${t('rules.useJson')}</button>`}
    </details>
    <${ErrorNote} text=${generalError(error, SHOWN)} />
    <div class="actions">
      <button type="submit" class="btn primary" disabled=${busy}>${rule ? t('rules.saveRule') : t('rules.create')}</button>
      <button type="button" class="btn" onClick=${onCancel}>${t('common.cancel')}</button>
    </div>
  </form>`;
}

function TryMessage({ instanceId }) {
  const [text, setText] = useState('');
  const [from, setFrom] = useState('59171234567');
  const [trace, setTrace] = useState(null);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      setTrace(await api('POST', `/v1/instances/${instanceId}/rules/test`, { from, text }));
    } catch (err) {
      setError(err);
      setTrace(null);
    }
  };
  return html`<form class="card" onSubmit=${submit} novalidate>
    <h2>${t('rules.tryTitle')}</h2>
    <p class="hint">${t('rules.tryLead')}</p>
    <${TextField} label=${t('rules.tryText')} value=${text} onInput=${setText} error=${fieldError(error, 'text')} />
    <${TextField} label=${t('rules.tryFrom')} type="tel" value=${from} onInput=${setFrom} error=${fieldError(error, 'from')} />
    <${ErrorNote} text=${generalError(error, ['text', 'from'])} />
    <button type="submit" class="btn primary">${t('rules.tryButton')}</button>
    ${trace && html`<div class="try-result" aria-live="polite"><h3>${t('rules.tryResult')}</h3><${Trace} trace=${trace} /></div>`}
  </form>`;
}

function RuleItem({ rule, index, count, onMove, onToggle, onEdit, onDelete }) {
  return html`<li class=${`card rule ${rule.enabled ? '' : 'disabled'}`}>
    <div class="rule-order">
      <button type="button" class="btn small" onClick=${() => onMove(index, -1)} disabled=${index === 0} aria-label=${t('rules.moveUp', { name: rule.name })}>↑</button>
      <button type="button" class="btn small" onClick=${() => onMove(index, 1)} disabled=${index === count - 1} aria-label=${t('rules.moveDown', { name: rule.name })}>↓</button>
    </div>
    <div class="rule-body">
      <h2>${rule.name}</h2>
      <div class="chips">
        <span class="engine-tag">${t(`match.${rule.match}`)}</span>
        ${rule.keywords.map((k) => html`<span class="chip">${k}</span>`)}
        ${rule.message_types && rule.message_types.map((k) => html`<span class="chip">${t(`type.${k}`)}</span>`)}
      </div>
      <p class="rule-reply">↳ ${rule.reply.start_flow ? t('rules.startsFlow') : replyText(rule.reply)}</p>
      <p class="hint">${t(`scope.${rule.scope}`)} · ${t('rules.priorityShort', { n: rule.priority })}${rule.cooldown_seconds ? ` · ${t('rules.cooldownShort', { n: rule.cooldown_seconds })}` : ''}</p>
    </div>
    <div class="rule-side">
      <${Toggle} label=${rule.enabled ? t('rules.enabled') : t('rules.disabled')} checked=${rule.enabled} onChange=${(v) => onToggle(rule, v)} aria-label=${t('rules.enabledFor', { name: rule.name })} />
      <button type="button" class="btn small" onClick=${() => onEdit(rule)}>${t('common.edit')}<span class="sr-only"> ${rule.name}</span></button>
      <button type="button" class="btn small danger-outline" onClick=${() => onDelete(rule)}>${t('common.delete')}<span class="sr-only"> ${rule.name}</span></button>
    </div>
  </li>`;
}

export default function Rules({ instance }) {
  const list = useLoad(() => api('GET', `/v1/instances/${instance.id}/rules?limit=200`), [instance.id]);
  const [editing, setEditing] = useState(null); // null: closed, 'new', or a rule
  const [error, setError] = useState(null);
  const [dialog, ask] = useConfirm();
  const rules = list.data?.rules ?? [];
  const base = `/v1/instances/${instance.id}/rules`;
  const run = async (fn) => {
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err);
    }
    await list.reload();
  };
  // checked by priority: the new order gets descending priorities, and only changed rules are written
  const move = (index, delta) =>
    run(async () => {
      const order = [...rules];
      const [item] = order.splice(index, 1);
      order.splice(index + delta, 0, item);
      const top = order.length * 10;
      for (const [i, rule] of order.entries()) {
        const priority = top - i * 10;
        if (rule.priority !== priority) await api('PATCH', `${base}/${rule.id}`, { priority });
      }
    });
  const toggle = (rule, enabled) => run(() => api('PATCH', `${base}/${rule.id}`, { enabled }));
  const remove = async (rule) => {
    if (!(await ask({ title: t('rules.deleteTitle', { name: rule.name }), body: t('rules.deleteBody'), confirm: t('common.delete') }))) return;
    run(() => api('DELETE', `${base}/${rule.id}`));
  };
  return html`<section class="page">
    <div class="page-head">
      <div><h1>${t('rules.title')}</h1><p class="lead">${t('rules.lead')}</p></div>
      ${editing === null && html`<button type="button" class="btn primary" onClick=${() => setEditing('new')}>${t('rules.add')}</button>`}
    </div>
    <div class="grid-2">
      <div>
        ${editing !== null && html`<${RuleForm} key=${editing === 'new' ? 'new' : editing.id} instanceId=${instance.id} rule=${editing === 'new' ? null : editing} onCancel=${() => setEditing(null)} onDone=${() => { setEditing(null); list.reload(); }} />`}
        <${ErrorNote} error=${error ?? list.error} />
        ${list.loading && !list.data && html`<${Spinner} />`}
        ${list.data && rules.length === 0 && html`<div class="card empty"><p>${t('rules.empty')}</p></div>`}
        <ol class="rule-list" aria-label=${t('rules.listLabel')}>
          ${rules.map((r, i) => html`<${RuleItem} key=${r.id} rule=${r} index=${i} count=${rules.length} onMove=${move} onToggle=${toggle} onEdit=${(x) => setEditing(x)} onDelete=${remove} />`)}
        </ol>
      </div>
      <div><${TryMessage} instanceId=${instance.id} /></div>
    </div>
    ${dialog}
  </section>`;
}
