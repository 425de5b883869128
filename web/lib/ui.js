// Small shared components: labelled fields, buttons, confirmation, status, copy, trace.
import { useEffect, useMemo, useRef, useState, useCallback } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';

let ids = 0;
export function useId(prefix = 'f') {
  return useMemo(() => `${prefix}-${++ids}`, []);
}

/** Loads data on mount and whenever deps change: {data, error, loading, reload, setData}. */
export function useLoad(load, deps = []) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await load();
      if (mine === seq.current) setState({ data, error: null, loading: false });
    } catch (error) {
      if (mine === seq.current) setState((s) => ({ data: s.data, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    reload();
  }, [reload]);
  const setData = (fn) => setState((s) => ({ ...s, data: typeof fn === 'function' ? fn(s.data) : fn }));
  return { ...state, reload, setData };
}

function FieldShell({ id, label, hint, error, children, className = '' }) {
  return html`<div class=${`field ${error ? 'has-error' : ''} ${className}`}>
    <label for=${id}>${label}</label>
    ${children}
    ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
    ${error && html`<p class="field-error" id=${`${id}-error`} role="alert">${error}</p>`}
  </div>`;
}

function describedBy(id, hint, error) {
  return [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
}

export function TextField({ label, value, onInput, error, hint, type = 'text', className, ...rest }) {
  const id = useId();
  return html`<${FieldShell} id=${id} label=${label} hint=${hint} error=${error} className=${className}>
    <input id=${id} type=${type} value=${value ?? ''} onInput=${(e) => onInput(e.currentTarget.value)}
      aria-invalid=${error ? 'true' : undefined} aria-describedby=${describedBy(id, hint, error)} ...${rest} />
  <//>`;
}

export function TextArea({ label, value, onInput, error, hint, rows = 3, className, ...rest }) {
  const id = useId();
  return html`<${FieldShell} id=${id} label=${label} hint=${hint} error=${error} className=${className}>
    <textarea id=${id} rows=${rows} value=${value ?? ''} onInput=${(e) => onInput(e.currentTarget.value)}
      aria-invalid=${error ? 'true' : undefined} aria-describedby=${describedBy(id, hint, error)} ...${rest}></textarea>
  <//>`;
}

export function SelectField({ label, value, onChange, options, error, hint, className, ...rest }) {
  const id = useId();
  return html`<${FieldShell} id=${id} label=${label} hint=${hint} error=${error} className=${className}>
    <select id=${id} value=${value} onChange=${(e) => onChange(e.currentTarget.value)}
      aria-invalid=${error ? 'true' : undefined} aria-describedby=${describedBy(id, hint, error)} ...${rest}>
      ${options.map((o) => html`<option value=${o.value}>${o.label}</option>`)}
    </select>
  <//>`;
}

/** A checkbox drawn as a switch; the label is the visible text beside it. */
export function Toggle({ label, checked, onChange, hint, error, ...rest }) {
  const id = useId();
  return html`<div class=${`toggle ${error ? 'has-error' : ''}`}>
    <input id=${id} type="checkbox" role="switch" checked=${checked} onChange=${(e) => onChange(e.currentTarget.checked)}
      aria-describedby=${describedBy(id, hint, error)} ...${rest} />
    <label for=${id}><span class="switch" aria-hidden="true"></span><span class="toggle-text">${label}</span></label>
    ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
    ${error && html`<p class="field-error" id=${`${id}-error`} role="alert">${error}</p>`}
  </div>`;
}

export function ErrorNote({ error, text }) {
  const message = text ?? error?.message;
  if (!message) return null;
  return html`<p class="error-note" role="alert">${message}</p>`;
}

export function Notice({ kind = 'ok', children }) {
  return html`<p class=${`notice ${kind}`} role="status">${children}</p>`;
}

/** The connection status as a coloured pill with words, never colour alone. */
export function StatusBadge({ status }) {
  const s = status || 'disconnected';
  return html`<span class=${`badge status-${s}`}><span class="dot" aria-hidden="true"></span>${t(`status.${s}`)}</span>`;
}

/** A secret shown once: read-only field, copy button, and the warning that it will not be shown again. */
export function SecretOnce({ label, value, note }) {
  const id = useId();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      const input = document.getElementById(id);
      input.select();
      document.execCommand('copy');
    }
    setCopied(true);
  };
  return html`<div class="secret">
    <label for=${id}>${label}</label>
    <div class="copy-row">
      <input id=${id} readonly value=${value} onFocus=${(e) => e.currentTarget.select()} class="mono" />
      <button type="button" class="btn" onClick=${copy}>${copied ? t('common.copied') : t('common.copy')}</button>
    </div>
    <p class="hint warn">${note ?? t('common.shownOnce')}</p>
  </div>`;
}

/**
 * Asks before anything destructive, in a modal <dialog> (focus moves into it,
 * Escape cancels). Returns [element, ask]; ask({title, body, confirm}) resolves true or false.
 */
export function useConfirm() {
  const ref = useRef(null);
  const [q, setQ] = useState(null);
  const ask = (question) =>
    new Promise((resolve) => {
      setQ({ ...question, resolve });
    });
  useEffect(() => {
    if (q && ref.current && !ref.current.open) ref.current.showModal();
  }, [q]);
  const close = (answer) => {
    ref.current?.close();
    q?.resolve(answer);
    setQ(null);
  };
  const element = html`<dialog ref=${ref} class="confirm" aria-labelledby="confirm-title" onCancel=${(e) => { e.preventDefault(); close(false); }}>
    ${q && html`<form method="dialog" onSubmit=${(e) => { e.preventDefault(); close(true); }}>
      <h2 id="confirm-title">${q.title}</h2>
      ${q.body && html`<p>${q.body}</p>`}
      <div class="actions">
        <button type="button" class="btn" onClick=${() => close(false)} autofocus>${t('common.cancel')}</button>
        <button type="submit" class="btn danger">${q.confirm}</button>
      </div>
    </form>`}
  </dialog>`;
  return [element, ask];
}

const RESULT_CLASS = { pass: 'ok', match: 'ok', reply: 'ok', stop: 'bad', skip: 'muted', info: 'muted' };

/** A decision trace: every check in order, the last one saying why it stopped or what it sent. */
export function Trace({ trace }) {
  if (!trace) return null;
  return html`<div class="trace">
    <p class="trace-summary"><strong>${trace.replied ? t('trace.replied') : t('trace.silent')}</strong> ${trace.summary}</p>
    <ol class="trace-steps">
      ${trace.trace.map((s) => html`<li class=${`step ${RESULT_CLASS[s.result] ?? ''}`}>
        <span class="step-name">${s.step}</span>
        <span class=${`step-result r-${s.result}`}>${t(`trace.result.${s.result}`)}</span>
        <span class="step-detail">${s.detail}</span>
      </li>`)}
    </ol>
    ${trace.replies?.length > 0 && html`<div class="trace-replies"><h4>${t('trace.replies')}</h4>
      ${trace.replies.map((r) => html`<pre class="reply-json">${replyText(r)}</pre>`)}</div>`}
  </div>`;
}

/** The text of a rendered reply, or its JSON when it is not text. */
export function replyText(reply) {
  if (typeof reply.text === 'string') return reply.text;
  if (typeof reply.caption === 'string') return reply.caption;
  return JSON.stringify(reply);
}

export function Spinner() {
  return html`<span class="spinner" role="status"><span class="sr-only">${t('common.loading')}</span></span>`;
}

export function formatTime(iso) {
  try {
    return new Date(iso).toLocaleString(document.documentElement.lang);
  } catch {
    return iso;
  }
}
