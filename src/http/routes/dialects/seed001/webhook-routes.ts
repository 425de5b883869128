/**
 * Seed 001's webhook routes, onto the webhook subscriptions: register, list,
 * delete, toggle. The seed's event names `message` and `ready` are aliases
 * the subscription service knows (message.received; connection.update while
 * connected).
 *
 * Seed 001 has no switch for forwarding inbound messages, while tucan gates
 * them with the bot's `actions.send_webhook` (off by default). Registering
 * for inbound message events here therefore turns that setting on, and the
 * answer says so: a seed 001 client that registers for `message` expects
 * to receive messages.
 */
import { z } from 'zod';
import { resolveEventName } from '../../../../domain/events.js';
import type { Api } from '../../../api.js';
import { byCredential } from '../../../kit/instance.js';
import { WebhookEventsSchema, WebhookSecretSchema, WebhookUrlSchema } from '../../../../services/webhooks/subscription-input.js';
import { secretHint } from '../../../../services/webhooks/signing.js';
import type { WebhookSubscriptionDoc } from '../../../../store/repositories/webhook-subscriptions.js';
import { defineRoute } from '../../../route.js';
import { isoOrNull } from '../shared/envelope.js';
import { errorResponses, ok, SEED001_TAG, successSchema } from './envelope.js';

const TAGS = [SEED001_TAG];
/** The events send_webhook gates. */
const INBOUND_MESSAGE_EVENTS = new Set(['message.received', 'message.any']);

const RegisterBody = z
  .object({
    url: WebhookUrlSchema,
    events: WebhookEventsSchema.default(['message', 'ready']).meta({ description: "event names: the seed's `message` (inbound messages) and `ready` (connected), or any tucan event; default both of the seed's", example: ['message', 'ready'] }),
    secret: WebhookSecretSchema.optional().meta({ description: 'signing key, 24–64 characters (or whsec_…); generated and shown once when omitted' }),
  })
  .meta({ id: 'Seed001RegisterWebhook' });

const WebhookData = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  active: z.boolean(),
  secret: z.string().optional().meta({ description: 'only in the registration answer' }),
  secretHint: z.string(),
  disabledReason: z.string().nullable().meta({ description: 'user, gone (the endpoint answered 410) or failing' }),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const IdParams = z.object({ id: z.string().min(1).max(64) }).strict();

function webhookData(doc: WebhookSubscriptionDoc, secret?: string) {
  return {
    id: doc._id,
    url: doc.url,
    events: doc.events,
    active: doc.enabled,
    ...(secret ? { secret } : {}),
    secretHint: secretHint(doc.secret),
    disabledReason: doc.disabled_reason,
    createdAt: isoOrNull(doc.created_at)!,
    updatedAt: isoOrNull(doc.updated_at)!,
  };
}

export function seed001WebhookRoutes(s: Pick<Api, 'webhooks' | 'instances'>) {
  const common = { tags: TAGS, auth: 'principal' as const, rateLimit: 'seed', instance: byCredential };
  return [
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/webhooks/register',
      summary: 'Register a webhook for events',
      description:
        'Deliveries are signed with Standard Webhooks headers (see the README). Registering for `message` turns the bot setting `actions.send_webhook` on, so inbound messages are forwarded; the answer says when it did. ' +
        'Native: `POST /v1/instances/{id}/webhooks` (plus `PATCH …/settings {"actions":{"send_webhook":true}}`).',
      body: RegisterBody,
      responses: { 201: { description: 'Webhook registrado', schema: successSchema('Seed001Webhook', WebhookData.extend({ sendWebhookEnabled: z.boolean().meta({ description: 'whether inbound messages are forwarded now (actions.send_webhook)' }) })) }, ...errorResponses(409) },
      handler: async ({ instance, body }) => {
        const { doc, secret } = await s.webhooks.subscriptions.create(instance, body);
        const wantsMessages = doc.events.some((e) => INBOUND_MESSAGE_EVENTS.has(resolveEventName(e) ?? ''));
        // seed 001 has no send_webhook switch: registering for messages means "send me messages"
        const turnOn = wantsMessages && !instance.settings.actions.send_webhook;
        if (turnOn) await s.instances.updateSettings(instance, { actions: { send_webhook: true } });
        const message = turnOn ? 'Webhook registrado. Se activó actions.send_webhook: los mensajes entrantes se reenvían a los webhooks de esta instancia.' : 'Webhook registrado';
        return { status: 201, body: ok({ ...webhookData(doc, secret), sendWebhookEnabled: turnOn || instance.settings.actions.send_webhook }, message) };
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/webhooks',
      summary: 'The registered webhooks',
      description: 'Native: `GET /v1/instances/{id}/webhooks`.',
      responses: { 200: { description: 'Lista de webhooks', schema: successSchema('Seed001Webhooks', z.array(WebhookData)) }, ...errorResponses() },
      handler: async ({ instance }) => {
        return { body: ok((await s.webhooks.subscriptions.list(instance._id)).map((d) => webhookData(d))) };
      },
    }),
    defineRoute({
      ...common,
      method: 'delete',
      path: '/api/webhooks/:id',
      summary: 'Delete a webhook and its delivery log',
      description: 'Native: `DELETE /v1/instances/{id}/webhooks/{wid}`.',
      params: IdParams,
      responses: { 200: { description: 'Webhook eliminado', schema: successSchema('Seed001WebhookDeleted', z.object({ id: z.string() })) }, ...errorResponses(404) },
      handler: async ({ instance, params }) => {
        await s.webhooks.subscriptions.remove(instance, params.id);
        return { body: ok({ id: params.id }, 'Webhook eliminado') };
      },
    }),
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/webhooks/:id/toggle',
      summary: 'Switch a webhook on or off (deliveries held while off resume when it is on again)',
      description: 'Without a body the state flips; `{"enabled": true|false}` sets it. Native: `POST /v1/instances/{id}/webhooks/{wid}/toggle`.',
      params: IdParams,
      body: z.object({ enabled: z.boolean().optional() }).optional(),
      responses: { 200: { description: 'Estado del webhook actualizado', schema: successSchema('Seed001WebhookToggled', WebhookData) }, ...errorResponses(404) },
      handler: async ({ instance, params, body }) => {
        const doc = await s.webhooks.subscriptions.toggle(instance, params.id, body?.enabled);
        return { body: ok(webhookData(doc), doc.enabled ? 'Webhook activado' : 'Webhook desactivado') };
      },
    }),
  ];
}
