// Messages: the outbox (paged, filtered by status, cancel scheduled ones), a bulk send
// with a live progress bar (job.progress events, with a poll as a fallback), and recurring sends.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { api, fieldError, generalError } from '../lib/api.js';
import { useEvent } from '../lib/events.js';
import { ErrorNote, Notice, SelectField, Spinner, TextArea, TextField, formatTime, useConfirm, useLoad } from '../lib/ui.js';

const STATUSES = ['', 'queued', 'scheduled', 'sending', 'sent', 'delivered', 'read', 'failed', 'cancelled', 'received'];

/** The first field error under a prefix (`recipients` finds `body.recipients.3`). */
const under = (err, name) => fieldError(err, name) ?? Object.entries(err?.fields ?? {}).find(([f]) => f.startsWith(`body.${name}.`))?.[1] ?? null;

export default function MessagesPage({ params, events }) {
  const id = params.id;
  return html`<section class="page messages">
    <h1>${t('messages.title')}</h1>
    <${BulkSend} id=${id} events=${events} />
    <${Outbox} id=${id} events=${events} />
    <${Recurring} id=${id} />
  </section>`;
}

function Outbox({ id, events }) {
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const [error, setError] = useState(null);
  const [dialog, ask] = useConfirm();
  const q = new URLSearchParams({ page: String(page), limit: '20', ...(status ? { status } : {}) });
  const list = useLoad(() => api('GET', `/v1/instances/${id}/messages?${q}`), [id, status, page]);
  useEvent(events, 'message.status', () => list.reload(), [list.reload]);
  const cancel = async (m) => {
    if (!(await ask({ title: t('messages.cancelTitle'), body: t('messages.cancelBody', { to: m.to ?? '' }), confirm: t('messages.cancel') }))) return;
    setError(null);
    try {
      await api('DELETE', `/v1/instances/${id}/messages/${m.id}`);
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const pages = list.data?.pagination?.pages ?? 1;
  return html`<div class="card">
    ${dialog}
    <div class="row-between wrap"><h2>${t('messages.outbox')}</h2>
      <${SelectField} label=${t('messages.filter')} value=${status} onChange=${(v) => { setStatus(v); setPage(1); }}
        options=${STATUSES.map((s) => ({ value: s, label: s ? t(`messages.status.${s}`) : t('messages.all') }))} /></div>
    <${ErrorNote} text=${generalError(error) ?? list.error?.message} />
    ${list.loading && !list.data && html`<${Spinner} />`}
    ${list.data?.messages.length === 0 && html`<p class="muted">${t('messages.none')}</p>`}
    <ul class="plain-list">
      ${(list.data?.messages ?? []).map((m) => html`<li class="list-item">
        <div class="item-main">
          <span class=${`badge m-${m.status}`}>${t(`messages.status.${m.status}`)}</span>
          <strong class="mono">${m.direction === 'in' ? t('messages.from', { who: m.from ?? m.chat_jid ?? '' }) : t('messages.to', { who: m.to ?? '' })}</strong>
          <p class="break">${preview(m)}</p>
          <p class="hint">${formatTime(m.schedule_at ?? m.created_at)}${m.error ? ` · ${m.error}` : ''}</p>
        </div>
        ${m.status === 'scheduled' || m.status === 'queued' ? html`<div class="actions"><button type="button" class="btn danger" onClick=${() => cancel(m)}>${t('messages.cancel')}</button></div>` : null}
      </li>`)}
    </ul>
    <nav class="pager" aria-label=${t('messages.pages')}>
      <button type="button" class="btn" disabled=${page <= 1} onClick=${() => setPage(page - 1)}>${t('messages.prev')}</button>
      <span>${t('messages.page', { page, pages })}</span>
      <button type="button" class="btn" disabled=${page >= pages} onClick=${() => setPage(page + 1)}>${t('messages.next')}</button>
    </nav>
  </div>`;
}

function preview(m) {
  const c = m.content ?? {};
  if (typeof m.text === 'string') return m.text;
  if (typeof c.text === 'string') return c.text;
  if (typeof c.caption === 'string') return c.caption;
  return c.type ?? m.type ?? '';
}

function BulkSend({ id, events }) {
  const [numbers, setNumbers] = useState('');
  const [text, setText] = useState('');
  const [delay, setDelay] = useState('0');
  const [error, setError] = useState(null);
  const [job, setJob] = useState(null);
  const [busy, setBusy] = useState(false);
  useEvent(events, 'job.progress', (p) => {
    if (job && p.job_id === job.id) setJob((j) => ({ ...j, status: p.status, progress: { ...j.progress, ...p } }));
  }, [job?.id]);
  // Also poll while running: the stream may have missed an event (a reconnect).
  useEffect(() => {
    if (!job || job.status === 'completed' || job.status === 'cancelled') return undefined;
    const timer = setInterval(async () => {
      try {
        const j = await api('GET', `/v1/instances/${id}/jobs/${job.id}?limit=1`);
        setJob((cur) => (cur && cur.id === j.id ? { ...cur, status: j.status, progress: j.progress } : cur));
      } catch {
        /* the next tick tries again */
      }
    }, 1500);
    return () => clearInterval(timer);
  }, [job?.id, job?.status]);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const recipients = numbers.split(/[\s,;]+/).map((n) => n.trim()).filter(Boolean);
      const j = await api('POST', `/v1/instances/${id}/messages/bulk`, { recipients, content: { text }, delay_ms: Number(delay) || 0 });
      setJob(j);
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const p = job?.progress;
  const done = p ? p.sent + p.failed + (p.cancelled ?? 0) : 0;
  return html`<form class="card" onSubmit=${submit} novalidate aria-labelledby="bulk-title">
    <h2 id="bulk-title">${t('messages.bulkTitle')}</h2>
    <${TextArea} label=${t('messages.recipients')} value=${numbers} onInput=${setNumbers} rows="4" hint=${t('messages.recipientsHint')} error=${under(error, 'recipients')} />
    <${TextArea} label=${t('messages.text')} value=${text} onInput=${setText} rows="3" hint=${t('messages.textHint')} error=${under(error, 'content')} />
    <${TextField} label=${t('messages.delay')} type="number" min="0" value=${delay} onInput=${setDelay} error=${fieldError(error, 'delay_ms')} hint=${t('messages.delayHint')} />
    <${ErrorNote} text=${generalError(error, ['recipients', 'content', 'content.text', 'delay_ms'])} />
    <div class="actions"><button type="submit" class="btn primary" disabled=${busy}>${t('messages.sendBulk')}</button></div>
    ${job && html`<div class="job">
      <label for="job-progress">${t('messages.progress', { done, total: p.total })}</label>
      <progress id="job-progress" max=${p.total} value=${done}>${done}/${p.total}</progress>
      <p class="hint" role="status">${t(`messages.job.${job.status}`)} · ${t('messages.counts', { sent: p.sent, failed: p.failed, pending: p.pending })}</p>
      ${job.warnings?.map((w) => html`<${Notice} kind="warn">${w}<//>`)}
    </div>`}
  </form>`;
}

function Recurring({ id }) {
  const base = `/v1/instances/${id}/recurring`;
  const list = useLoad(() => api('GET', base).then((r) => r.recurring), [id]);
  const [form, setForm] = useState({ name: '', to: '', cron: '0 9 * * mon-fri', text: '' });
  const [error, setError] = useState(null);
  const [dialog, ask] = useConfirm();
  const set = (k) => (v) => setForm({ ...form, [k]: v });
  const create = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', base, { ...(form.name ? { name: form.name } : {}), to: form.to, cron: form.cron, content: { text: form.text } });
      setForm({ ...form, name: '', to: '', text: '' });
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (r) => {
    if (!(await ask({ title: t('recurring.deleteTitle'), body: `${r.name ?? r.to} · ${r.cron}`, confirm: t('common.delete') }))) return;
    try {
      await api('DELETE', `${base}/${r.id}`);
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  return html`<div class="card">
    ${dialog}
    <h2>${t('recurring.title')}</h2>
    <${ErrorNote} text=${list.error?.message} />
    ${list.data?.length === 0 && html`<p class="muted">${t('recurring.none')}</p>`}
    <ul class="plain-list">
      ${(list.data ?? []).map((r) => html`<li class="list-item">
        <div class="item-main"><strong>${r.name ?? r.to}</strong> <span class="mono">${r.cron}</span> (${r.time_zone})
          <p class="hint">${t('recurring.next', { when: r.next_run_at ? formatTime(r.next_run_at) : '—', runs: r.runs })}${r.paused ? ` · ${t('recurring.paused')}` : ''}</p></div>
        <div class="actions"><button type="button" class="btn danger" onClick=${() => remove(r)}>${t('common.delete')}</button></div>
      </li>`)}
    </ul>
    <form onSubmit=${create} novalidate aria-labelledby="rec-new">
      <h3 id="rec-new">${t('recurring.newTitle')}</h3>
      <div class="row">
        <${TextField} label=${t('recurring.name')} value=${form.name} onInput=${set('name')} error=${fieldError(error, 'name')} />
        <${TextField} label=${t('recurring.to')} value=${form.to} onInput=${set('to')} error=${fieldError(error, 'to')} />
      </div>
      <${TextField} label=${t('recurring.cron')} value=${form.cron} onInput=${set('cron')} error=${fieldError(error, 'cron')} hint=${t('recurring.cronHint')} />
      <${TextArea} label=${t('recurring.text')} value=${form.text} onInput=${set('text')} error=${under(error, 'content')} />
      <${ErrorNote} text=${generalError(error, ['name', 'to', 'cron', 'content', 'content.text'])} />
      <div class="actions"><button type="submit" class="btn primary">${t('recurring.create')}</button></div>
    </form>
  </div>`;
}
