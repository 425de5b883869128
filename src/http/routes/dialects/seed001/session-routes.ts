/**
 * Seed 001's session routes, onto the lifecycle service: status, the QR
 * (as a PNG data URL in JSON, or the PNG itself; 404 while there is none),
 * the linked profile, logout and restart. Restart is also how a seed 001
 * client starts linking: it (re)opens the connection, and a Baileys
 * instance then shows its QR.
 */
import { z } from 'zod';
import type { StatusView } from '../../../../services/lifecycle.js';
import { ServiceError } from '../../../../services/errors.js';
import type { InstanceDoc } from '../../../../store/repositories/instances.js';
import type { Api } from '../../../api.js';
import { byCredential } from '../../../kit/instance.js';
import { qrDataUrl, qrPng } from '../../../kit/qr-image.js';
import { defineRoute } from '../../../route.js';
import { errorResponses, ok, SEED001_TAG, successSchema } from './envelope.js';

const TAGS = [SEED001_TAG];
const NO_STORE = { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' };

const StatusData = z.object({
  status: z.enum(['disconnected', 'connecting', 'qr', 'connected', 'reconnecting', 'logged_out', 'failed']).meta({ description: "tucan's connection status" }),
  isReady: z.boolean().meta({ description: 'connected: messages can be sent' }),
  hasQR: z.boolean().meta({ description: 'a QR is waiting to be scanned (GET /api/session/qr)' }),
  phone: z.string().nullable(),
  name: z.string().nullable(),
  reason: z.string().nullable(),
});

const QrData = z.object({ qrCode: z.string().meta({ example: 'data:image/png;base64,iVBORw0KGgo…' }), qr: z.string().meta({ description: 'the raw QR payload' }) });

const ProfileData = z.object({ jid: z.string().nullable(), phone: z.string().nullable(), name: z.string().nullable(), about: z.string().nullable(), profilePicUrl: z.string().nullable() });

function statusData(v: StatusView) {
  return { status: v.status, isReady: v.is_ready, hasQR: v.has_qr, phone: v.phone, name: v.name, reason: v.reason };
}

function currentQr(s: Pick<Api, 'lifecycle'>, instance: InstanceDoc): string {
  const qr = s.lifecycle.qr(instance);
  if (qr) return qr;
  const status = s.lifecycle.status(instance).status;
  const hint = status === 'connected' ? 'WhatsApp is already linked' : status === 'connecting' || status === 'reconnecting' ? 'the connection is starting; try again in a moment' : 'start linking with POST /api/session/restart';
  throw new ServiceError(404, 'Not found', `no QR code is available (status: ${status}): ${hint}`);
}

export function seed001SessionRoutes(s: Pick<Api, 'lifecycle'>) {
  const common = { tags: TAGS, auth: 'principal' as const, rateLimit: 'seed', instance: byCredential };
  return [
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/session/status',
      summary: 'Connection status',
      description: 'Native: `GET /v1/instances/{id}/status`.',
      responses: { 200: { description: 'Estado de la sesión', schema: successSchema('Seed001Status', StatusData) }, ...errorResponses() },
      handler: async ({ instance }) => ({ body: ok(statusData(s.lifecycle.status(instance))) }),
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/session/qr',
      summary: 'The QR code to scan, as a PNG data URL (and the raw payload)',
      description: '404 while there is none (not linking, or already linked). Native: `GET /v1/instances/{id}/qr`.',
      responses: { 200: { description: 'Código QR en base64', schema: successSchema('Seed001Qr', QrData) }, ...errorResponses(404) },
      handler: async ({ instance }) => {
        const qr = currentQr(s, instance);
        return { body: ok({ qrCode: await qrDataUrl(qr), qr }), headers: NO_STORE };
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/session/qr/image',
      summary: 'The QR code as a PNG image',
      description: '404 (JSON) while there is none. Native: `GET /v1/instances/{id}/qr?format=png`.',
      responses: { 200: { description: 'Imagen del código QR', contentType: 'image/png' }, ...errorResponses(404) },
      handler: async ({ instance }) => {
        const qr = currentQr(s, instance);
        return { body: await qrPng(qr), type: 'image/png', headers: NO_STORE };
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/session/profile',
      summary: "The linked account's profile",
      description: '503 when WhatsApp is not connected. Native: `GET /v1/instances/{id}/profile`.',
      responses: { 200: { description: 'Información del perfil', schema: successSchema('Seed001Profile', ProfileData) }, ...errorResponses(503) },
      handler: async ({ instance }) => {
        const p = await s.lifecycle.profile(instance);
        return { body: ok({ jid: p.jid, phone: p.phone, name: p.name, about: p.about, profilePicUrl: p.picture_url }) };
      },
    }),
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/session/logout',
      summary: 'Unlink WhatsApp; linking again needs a new scan',
      description: 'Native: `POST /v1/instances/{id}/logout`.',
      responses: { 200: { description: 'Sesión cerrada exitosamente', schema: successSchema('Seed001Logout', StatusData) }, ...errorResponses() },
      handler: async ({ instance }) => ({ body: ok(statusData(await s.lifecycle.logout(instance)), 'Sesión cerrada exitosamente') }),
    }),
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/session/restart',
      summary: 'Close and reopen the connection (also starts linking an unlinked instance)',
      description: 'Native: `POST /v1/instances/{id}/restart`.',
      responses: { 200: { description: 'Reiniciando conexión', schema: successSchema('Seed001Restart', StatusData) }, ...errorResponses() },
      handler: async ({ instance }) => ({ body: ok(statusData(await s.lifecycle.restart(instance)), 'Reiniciando conexión') }),
    }),
  ];
}
