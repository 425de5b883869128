/**
 * Linking a WhatsApp number: the QR code in three forms, and the pairing
 * code as the alternative.
 *
 * - `GET /v1/instances/:id/qr` → JSON with the raw QR payload and a PNG data
 *   URL (404 while there is none); `?format=png` → the image itself;
 *   `?format=html` → a page that refreshes itself until the device is linked.
 *   All three accept `?access_token=` so the page can be opened in a browser;
 *   the page therefore sends no Referer and is never cached.
 * - `POST /v1/instances/:id/pairing-code {phone}` → the 8-character code.
 */
import { z } from 'zod';
import { parsePhone } from '../../../domain/recipient.js';
import type { InstanceDoc } from '../../../store/repositories/instances.js';
import type { StatusView } from '../../../services/lifecycle.js';
import { ServiceError, ValidationError } from '../../../services/errors.js';
import type { Api } from '../../api.js';
import { esc, page } from '../../pages/html.js';
import { byPath } from '../../kit/instance.js';
import { qrDataUrl, qrPng } from '../../kit/qr-image.js';
import { defineRoute } from '../../route.js';
import { InstanceParams } from '../../schemas.js';

const QrQuery = z
  .object({
    format: z.enum(['json', 'png', 'html']).default('json').meta({ description: 'json (default), png (the image) or html (a self-refreshing page)' }),
  })
  .strict();

const QrSchema = z
  .object({
    qr: z.string().meta({ description: 'the raw QR payload, for rendering it yourself' }),
    data_url: z.string().meta({ description: 'the QR as a PNG data URL' }),
    status: z.string(),
  })
  .meta({ id: 'InstanceQr' });

const PairingBody = z
  .object({
    phone: z
      .string()
      .trim()
      .min(1)
      .superRefine((value, ctx) => {
        const parsed = parsePhone(value);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
      })
      .meta({ description: 'the number to link, with its country code (e.g. 573001234567)', example: '573001234567' }),
  })
  .strict();

const PairingSchema = z
  .object({
    code: z.string().meta({ description: 'type it on the phone: WhatsApp → Linked devices → Link with phone number', example: 'ABCD1234' }),
    phone: z.string(),
  })
  .meta({ id: 'PairingCode' });

/** How often the linking page reloads; a new QR comes every 20 s. */
const REFRESH_SECONDS = 5;
const NO_STORE = { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' };

export function qrRoutes(s: Pick<Api, 'lifecycle'>) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/qr',
      tags: ['Connection'],
      summary: 'The QR code to link WhatsApp (JSON, PNG or a self-refreshing page)',
      description:
        'Available while the connection waits for a scan (status `qr`) — call `connect` first. The JSON and PNG forms answer 404 when no QR is available; the HTML page keeps refreshing until the device is linked.',
      auth: 'principal',
      queryToken: true,
      instance: byPath,
      params: InstanceParams,
      query: QrQuery,
      responses: {
        200: { description: 'The QR code', schema: QrSchema },
        404: { description: 'No QR code is available right now (not connecting, or already linked)' },
      },
      handler: async ({ instance, query }) => {
        const qr = s.lifecycle.qr(instance);
        const status = s.lifecycle.status(instance);
        if (query.format === 'html') return { body: await linkingPage(instance, status, qr), type: 'text/html; charset=utf-8', headers: NO_STORE };
        if (!qr) throw new ServiceError(404, 'Not found', `no QR code is available: the instance is ${status.status}${status.status === 'connected' ? ' (already linked)' : '; connect it first'}`);
        if (query.format === 'png') return { body: await qrPng(qr), type: 'image/png', headers: NO_STORE };
        return { body: { qr, data_url: await qrDataUrl(qr), status: status.status }, headers: NO_STORE };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/instances/:id/pairing-code',
      tags: ['Connection'],
      summary: 'Link with a phone number instead of the QR: get an 8-character pairing code',
      description: 'Starts the connection if needed. 409 when the instance is already linked or its engine needs no linking (sandbox).',
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      body: PairingBody,
      responses: {
        200: { description: 'The pairing code', schema: PairingSchema },
        409: { description: 'Not applicable: already linked, or a sandbox instance' },
        503: { description: 'WhatsApp could not be reached in time' },
      },
      handler: async ({ instance, body }) => {
        const phone = parsePhone(body.phone);
        // the schema already refused invalid numbers; this only narrows the type
        if (!phone.ok) throw new ValidationError('body.phone', phone.reason);
        const code = await s.lifecycle.pairingCode(instance, phone.digits);
        return { body: { code, phone: phone.digits } };
      },
    }),
  ];
}

async function linkingPage(instance: InstanceDoc, status: StatusView, qr: string | null): Promise<string> {
  const linked = status.status === 'connected';
  // keep reloading until linked; a fresh QR replaces the old one every ~20 s
  const refresh = linked ? '' : `<meta http-equiv="refresh" content="${REFRESH_SECONDS}">`;
  let body: string;
  if (linked) {
    body = `<p class="ok"><strong>Linked.</strong> ${esc(status.name ?? '')} ${status.phone ? `(+${esc(status.phone)})` : ''}</p><p>You can close this page.</p>`;
  } else if (qr) {
    const dataUrl = await qrDataUrl(qr);
    body = `<p>Open WhatsApp on the phone → <strong>Linked devices</strong> → <strong>Link a device</strong>, and scan:</p>
<p><img src="${esc(dataUrl)}" width="320" height="320" alt="WhatsApp QR code"></p>
<p class="muted">The code changes every 20 seconds; this page follows it.</p>`;
  } else {
    body = `<p>No QR code right now — status: <strong>${esc(status.status)}</strong>${status.reason ? ` (${esc(status.reason)})` : ''}.</p>
<p class="muted">${status.status === 'connecting' || status.status === 'reconnecting' ? 'Waiting for WhatsApp…' : 'Start the connection (POST /v1/instances/{id}/connect); this page updates by itself.'}</p>`;
  }
  return page(`Link ${instance.name}`, `<h1>Link “${esc(instance.name)}” to WhatsApp</h1>\n${body}`, refresh);
}
