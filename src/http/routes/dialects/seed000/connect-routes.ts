/**
 * Seed 000's linking routes. The seed's gateway starts its Baileys session
 * at boot and shows whatever QR it has; in tucan the instance may be idle,
 * so both routes start linking when needed (lifecycle.awaitQr) and answer
 * with the QR once WhatsApp shows one:
 * - `GET /whatsapp/connect` → `{success, qrBase64: 'data:image/png;base64,…'}`,
 *   or the seed's "already linked or generating" message;
 * - `GET /whatsapp/connect/view` → a page with the QR that reloads itself
 *   until the device is linked. It is opened with `?access_token=`; the
 *   reload keeps the URL, and the page neither contains the token nor sends
 *   it on as a Referer.
 */
import { z } from 'zod';
import type { StatusView } from '../../../../services/lifecycle.js';
import type { InstanceDoc } from '../../../../store/repositories/instances.js';
import type { Api } from '../../../api.js';
import { byCredential } from '../../../kit/instance.js';
import { qrDataUrl } from '../../../kit/qr-image.js';
import { esc, page } from '../../../pages/html.js';
import { defineRoute } from '../../../route.js';
import { errorResponses, SEED000_TAG } from './envelope.js';

/** The seed's own words when there is no QR to show. */
export const NO_QR_MESSAGE = 'WhatsApp ya está vinculado o el código se está generando de fondo...';
/** How long the JSON route waits for WhatsApp's first QR (Baileys usually shows one within a few seconds). */
const JSON_QR_WAIT_MS = 10_000;
/** The page reloads anyway; it waits less so the browser shows progress. */
const PAGE_QR_WAIT_MS = 3_000;
const REFRESH_SECONDS = 5;
const NO_STORE = { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' };

const ConnectSchema = z
  .object({
    success: z.literal(true),
    qrBase64: z.string().optional().meta({ description: 'the QR as a PNG data URL, for an <img>', example: 'data:image/png;base64,iVBORw0KGg...' }),
    message: z.string().optional().meta({ example: NO_QR_MESSAGE }),
    status: z.string().meta({ description: "tucan's connection status: qr, connecting, connected, reconnecting, disconnected, logged_out, failed" }),
    reason: z.string().nullable().optional().meta({ description: 'why the connection is not under way, when it stopped' }),
  })
  .meta({ id: 'Seed000Connect' });

export function seed000ConnectRoutes(s: Pick<Api, 'lifecycle'>) {
  return [
    defineRoute({
      method: 'get',
      path: '/whatsapp/connect',
      tags: [SEED000_TAG],
      summary: 'The QR code to link WhatsApp (PNG data URL), or the "already linked / generating" message',
      description: `Starts linking when the instance is idle and waits up to ${JSON_QR_WAIT_MS / 1000} s for the QR. Native: \`POST /v1/instances/{id}/connect\` then \`GET /v1/instances/{id}/qr\`.`,
      auth: 'principal',
      queryToken: true,
      instance: byCredential,
      responses: { 200: { description: 'The QR, or why there is none', schema: ConnectSchema }, ...errorResponses() },
      handler: async ({ instance }) => {
        const { qr, status } = await s.lifecycle.awaitQr(instance, JSON_QR_WAIT_MS);
        if (qr) return { body: { success: true, qrBase64: await qrDataUrl(qr), status: status.status }, headers: NO_STORE };
        const stopped = !['connected', 'connecting', 'reconnecting', 'qr'].includes(status.status);
        return { body: { success: true, message: NO_QR_MESSAGE, status: status.status, ...(stopped ? { reason: status.reason } : {}) }, headers: NO_STORE };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/whatsapp/connect/view',
      tags: [SEED000_TAG],
      summary: 'HTML page with a scannable QR that follows each new code until the device is linked',
      description: 'Open it in a browser as `/whatsapp/connect/view?access_token=<instance token>`. Native: `GET /v1/instances/{id}/qr?format=html`.',
      auth: 'principal',
      queryToken: true,
      instance: byCredential,
      responses: { 200: { description: 'The page', contentType: 'text/html' }, ...errorResponses() },
      handler: async ({ instance }) => {
        const { qr, status } = await s.lifecycle.awaitQr(instance, PAGE_QR_WAIT_MS);
        return { body: await linkingPage(instance, status, qr), type: 'text/html; charset=utf-8', headers: NO_STORE };
      },
    }),
  ];
}

async function linkingPage(instance: InstanceDoc, status: StatusView, qr: string | null): Promise<string> {
  const linked = status.status === 'connected';
  // a fresh QR replaces the old one about every 20 s: keep reloading until linked
  const refresh = linked ? '' : `<meta http-equiv="refresh" content="${REFRESH_SECONDS}">`;
  let body: string;
  if (linked) {
    body = `<p class="ok"><strong>WhatsApp vinculado.</strong> ${esc(status.name ?? '')} ${status.phone ? `(+${esc(status.phone)})` : ''}</p><p>Ya puede cerrar esta página.</p>`;
  } else if (qr) {
    body = `<p>Abra WhatsApp en su teléfono → <strong>Ajustes</strong> → <strong>Dispositivos vinculados</strong> → <strong>Vincular un dispositivo</strong>, y escanee:</p>
<p><img src="${esc(await qrDataUrl(qr))}" width="320" height="320" alt="Código QR de WhatsApp"></p>
<p class="muted">El código cambia cada 20 segundos; esta página lo sigue sola.</p>`;
  } else {
    body = `<p>Generando el código QR… estado: <strong>${esc(status.status)}</strong>${status.reason ? ` (${esc(status.reason)})` : ''}.</p>
<p class="muted">Esta página se actualiza sola.</p>`;
  }
  return page(`Vincular ${instance.name}`, `<h1>Vincular “${esc(instance.name)}” con WhatsApp</h1>\n${body}`, refresh, 'es');
}
