// Webhooks: subscriptions (create with event choice, toggle, rotate the secret, test ping)
// and each one's delivery log (attempts, exact body, redeliver).
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { api, fieldError, generalError } from '../lib/api.js';
import { useEvent } from '../lib/events.js';
import { ErrorNote, Notice, SecretOnce, Spinner, TextField, Toggle, formatTime, useConfirm, useLoad } from '../lib/ui.js';

const EVENTS = ['message.received', 'message.any', 'message.status', 'bot.replied', 'connection.update', 'group.participants', 'job.progress', 'flow.completed', 'flow.abandoned', 'chat.paused', 'chat.resumed'];

export default function WebhooksPage({ params, events }) {
  const id = params.id;
  const base = `/v1/instances/${id}/webhooks`;
  const list = useLoad(() => api('GET', base).then((r) => r.webhooks), [id]);
  const [secret, setSecret] = useState(null);
  const [selected, setSelected] = useState(null);
  const [note, setNote] = useState(null);
  const [logVersion, setLogVersion] = useState(0);
  const [error, setError] = useState(null);
  const [dialog, ask] = useConfirm();

  const act = async (fn) => {
    setError(null);
    setNote(null);
    try {
      await fn();
      await list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const toggle = (w) => act(() => api('POST', `${base}/${w.id}/toggle`, { enabled: !w.enabled }));
  const rotate = (w) =>
    act(async () => {
      if (!(await ask({ title: t('webhooks.rotateTitle'), body: t('webhooks.rotateBody'), confirm: t('webhooks.rotate') }))) return;
      const r = await api('POST', `${base}/${w.id}/rotate-secret`);
      setSecret({ url: w.url, value: r.secret });
    });
  const remove = (w) =>
    act(async () => {
      if (!(await ask({ title: t('webhooks.deleteTitle'), body: w.url, confirm: t('common.delete') }))) return;
      await api('DELETE', `${base}/${w.id}`);
      if (selected === w.id) setSelected(null);
    });
  const ping = (w) =>
    act(async () => {
      const d = await api('POST', `${base}/${w.id}/test`);
      setNote(t('webhooks.pinged', { status: d.last_status_code ?? d.last_error ?? '—' }));
      setSelected(w.id);
      setLogVersion((v) => v + 1);
    });

  return html`<section class="page webhooks">
    <h1>${t('webhooks.title')}</h1>
    <p class="lead">${t('webhooks.lead')}</p>
    ${dialog}
    ${secret && html`<div class="card"><${SecretOnce} label=${t('webhooks.secretFor', { url: secret.url })} value=${secret.value} /></div>`}
    ${note && html`<${Notice}>${note}<//>`}
    <${ErrorNote} text=${generalError(error)} />
    <div class="card">
      <h2>${t('webhooks.listTitle')}</h2>
      ${list.loading && !list.data ? html`<${Spinner} />` : null}
      <${ErrorNote} error=${list.error} />
      ${list.data?.length === 0 && html`<p class="muted">${t('webhooks.none')}</p>`}
      <ul class="plain-list">
        ${(list.data ?? []).map((w) => html`<li class="list-item">
          <div class="item-main">
            <strong class="mono break">${w.url}</strong>
            <span class=${`badge ${w.enabled ? 'status-connected' : 'status-disconnected'}`}>${w.enabled ? t('webhooks.on') : t('webhooks.off')}</span>
            <p class="hint">${w.events.join(', ')} · ${t('webhooks.secretHint', { hint: w.secret_hint })}</p>
            ${w.disabled_reason && html`<p class="hint warn">${t('webhooks.disabledBecause', { reason: w.disabled_reason })}</p>`}
          </div>
          <div class="actions wrap">
            <button type="button" class="btn" onClick=${() => setSelected(selected === w.id ? null : w.id)} aria-expanded=${selected === w.id}>${t('webhooks.deliveries')}</button>
            <button type="button" class="btn" onClick=${() => ping(w)}>${t('webhooks.ping')}</button>
            <button type="button" class="btn" onClick=${() => toggle(w)}>${w.enabled ? t('webhooks.disable') : t('webhooks.enable')}</button>
            <button type="button" class="btn" onClick=${() => rotate(w)}>${t('webhooks.rotate')}</button>
            <button type="button" class="btn danger" onClick=${() => remove(w)}>${t('common.delete')}</button>
          </div>
          ${selected === w.id && html`<${Deliveries} base=${`${base}/${w.id}`} events=${events} version=${logVersion} />`}
        </li>`)}
      </ul>
    </div>
    <${CreateWebhook} base=${base} onCreated=${(w) => { setSecret({ url: w.url, value: w.secret }); setSelected(w.id); list.reload(); }} />
  </section>`;
}

function CreateWebhook({ base, onCreated }) {
  const [url, setUrl] = useState('');
  const [chosen, setChosen] = useState(['message.received']);
  const [description, setDescription] = useState('');
  const [error, setError] = useState(null);
  const [warnings, setWarnings] = useState([]);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const w = await api('POST', base, { url, events: chosen, ...(description ? { description } : {}) });
      setWarnings(w.warnings ?? []);
      setUrl('');
      setDescription('');
      onCreated(w);
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const eventsError = fieldError(error, 'events') ?? Object.entries(error?.fields ?? {}).find(([f]) => f.startsWith('body.events.'))?.[1];
  return html`<form class="card" onSubmit=${submit} novalidate aria-labelledby="wh-new">
    <h2 id="wh-new">${t('webhooks.newTitle')}</h2>
    <${TextField} label=${t('webhooks.url')} type="url" value=${url} onInput=${setUrl} error=${fieldError(error, 'url')} hint=${t('webhooks.urlHint')} placeholder="https://example.com/hooks/tucan" />
    <fieldset class=${eventsError ? 'has-error' : ''}>
      <legend>${t('webhooks.events')}</legend>
      <div class="checks">
        ${EVENTS.map((ev) => html`<label class="check"><input type="checkbox" checked=${chosen.includes(ev)}
          onChange=${(e) => setChosen(e.currentTarget.checked ? [...chosen, ev] : chosen.filter((x) => x !== ev))} /><span class="mono">${ev}</span></label>`)}
      </div>
      ${eventsError && html`<p class="field-error" role="alert">${eventsError}</p>`}
    </fieldset>
    <${TextField} label=${t('webhooks.description')} value=${description} onInput=${setDescription} error=${fieldError(error, 'description')} />
    <${ErrorNote} text=${generalError(error, ['url', 'events', 'description'])} />
    ${warnings.map((w) => html`<${Notice} kind="warn">${w}<//>`)}
    <div class="actions"><button type="submit" class="btn primary" disabled=${busy}>${t('webhooks.create')}</button></div>
  </form>`;
}

function Deliveries({ base, events, version }) {
  const log = useLoad(() => api('GET', `${base}/deliveries?limit=20`).then((r) => r.deliveries), [base, version]);
  const [open, setOpen] = useState(null);
  const [error, setError] = useState(null);
  // A delivery's result arrives after the event itself: refresh on any event of this instance.
  useEvent(events, '*', () => setTimeout(() => log.reload(), 500), [log.reload]);
  const show = async (d) => {
    if (open?.id === d.id) return setOpen(null);
    try {
      setOpen(await api('GET', `${base}/deliveries/${d.id}`));
    } catch (err) {
      setError(err);
    }
  };
  const redeliver = async (d) => {
    setError(null);
    try {
      await api('POST', `${base}/deliveries/${d.id}/redeliver`);
      setTimeout(() => log.reload(), 700);
      await log.reload();
    } catch (err) {
      setError(err);
    }
  };
  return html`<div class="deliveries">
    <div class="row-between"><h3>${t('webhooks.logTitle')}</h3>
      <button type="button" class="btn" onClick=${() => log.reload()}>${t('webhooks.refresh')}</button></div>
    <${ErrorNote} text=${generalError(error) ?? log.error?.message} />
    ${log.data?.length === 0 && html`<p class="muted">${t('webhooks.noDeliveries')}</p>`}
    <ol class="plain-list delivery-list" aria-label=${t('webhooks.logTitle')}>
      ${(log.data ?? []).map((d) => html`<li class="delivery">
        <div class="row-between wrap">
          <span><strong class="mono">${d.event_type}</strong> <span class=${`badge d-${d.status}`}>${t(`webhooks.status.${d.status}`)}</span>
            <span class="hint">${formatTime(d.created_at)} · ${t('webhooks.attempts', { n: d.attempt_count })}</span></span>
          <span class="actions">
            <button type="button" class="btn" onClick=${() => show(d)} aria-expanded=${open?.id === d.id}>${t('webhooks.details')}</button>
            <button type="button" class="btn" onClick=${() => redeliver(d)}>${t('webhooks.redeliver')}</button>
          </span>
        </div>
        ${open?.id === d.id && html`<div class="delivery-detail">
          <table class="attempts">
            <caption>${t('webhooks.attemptsTitle')}</caption>
            <thead><tr><th>#</th><th>${t('webhooks.when')}</th><th>${t('webhooks.code')}</th><th>${t('webhooks.latency')}</th><th>${t('webhooks.answer')}</th></tr></thead>
            <tbody>${open.attempts.map((a) => html`<tr>
              <td>${a.n}</td><td>${formatTime(a.at)}</td><td>${a.status_code ?? '—'}</td><td>${Math.round(a.latency_ms)} ms</td>
              <td class="mono break">${a.error ?? a.response ?? ''}</td></tr>`)}</tbody>
          </table>
          <h4>${t('webhooks.body')}</h4>
          <pre class="reply-json">${open.body ?? t('webhooks.bodyGone')}</pre>
        </div>`}
      </li>`)}
    </ol>
  </div>`;
}
