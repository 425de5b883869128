// Every seed 003 setting: name, time zone, language, days, hours, the six action flags,
// the default message with server-rendered previews, and whether the bot is active right now.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api, fieldError, generalError } from '../lib/api.js';
import { t } from '../lib/i18n.js';
import { ErrorNote, Notice, Spinner, TextArea, TextField, Toggle, useId, useLoad } from '../lib/ui.js';

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const FLAGS = ['reply_msgs', 'send_default_msg', 'reply_group_msgs', 'reply_unread_msgs', 'multi_device', 'send_webhook'];
const LANGS = ['en', 'es', 'pt', 'fr', 'de', 'it', 'es-BO', 'es-MX', 'es-CO', 'pt-BR'];
const SHOWN = ['bot_name', 'bot_timezone', 'bot_lang', 'default_msg', 'active_hours.from', 'active_hours.to', 'active_hours', 'takeover_minutes', ...DAYS.map((d) => `active_days.${d}`), ...FLAGS.map((f) => `actions.${f}`)];

function timeZones() {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
}

/** The "right now" line: the server's schedule check with the saved settings. */
function RightNow({ instanceId, version }) {
  const now = useLoad(() => api('GET', `/v1/instances/${instanceId}/schedule`), [instanceId, version]);
  useEffect(() => {
    const timer = setInterval(() => now.reload(), 60_000);
    return () => clearInterval(timer);
  }, [now.reload]);
  if (!now.data) return now.error ? html`<${ErrorNote} error=${now.error} />` : null;
  const s = now.data;
  return html`<div class=${`now-line ${s.active ? 'active' : 'inactive'}`} role="status" aria-live="polite" data-testid="right-now">
    <span class="big-dot" aria-hidden="true"></span>
    <span><strong>${t('settings.now')} ${s.active ? t('settings.nowActive') : t('settings.nowInactive')}</strong>${s.active ? ' — ' : ` ${t('settings.because')} `}${s.reason}</span>
  </div>`;
}

/** Three renderings of the draft, by the server, as the bot would send them. */
function Preview({ instanceId, text }) {
  const [out, setOut] = useState({ renderings: [], error: null });
  const seq = useRef(0);
  useEffect(() => {
    if (!text.trim()) return setOut({ renderings: [], error: null });
    const mine = ++seq.current;
    const timer = setTimeout(async () => {
      try {
        const answer = await api('POST', `/v1/instances/${instanceId}/settings/preview`, { text, count: 3 });
        if (mine === seq.current) setOut({ renderings: answer.renderings, error: null });
      } catch (error) {
        if (mine === seq.current) setOut({ renderings: [], error });
      }
    }, 300);
    return () => clearTimeout(timer);
  }, [text]);
  return html`<div class="preview" aria-live="polite">
    <h3>${t('settings.previewTitle')}</h3>
    <ul class="preview-list" aria-label=${t('settings.previewTitle')}>
      ${out.renderings.map((r) => html`<li>${r}</li>`)}
    </ul>
    <${ErrorNote} text=${generalError(out.error, ['text'])} />
  </div>`;
}

function DayToggles({ days, onChange, error }) {
  return html`<fieldset>
    <legend>${t('settings.days')}</legend>
    <div class="days">
      ${DAYS.map((d) => {
        const id = `day-${d}`;
        return html`<span class="day-toggle">
          <input type="checkbox" id=${id} checked=${days[d]} onChange=${(e) => onChange({ ...days, [d]: e.currentTarget.checked })} />
          <label for=${id}>${t(`day.${d}`)}</label>
        </span>`;
      })}
    </div>
    <p class="hint">${t('settings.daysHint')}</p>
    ${error && html`<p class="field-error" role="alert">${error}</p>`}
  </fieldset>`;
}

function Hours({ hours, onChange, err }) {
  const always = hours.from === 'always';
  return html`<fieldset>
    <legend>${t('settings.hours')}</legend>
    <${Toggle} label=${t('settings.always')} checked=${always} onChange=${(on) => onChange(on ? { from: 'always', to: 'always' } : { from: '09:00', to: '18:00' })} hint=${t('settings.alwaysHint')} />
    ${!always && html`<div class="row">
      <${TextField} label=${t('settings.from')} type="time" value=${hours.from} onInput=${(v) => onChange({ ...hours, from: v })} error=${fieldError(err, 'active_hours.from')} />
      <${TextField} label=${t('settings.to')} type="time" value=${hours.to} onInput=${(v) => onChange({ ...hours, to: v })} error=${fieldError(err, 'active_hours.to')} hint=${t('settings.toHint')} />
    </div>`}
    ${fieldError(err, 'active_hours') && html`<p class="field-error" role="alert">${fieldError(err, 'active_hours')}</p>`}
  </fieldset>`;
}

export default function Settings({ instance, setInstance }) {
  const loaded = useLoad(() => api('GET', `/v1/instances/${instance.id}/settings`), [instance.id]);
  const [draft, setDraft] = useState(null);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0);
  const zones = useMemo(timeZones, []);
  const zoneList = useId('zones');
  const langList = useId('langs');
  useEffect(() => {
    if (loaded.data && !draft) setDraft(loaded.data);
  }, [loaded.data]);
  if (!draft) return html`<section class="page"><h1>${t('settings.title')}</h1>${loaded.error ? html`<${ErrorNote} error=${loaded.error} />` : html`<${Spinner} />`}</section>`;

  const set = (patch) => {
    setSaved(false);
    setDraft({ ...draft, ...patch });
  };
  const save = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { bot_name, bot_timezone, bot_lang, default_msg, actions, active_days, active_hours, takeover_minutes } = draft;
      const next = await api('PATCH', `/v1/instances/${instance.id}/settings`, { bot_name, bot_timezone, bot_lang, default_msg, actions, active_days, active_hours, takeover_minutes: Number(takeover_minutes) || 0 });
      setDraft(next);
      setSaved(true);
      setVersion(version + 1);
      setInstance?.({ ...instance, settings: next });
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };

  return html`<section class="page">
    <h1>${t('settings.title')}</h1>
    <${RightNow} instanceId=${instance.id} version=${version} />
    <form onSubmit=${save} novalidate>
      <div class="grid-2">
        <div>
          <div class="card">
            <h2>${t('settings.general')}</h2>
            <${TextField} label=${t('settings.botName')} value=${draft.bot_name} onInput=${(v) => set({ bot_name: v })} error=${fieldError(error, 'bot_name')} hint=${t('settings.botNameHint')} />
            <${TextField} label=${t('settings.timezone')} value=${draft.bot_timezone} onInput=${(v) => set({ bot_timezone: v })} list=${zoneList} autocomplete="off" spellcheck="false"
              error=${fieldError(error, 'bot_timezone')} hint=${t('settings.timezoneHint')} />
            <datalist id=${zoneList}>${zones.map((z) => html`<option value=${z}></option>`)}</datalist>
            <${TextField} label=${t('settings.lang')} value=${draft.bot_lang} onInput=${(v) => set({ bot_lang: v })} list=${langList} autocomplete="off" error=${fieldError(error, 'bot_lang')} hint=${t('settings.langHint')} />
            <datalist id=${langList}>${LANGS.map((l) => html`<option value=${l}></option>`)}</datalist>
          </div>
          <div class="card">
            <h2>${t('settings.schedule')}</h2>
            <${DayToggles} days=${draft.active_days} onChange=${(d) => set({ active_days: d })} error=${DAYS.map((d) => fieldError(error, `active_days.${d}`)).find(Boolean)} />
            <${Hours} hours=${draft.active_hours} onChange=${(h) => set({ active_hours: h })} err=${error} />
          </div>
        </div>
        <div>
          <div class="card">
            <h2>${t('settings.actions')}</h2>
            ${FLAGS.map((f) => html`<${Toggle} label=${t(`flag.${f}`)} hint=${t(`flag.${f}.hint`)} checked=${draft.actions[f]} onChange=${(v) => set({ actions: { ...draft.actions, [f]: v } })} error=${fieldError(error, `actions.${f}`)} />`)}
            <${Toggle} label=${t('flag.read_messages')} hint=${t('flag.read_messages.hint')} checked=${!!draft.actions.read_messages} onChange=${(v) => set({ actions: { ...draft.actions, read_messages: v } })} />
            <${TextField} label=${t('settings.takeover')} type="number" min="0" max="10080" value=${String(draft.takeover_minutes ?? 0)} onInput=${(v) => set({ takeover_minutes: v })} error=${fieldError(error, 'takeover_minutes')} hint=${t('settings.takeoverHint')} />
          </div>
          <div class="card">
            <h2>${t('settings.defaultMsg')}</h2>
            <${TextArea} label=${t('settings.defaultMsgLabel')} value=${draft.default_msg} onInput=${(v) => set({ default_msg: v })} rows="3" error=${fieldError(error, 'default_msg')} hint=${t('settings.defaultMsgHint')} />
            <${Preview} instanceId=${instance.id} text=${draft.default_msg} />
          </div>
        </div>
      </div>
      <div class="save-bar">
        <${ErrorNote} text=${generalError(error, SHOWN)} />
        ${saved && html`<${Notice}>${t('common.saved')}<//>`}
        <button type="submit" class="btn primary" disabled=${busy}>${t('settings.save')}</button>
      </div>
    </form>
  </section>`;
}
