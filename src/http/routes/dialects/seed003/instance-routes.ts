/**
 * Seed 003's "Instance Bot" routes onto the native instance, lifecycle and
 * webhook services: create, init (connect, with the seed's config), the QR
 * (scan), one instance's info, the listing, deletion and logout.
 */
import { z } from 'zod';
import { ServiceError } from '../../../../services/errors.js';
import type { Api } from '../../../api.js';
import { byPath } from '../../../kit/instance.js';
import { qrDataUrl, qrPng } from '../../../kit/qr-image.js';
import { defineRoute } from '../../../route.js';
import { InstanceParams } from '../../../schemas.js';
import { withFieldNames } from '../../../kit/field-names.js';
import { envelope, ok, SEED003_TAG } from './envelope.js';
import { blank, SESSION_JSON } from './send.js';
import { webhookHeaders, WEBHOOK_HEADERS_DOC } from './webhook-headers.js';
import { SEED003_WEBHOOK_LABEL } from './settings-routes.js';
import { bySession, sessionFields, SessionQuery } from './session.js';
import { instanceRecord, InstanceRecordSchema } from './views.js';

const TAGS = [SEED003_TAG];
/** How long scan waits for WhatsApp to hand out a QR after (re)connecting. */
const QR_WAIT_MS = 10_000;
const NO_STORE = { 'Cache-Control': 'no-store' };

const CreateBody = z
  .object({
    engine: z.enum(['baileys', 'sandbox']).optional().meta({ description: "tucan extension: 'sandbox' for a local stand-in (tests, demos); default 'baileys'" }),
    name: z.string().trim().min(1).max(100).optional().meta({ description: 'tucan extension: a name for the instance' }),
  })
  .strict();

const InitBody = z
  .object({
    ...sessionFields,
    config: z
      .object({
        multiDevice: z.boolean().optional().meta({ description: 'sets actions.multi_device' }),
        setWebhook: z.boolean().optional().meta({ description: 'sets actions.send_webhook; with webhookUrl also sets the webhook' }),
        webhookUrl: z.preprocess(blank, z.string().optional()).meta({ description: 'the webhook URL (onMessage and connection updates)' }),
      })
      .strict()
      .optional(),
  })
  .strict();

const ScanQuery = SessionQuery.extend({
  format: z.enum(['image', 'base64text']).optional().meta({ description: 'image (default): the PNG; base64text: the PNG as a data: URL in text/plain' }),
}).strict();

const InfoQuery = SessionQuery.extend({
  format: z.string().max(20).optional().meta({ description: "accepted for compatibility (the seed's example sends base64); the answer is always JSON" }),
}).strict();

const InfoSchema = z.object({
  error: z.literal(false),
  message: z.string(),
  instance_data: z.object({
    instance_key: z.string().meta({ description: 'the instance id (session_id)' }),
    phone_connected: z.boolean(),
    webhookUrl: z.string().nullable(),
    user: z.object({ id: z.string(), name: z.string().nullable() }).partial().meta({ description: 'the linked account; {} until a number is linked' }),
    status: z.string().meta({ description: 'tucan extension: the connection status' }),
  }),
});

export function seed003InstanceRoutes(s: Pick<Api, 'instances' | 'lifecycle' | 'webhooks' | 'setup' | 'deletion'>) {
  return [
    defineRoute({
      method: 'post',
      path: '/whatsapp/createNewWhatsapp',
      tags: TAGS,
      summary: 'Create an instance; its access_token is shown only here',
      description: "The owner's Bearer login is required. The body may be `{}`. Native: POST /v1/instances.",
      auth: 'owner',
      body: CreateBody,
      accepts: ['json', 'form'],
      responses: { 200: { description: 'Created', schema: envelope(InstanceRecordSchema) } },
      handler: async ({ principal, body }) => {
        const { instance, token } = await s.instances.create(principal!.ownerId, body);
        return { body: ok('Whatsapp created successfully!', instanceRecord(instance, s.lifecycle.status(instance), token)) };
      },
    }),
    defineRoute({
      ...SESSION_JSON,
      method: 'post',
      path: '/whatsapp/init',
      summary: 'Init Instance: connect it (a QR follows for Baileys instances), applying config',
      description:
        'config.multiDevice → actions.multi_device; config.setWebhook → actions.send_webhook; config.webhookUrl (unless setWebhook is false) sets the webhook of PUT /whatsapp/setWebhook: ' +
        'its URL, with onMessage and connection.update added to the events chosen there (its headers and timeout are kept). ' +
        'Native: POST /v1/instances/{id}/connect (and the settings and webhooks APIs).',
      body: InitBody,
      responses: { 204: { description: `Connecting (or connected). With config.webhookUrl: ${WEBHOOK_HEADERS_DOC}` } },
      instance: bySession({ field: 'body.session_id' }),
      handler: async (req) => {
        const { instance } = req;
        const config = req.body.config ?? {};
        const webhook = config.webhookUrl !== undefined && config.setWebhook !== false ? { label: SEED003_WEBHOOK_LABEL, input: { url: config.webhookUrl, events: ['onMessage', 'connection.update'] } } : undefined;
        const actions = { ...(config.multiDevice !== undefined ? { multi_device: config.multiDevice } : {}), ...(config.setWebhook !== undefined ? { send_webhook: config.setWebhook } : {}) };
        const result = await withFieldNames({ 'body.url': 'body.config.webhookUrl' }, () => s.setup.init(instance, { webhook, settings: Object.keys(actions).length > 0 ? { actions } : undefined }));
        return { status: 204, headers: webhookHeaders(result.webhook) };
      },
    }),
    defineRoute({
      ...SESSION_JSON,
      method: 'get',
      path: '/whatsapp/scan',
      summary: 'Scan QR: the QR code as a PNG, or as a base64 data URL (format=base64text)',
      description: `Connects the instance if needed and waits up to ${QR_WAIT_MS / 1000} s for WhatsApp's QR. 404 when there is none (already linked, a sandbox instance, or none came). Native: GET /v1/instances/{id}/qr.`,
      query: ScanQuery,
      body: SessionQuery,
      responses: {
        200: { description: 'The QR code (image/png, or text/plain with a data: URL)', contentType: 'image/png' },
        404: { description: 'No QR code is available' },
      },
      instance: bySession(),
      handler: async (req) => {
        const { instance } = req;
        const { qr, status } = await s.lifecycle.awaitQr(instance, QR_WAIT_MS);
        if (!qr) throw new ServiceError(404, 'Not found', `no QR code is available: the instance is ${status.status}${status.status === 'connected' ? ' (already linked)' : ''}`);
        if (req.query.format === 'base64text') return { body: await qrDataUrl(qr), type: 'text/plain; charset=utf-8', headers: NO_STORE };
        return { body: await qrPng(qr), type: 'image/png', headers: NO_STORE };
      },
    }),
    defineRoute({
      ...SESSION_JSON,
      method: 'get',
      path: '/whatsapp/instance',
      summary: 'One instance: connected or not, the linked number, the webhook URL',
      description: 'Native: GET /v1/instances/{id}/status.',
      query: InfoQuery,
      body: SessionQuery,
      responses: { 200: { description: 'The instance', schema: envelope(InfoSchema) } },
      instance: bySession(),
      handler: async (req) => {
        const { instance } = req;
        const status = s.lifecycle.status(instance);
        const hooks = await s.webhooks.subscriptions.list(instance._id);
        const hook = hooks.find((h) => h.description === SEED003_WEBHOOK_LABEL) ?? hooks.find((h) => h.enabled);
        const user = status.phone ? { id: `${status.phone}@s.whatsapp.net`, name: status.name } : {};
        const data = { error: false as const, message: 'Instance fetched successfully', instance_data: { instance_key: instance._id, phone_connected: status.is_ready, webhookUrl: hook?.url ?? null, user, status: status.status } };
        return { body: ok('Status checked successfully', data) };
      },
    }),
    defineRoute({
      ...SESSION_JSON,
      method: 'get',
      path: '/whatsapp',
      summary: "The login's instances (with an instance token: that instance)",
      description: 'Access tokens are masked (tuc_…): they are shown only when an instance is created. Native: GET /v1/instances.',
      query: SessionQuery,
      body: SessionQuery,
      responses: { 200: { description: 'Instances', schema: envelope(z.array(InstanceRecordSchema)) } },
      handler: async ({ principal }) => {
        const list = await s.instances.visibleTo(principal!);
        return { body: ok('Whatsapp fetched successfully!', list.map((i) => instanceRecord(i, s.lifecycle.status(i)))) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/whatsapp/:id',
      tags: TAGS,
      summary: 'Delete an instance: unlinks it and removes its data',
      description: "The owner's Bearer login is required. Native: DELETE /v1/instances/{id}.",
      auth: 'owner',
      params: InstanceParams,
      instance: byPath,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ instance }) => {
        await s.deletion.delete(instance);
        return { status: 204 };
      },
    }),
    defineRoute({
      ...SESSION_JSON,
      method: 'get',
      path: '/whatsapp/instance/logout/:id',
      summary: 'Logout: unlink the WhatsApp session from the phone; the next init needs a new scan',
      description: 'Native: POST /v1/instances/{id}/logout.',
      params: InstanceParams,
      query: SessionQuery,
      body: SessionQuery,
      responses: { 204: { description: 'Logged out' } },
      instance: bySession({ pathParam: true }),
      handler: async (req) => {
        const { instance } = req;
        await s.lifecycle.logout(instance);
        return { status: 204 };
      },
    }),
  ];
}
