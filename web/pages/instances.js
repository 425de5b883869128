// The owner's bots: live status, create, rotate the token (shown once), delete.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api, fieldError, generalError } from '../lib/api.js';
import { t } from '../lib/i18n.js';
import { ErrorNote, SecretOnce, SelectField, Spinner, StatusBadge, TextField, useConfirm, useLoad } from '../lib/ui.js';

/** The list answers in milliseconds; status changes show within this long without one stream per bot (browsers allow few per server). */
const REFRESH_MS = 4000;

/** The colleague link: this bot's pages, opened with its token (the page then drops it from the address bar). */
function shareLink(instanceId, token) {
  return `${location.origin}/?access_token=${encodeURIComponent(token)}#/instances/${instanceId}/settings`;
}

function NewToken({ instance, token, onDone }) {
  const [link, setLink] = useState(false);
  return html`<div class="token-panel" role="region" aria-label=${t('instances.tokenRegion')}>
    <${SecretOnce} label=${t('instances.token', { name: instance.name })} value=${token} />
    ${link
      ? html`<${SecretOnce} label=${t('instances.shareLink')} value=${shareLink(instance.id, token)} note=${t('instances.shareNote')} />`
      : html`<button type="button" class="btn link" onClick=${() => setLink(true)}>${t('instances.makeShareLink')}</button>`}
    <div class="actions"><button type="button" class="btn" onClick=${onDone}>${t('instances.tokenStored')}</button></div>
  </div>`;
}

function CreateForm({ onCreated }) {
  const [form, setForm] = useState({ name: '', engine: 'sandbox' });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api('POST', '/v1/instances', { name: form.name.trim() || undefined, engine: form.engine });
      // a sandbox has nothing to link: connect it at once; a WhatsApp bot connects from its linking page
      if (created.engine === 'sandbox') await api('POST', `/v1/instances/${created.id}/connect`);
      setForm({ name: '', engine: form.engine });
      onCreated(created);
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  return html`<form class="card create-form" onSubmit=${submit} novalidate>
    <h2>${t('instances.create')}</h2>
    <div class="row">
      <${TextField} label=${t('instances.name')} value=${form.name} onInput=${(v) => setForm({ ...form, name: v })} error=${fieldError(error, 'name')} placeholder=${t('instances.namePlaceholder')} maxlength="100" />
      <${SelectField} label=${t('instances.engine')} value=${form.engine} onChange=${(v) => setForm({ ...form, engine: v })} error=${fieldError(error, 'engine')}
        options=${[{ value: 'sandbox', label: t('engine.sandbox') }, { value: 'baileys', label: t('engine.baileys') }]} />
    </div>
    <p class="hint">${form.engine === 'sandbox' ? t('instances.sandboxHint') : t('instances.baileysHint')}</p>
    <${ErrorNote} text=${generalError(error, ['name', 'engine'])} />
    <button type="submit" class="btn primary" disabled=${busy}>${t('instances.createButton')}</button>
  </form>`;
}

function InstanceCard({ instance, onChanged, ask }) {
  const [token, setToken] = useState(null);
  const [error, setError] = useState(null);
  const base = `#/instances/${instance.id}`;
  const rotate = async () => {
    const ok = await ask({ title: t('instances.rotateTitle', { name: instance.name }), body: t('instances.rotateBody'), confirm: t('instances.rotate') });
    if (!ok) return;
    try {
      const answer = await api('POST', `/v1/instances/${instance.id}/token`);
      setToken(answer.access_token);
      onChanged();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async () => {
    const ok = await ask({ title: t('instances.deleteTitle', { name: instance.name }), body: t('instances.deleteBody'), confirm: t('instances.delete') });
    if (!ok) return;
    try {
      await api('DELETE', `/v1/instances/${instance.id}`);
      onChanged();
    } catch (err) {
      setError(err);
    }
  };
  return html`<li class="card instance-card">
    <div class="instance-card-head">
      <h2 class="card-title"><a href=${`${base}/${instance.engine === 'sandbox' ? 'chat' : 'link'}`}>${instance.name}</a></h2>
      <${StatusBadge} status=${instance.status} />
    </div>
    <p class="meta">
      <span class="engine-tag">${t(`engine.${instance.engine}`)}</span>
      ${instance.phone ? html`<span class="phone">+${instance.phone}</span>` : html`<span class="muted">${t('instances.noNumber')}</span>`}
      <span class="muted mono" title=${t('instances.tokenHint')}>${instance.access_token_hint}</span>
    </p>
    <nav class="card-links" aria-label=${t('instances.sectionsOf', { name: instance.name })}>
      <a href=${`${base}/link`}>${t('tab.link')}</a>
      <a href=${`${base}/settings`}>${t('tab.settings')}</a>
      <a href=${`${base}/rules`}>${t('tab.rules')}</a>
      <a href=${`${base}/chat`}>${t('tab.chat')}</a>
    </nav>
    ${token && html`<${NewToken} instance=${instance} token=${token} onDone=${() => setToken(null)} />`}
    <${ErrorNote} error=${error} />
    <div class="card-actions">
      <button type="button" class="btn small" onClick=${rotate}>${t('instances.rotate')}</button>
      <button type="button" class="btn small danger-outline" onClick=${remove}>${t('instances.delete')}</button>
    </div>
  </li>`;
}

export default function Instances() {
  const list = useLoad(() => api('GET', '/v1/instances'));
  const [created, setCreated] = useState(null);
  const [dialog, ask] = useConfirm();
  useEffect(() => {
    const timer = setInterval(() => list.reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const instances = list.data?.instances ?? [];
  return html`<section class="page">
    <h1>${t('instances.title')}</h1>
    <p class="lead">${t('instances.lead')}</p>
    ${created && html`<div class="card highlight">
      <h2>${t('instances.created', { name: created.name })}</h2>
      <${NewToken} instance=${created} token=${created.access_token} onDone=${() => setCreated(null)} />
      <p><a class="btn primary" href=${`#/instances/${created.id}/${created.engine === 'sandbox' ? 'chat' : 'link'}`}>${created.engine === 'sandbox' ? t('instances.openChat') : t('instances.openLink')}</a></p>
    </div>`}
    <div class="split">
      <div class="split-main">
        ${list.loading && !list.data && html`<${Spinner} />`}
        <${ErrorNote} error=${list.error} />
        ${list.data && instances.length === 0 && html`<div class="empty card"><p>${t('instances.empty')}</p></div>`}
        <ul class="instance-list" aria-label=${t('instances.listLabel')}>
          ${instances.map((i) => html`<${InstanceCard} key=${i.id} instance=${i} onChanged=${list.reload} ask=${ask} />`)}
        </ul>
      </div>
      <aside class="split-side">
        <${CreateForm} onCreated=${(c) => { setCreated(c); list.reload(); }} />
      </aside>
    </div>
    ${dialog}
  </section>`;
}
