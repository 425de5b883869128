/**
 * Seed 002's WhatsApp client: the QR to link the user's number, the
 * connection status in the seed's words, and the groups. Each acts on the
 * user's default instance (created on first use).
 */
import { z } from 'zod';
import type { StatusView } from '../../../../services/lifecycle.js';
import { ConflictError, UnavailableError } from '../../../../services/errors.js';
import type { Api } from '../../../api.js';
import { byCredential } from '../../../kit/instance.js';
import { qrDataUrl } from '../../../kit/qr-image.js';
import { defineRoute } from '../../../route.js';
import { plusPhone, SEED002_TAG } from './envelope.js';

/** How long createqr waits for WhatsApp's first QR (Baileys usually shows one within a few seconds). */
const QR_WAIT_MS = 20_000;
const NO_STORE = { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' };

/**
 * tucan's connection statuses in seed 002's vocabulary (whose example shows
 * `authenticated`). Documented in the README.
 */
const SEED_STATUS: Record<StatusView['status'], string> = {
  connected: 'authenticated',
  qr: 'qr',
  connecting: 'connecting',
  reconnecting: 'connecting',
  disconnected: 'disconnected',
  logged_out: 'disconnected',
  failed: 'failed',
};

const StatusAnswer = z
  .object({
    status: z.enum(['authenticated', 'qr', 'connecting', 'disconnected', 'failed']).meta({ description: 'authenticated: linked and connected; qr: waiting for the scan; connecting; disconnected (also after a logout); failed (see the native status for the reason)' }),
    phoneNumber: z.string().nullable().meta({ example: '+1234567890' }),
    name: z.string().nullable(),
  })
  .meta({ id: 'Seed002Status' });

const GroupAnswer = z
  .object({
    id: z.string().meta({ description: 'the group JID (…@g.us); send to it as phoneId' }),
    name: z.string(),
    participants: z.array(z.string()).meta({ description: "'+' and the number; the JID for members WhatsApp shows only as @lid" }),
  })
  .meta({ id: 'Seed002Group' });

export function seed002WhatsappRoutes(s: Pick<Api, 'lifecycle' | 'groups'>) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/whatsapp/createqr',
      tags: [SEED002_TAG],
      summary: 'The QR code to link WhatsApp, as a PNG data URL',
      description:
        'Starts linking the default instance when needed and waits for the QR (up to 20 s). Deviation: `qrCodeUrl` is a `data:image/png;base64,…` URL instead of a third-party QR service URL, so the QR never leaves the server. ' +
        '409 when the instance is already linked; 503 when WhatsApp gave no QR in time (try again).',
      auth: 'owner',
      instance: byCredential,
      responses: {
        200: { description: 'The QR', schema: z.object({ qrCodeUrl: z.string().meta({ example: 'data:image/png;base64,iVBORw0KGgo…' }) }) },
        409: { description: 'Already linked' },
        503: { description: 'No QR yet' },
      },
      handler: async ({ instance }) => {
        const { qr, status } = await s.lifecycle.awaitQr(instance, QR_WAIT_MS);
        if (qr) return { body: { qrCodeUrl: await qrDataUrl(qr) }, headers: NO_STORE };
        if (status.status === 'connected') throw new ConflictError('WhatsApp is already linked (status: authenticated); log out of WhatsApp first to link another number');
        throw new UnavailableError(`WhatsApp has not shown a QR code (status: ${status.status}${status.reason ? `, ${status.reason}` : ''}); try again`, 5);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/whatsapp/status',
      tags: [SEED002_TAG],
      summary: 'WhatsApp connection status',
      auth: 'owner',
      instance: byCredential,
      responses: { 200: { description: 'The status', schema: StatusAnswer } },
      handler: async ({ instance }) => {
        const status = s.lifecycle.status(instance);
        return { body: { status: SEED_STATUS[status.status], phoneNumber: plusPhone(status.phone), name: status.name } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/whatsapp/groups',
      tags: [SEED002_TAG],
      summary: 'The groups of the linked number, with their participants',
      description: '503 when WhatsApp is not connected.',
      auth: 'owner',
      instance: byCredential,
      responses: { 200: { description: 'Groups, by name', schema: z.array(GroupAnswer) }, 503: { description: 'WhatsApp is not connected' } },
      handler: async ({ instance }) => {
        const groups = await s.groups.list(instance);
        return { body: groups.map((g) => ({ id: g.id, name: g.name, participants: g.participants.map((p) => plusPhone(p.phone, p.jid)!) })) };
      },
    }),
  ];
}
