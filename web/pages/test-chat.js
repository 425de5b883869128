// Talk to the bot. A sandbox bot answers for real (the message goes through the whole
// pipeline); a linked bot gets a dry run that never sends. Every answer shows its trace.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { ApiError, api, fieldError, generalError } from '../lib/api.js';
import { t } from '../lib/i18n.js';
import { ErrorNote, TextField, Trace, replyText } from '../lib/ui.js';

const GROUP = '120363000000000001@g.us';

let seq = 0;

export default function TestChat({ instance }) {
  const sandbox = instance.engine === 'sandbox';
  const [items, setItems] = useState([]);
  const [text, setText] = useState('');
  const [from, setFrom] = useState('59171234567');
  const [name, setName] = useState('Ana');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const log = useRef(null);
  useEffect(() => {
    log.current?.scrollTo({ top: log.current.scrollHeight });
  }, [items]);

  const send = async (mode) => {
    if (!text.trim()) {
      setError(new ApiError(400, { detail: t('chat.empty'), errors: [{ field: 'body.text', message: t('chat.empty') }] }));
      return;
    }
    setBusy(true);
    setError(null);
    const body = { from, text, push_name: name || undefined };
    if (mode === 'group') body.group = GROUP;
    if (mode === 'unread') body.unread = true;
    if (mode === 'owner') body.from_me = true;
    const sent = { id: ++seq, kind: 'in', text, mode };
    try {
      const trace = await api('POST', sandbox ? `/v1/instances/${instance.id}/sandbox/messages` : `/v1/instances/${instance.id}/rules/test`, body);
      const answers = trace.replies.length
        ? trace.replies.map((r, i) => ({ id: ++seq, kind: 'bot', text: replyText(r), trace: i === trace.replies.length - 1 ? trace : null }))
        : [{ id: ++seq, kind: 'note', text: t('chat.silent', { why: trace.summary }), trace }];
      setItems((all) => [...all, sent, ...answers]);
      setText('');
    } catch (err) {
      setError(err);
    }
    setBusy(false);
    document.querySelector('.chat-input input')?.focus();
  };

  return html`<section class="page">
    <h1>${t('chat.title', { name: instance.name })}</h1>
    <p class="lead">${sandbox ? t('chat.sandboxLead') : t('chat.dryRunLead')}</p>
    <div class="grid-chat">
      <div class="card chat">
        <ol class="chat-log" ref=${log} aria-label=${t('chat.logLabel')} aria-live="polite">
          ${items.length === 0 && html`<li class="bubble note">${t('chat.start')}</li>`}
          ${items.map((m) => html`<li key=${m.id} class=${`bubble ${m.kind}`}>
            ${m.kind === 'in' && html`<span class="who-line">${t(`chat.as.${m.mode}`)}</span>`}
            ${m.kind === 'bot' && html`<span class="who-line">${sandbox ? instance.settings.bot_name : t('chat.wouldSay')}</span>`}
            ${m.text}
            ${m.trace && html`<details><summary>${t('chat.why')}</summary><${Trace} trace=${m.trace} /></details>`}
          </li>`)}
        </ol>
        <form class="chat-form" onSubmit=${(e) => { e.preventDefault(); send('contact'); }} novalidate>
          <div class="chat-input">
            <${TextField} label=${t('chat.message')} value=${text} onInput=${setText} error=${fieldError(error, 'text')} autocomplete="off" />
            <button type="submit" class="btn primary" disabled=${busy}>${t('chat.send')}</button>
          </div>
          <div class="chat-modes" role="group" aria-label=${t('chat.sendAs')}>
            <button type="button" class="btn" disabled=${busy} onClick=${() => send('group')}>${t('chat.sendGroup')}</button>
            <button type="button" class="btn" disabled=${busy} onClick=${() => send('unread')}>${t('chat.sendUnread')}</button>
            <button type="button" class="btn" disabled=${busy} onClick=${() => send('owner')}>${t('chat.sendOwner')}</button>
          </div>
          <${ErrorNote} text=${generalError(error, ['text', 'from', 'push_name'])} />
        </form>
      </div>
      <aside class="card">
        <h2>${t('chat.senderTitle')}</h2>
        <${TextField} label=${t('chat.from')} type="tel" value=${from} onInput=${setFrom} error=${fieldError(error, 'from')} hint=${t('chat.fromHint')} />
        <${TextField} label=${t('chat.name')} value=${name} onInput=${setName} error=${fieldError(error, 'push_name')} />
        <p class="hint">${t('chat.modesHint')}</p>
        <p><a href=${`#/instances/${instance.id}/rules`}>${t('chat.editRules')}</a> · <a href=${`#/instances/${instance.id}/settings`}>${t('chat.editSettings')}</a></p>
      </aside>
    </div>
  </section>`;
}
