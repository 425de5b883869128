// Linking: the live QR code, the pairing-code alternative, restart and logout.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api, fieldError, generalError } from '../lib/api.js';
import { useEvent } from '../lib/events.js';
import { t } from '../lib/i18n.js';
import { ErrorNote, Notice, StatusBadge, TextField, useConfirm } from '../lib/ui.js';

/** What the status means for the owner, in plain words (the server's reason follows it). */
function explain(status) {
  return t(`link.explain.${status}`);
}

function QrCode({ instanceId, status, events }) {
  const [qr, setQr] = useState(null);
  const [error, setError] = useState(null);
  const load = async () => {
    try {
      setQr(await api('GET', `/v1/instances/${instanceId}/qr`));
      setError(null);
    } catch (err) {
      if (err.status === 404) setQr(null);
      else setError(err);
    }
  };
  useEffect(() => {
    if (status === 'qr') load();
    else setQr(null);
  }, [status]);
  // every new code from WhatsApp (about every 20 s) arrives on the stream
  useEvent(events, 'qr', () => load());
  if (status !== 'qr' && !qr) return null;
  return html`<div class="qr-box">
    ${qr ? html`<img src=${qr.data_url} alt=${t('link.qrAlt')} width="280" height="280" data-qr=${qr.qr} />` : html`<p class="muted">${t('common.loading')}</p>`}
    <p class="hint">${t('link.qrRefresh')}</p>
    <${ErrorNote} error=${error} />
  </div>`;
}

function PairingCode({ instanceId }) {
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setCode(null);
    try {
      setCode(await api('POST', `/v1/instances/${instanceId}/pairing-code`, { phone }));
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  return html`<form class="card" onSubmit=${submit} novalidate>
    <h2>${t('link.pairingTitle')}</h2>
    <p class="muted">${t('link.pairingLead')}</p>
    <${TextField} label=${t('link.pairingPhone')} type="tel" value=${phone} onInput=${setPhone} hint=${t('link.pairingPhoneHint')} error=${fieldError(error, 'phone')} autocomplete="tel" />
    <${ErrorNote} text=${generalError(error, ['phone'])} />
    <button type="submit" class="btn" disabled=${busy}>${t('link.pairingGet')}</button>
    ${code && html`<div class="pairing-result" role="status">
      <p>${t('link.pairingEnter')}</p>
      <p><span class="pairing-code" aria-label=${t('link.pairingCodeLabel')}>${code.code}</span></p>
    </div>`}
  </form>`;
}

export default function Link({ instance, status, events, reloadInstance }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [dialog, ask] = useConfirm();
  const current = status?.status ?? instance.status;
  const sandbox = instance.engine === 'sandbox';
  useEvent(events, 'connection.update', () => setError(null));
  const act = (action) => async () => {
    if (action === 'logout') {
      const ok = await ask({ title: t('link.logoutTitle'), body: t('link.logoutBody'), confirm: t('link.logout') });
      if (!ok) return;
    }
    setBusy(true);
    setError(null);
    try {
      await api('POST', `/v1/instances/${instance.id}/${action}`);
      await reloadInstance();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const canConnect = ['disconnected', 'logged_out', 'failed'].includes(current);
  const problem = current === 'failed' || current === 'logged_out' || (current === 'disconnected' && status?.reason);
  return html`<section class="page">
    <div class="page-head">
      <div>
        <h1>${t('link.title', { name: instance.name })}</h1>
        <p class="lead">${sandbox ? t('link.sandboxLead') : t('link.lead')}</p>
      </div>
    </div>
    <div class="grid-2">
      <div class="card">
        <h2>${t('link.statusTitle')}</h2>
        <p><${StatusBadge} status=${current} /> ${status?.phone && html`<span class="phone">+${status.phone}</span>`} ${status?.name && html`<span>${status.name}</span>`}</p>
        <${Notice} kind=${problem ? 'warn' : 'ok'}>${explain(current)}${status?.reason ? html` <span class="reason">${t('link.reason')}: ${status.reason}</span>` : ''}<//>
        ${!sandbox && current === 'qr' && html`<ol class="steps">
          <li>${t('link.step1')}</li><li>${t('link.step2')}</li><li>${t('link.step3')}</li>
        </ol>`}
        ${!sandbox && html`<${QrCode} instanceId=${instance.id} status=${current} events=${events} />`}
        <${ErrorNote} error=${error} />
        <div class="actions">
          ${canConnect && html`<button type="button" class="btn primary" onClick=${act('connect')} disabled=${busy}>${t('link.connect')}</button>`}
          ${!canConnect && html`<button type="button" class="btn" onClick=${act('restart')} disabled=${busy}>${t('link.restart')}</button>`}
          ${!sandbox && current !== 'logged_out' && html`<button type="button" class="btn danger-outline" onClick=${act('logout')} disabled=${busy}>${t('link.logout')}</button>`}
        </div>
      </div>
      ${!sandbox && current !== 'connected' && html`<${PairingCode} instanceId=${instance.id} />`}
      ${sandbox && html`<div class="card"><h2>${t('link.sandboxTitle')}</h2><p>${t('link.sandboxBody')}</p><p><a class="btn primary" href=${`#/instances/${instance.id}/chat`}>${t('tab.chat')}</a></p></div>`}
    </div>
    ${dialog}
  </section>`;
}
