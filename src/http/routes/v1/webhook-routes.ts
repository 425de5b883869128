/** Webhook subscriptions of an instance, their delivery logs, redelivery and test pings. */
import { z } from 'zod';
import { CreateWebhookSchema, PatchWebhookSchema, ToggleWebhookSchema } from '../../../services/webhooks/subscription-input.js';
import type { Api } from '../../api.js';
import { byPath } from '../../kit/instance.js';
import { defineRoute } from '../../route.js';
import { InstanceParams, ObjectIdSchema, paginate, PaginationQuery } from '../../schemas.js';
import { deliveryView, DeliveryViewSchema, webhookView, WebhookViewSchema } from '../../views/webhook-view.js';

const WebhookParams = z.object({ id: ObjectIdSchema, wid: ObjectIdSchema }).strict();
const DeliveryParams = z.object({ id: ObjectIdSchema, wid: ObjectIdSchema, did: ObjectIdSchema }).strict();

const DeliveriesQuery = PaginationQuery.extend({
  status: z.enum(['pending', 'processing', 'delivered', 'dead', 'paused']).optional().meta({ description: 'Only deliveries in this state (dead = dead-lettered)' }),
  event_type: z.string().max(64).optional(),
}).strict();

const CreatedSchema = WebhookViewSchema.extend({
  warnings: z.array(z.string()).meta({ description: 'Things that will keep events from arriving, e.g. actions.send_webhook being off' }),
});

const TAG = ['Webhooks'];

export function webhookRoutes(s: Pick<Api, 'webhooks'>) {
  const base = '/v1/instances/:id/webhooks';
  return [
    defineRoute({
      method: 'post',
      path: base,
      tags: TAG,
      summary: 'Subscribe an endpoint to events; the signing secret is returned only here',
      description: 'Deliveries are signed with Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature). See the README for verification.',
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      body: CreateWebhookSchema,
      responses: { 201: { description: 'Created', schema: CreatedSchema } },
      handler: async ({ instance, body }) => {
        const { doc, secret, warnings } = await s.webhooks.subscriptions.create(instance, body);
        return { status: 201, body: { ...webhookView(doc, secret), warnings } };
      },
    }),
    defineRoute({
      method: 'get',
      path: base,
      tags: TAG,
      summary: "The instance's webhooks",
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      responses: { 200: { description: 'Webhooks', schema: z.object({ webhooks: z.array(WebhookViewSchema) }) } },
      handler: async ({ instance }) => {
        return { body: { webhooks: (await s.webhooks.subscriptions.list(instance._id)).map((d) => webhookView(d)) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${base}/:wid`,
      tags: TAG,
      summary: 'One webhook',
      auth: 'principal',
      instance: byPath,
      params: WebhookParams,
      responses: { 200: { description: 'The webhook', schema: WebhookViewSchema } },
      handler: async ({ instance, params }) => {
        return { body: webhookView(await s.webhooks.subscriptions.get(instance._id, params.wid)) };
      },
    }),
    defineRoute({
      method: 'patch',
      path: `${base}/:wid`,
      tags: TAG,
      summary: 'Change a webhook (url, events, secret, headers, enabled, timeout_ms)',
      auth: 'principal',
      instance: byPath,
      params: WebhookParams,
      body: PatchWebhookSchema,
      responses: { 200: { description: 'The webhook after the change', schema: CreatedSchema } },
      handler: async ({ instance, params, body }) => {
        const { doc, warnings } = await s.webhooks.subscriptions.patch(instance, params.wid, body);
        return { body: { ...webhookView(doc, body.secret !== undefined ? doc.secret : undefined), warnings } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: `${base}/:wid`,
      tags: TAG,
      summary: 'Delete a webhook and its delivery log',
      auth: 'principal',
      instance: byPath,
      params: WebhookParams,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ instance, params }) => {
        await s.webhooks.subscriptions.remove(instance, params.wid);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: `${base}/:wid/toggle`,
      tags: TAG,
      summary: 'Switch a webhook on or off; paused deliveries resume when it is switched on',
      auth: 'principal',
      instance: byPath,
      params: WebhookParams,
      body: ToggleWebhookSchema.optional(),
      responses: { 200: { description: 'The webhook after the change', schema: WebhookViewSchema } },
      handler: async ({ instance, params, body }) => {
        return { body: webhookView(await s.webhooks.subscriptions.toggle(instance, params.wid, body?.enabled)) };
      },
    }),
    defineRoute({
      method: 'post',
      path: `${base}/:wid/rotate-secret`,
      tags: TAG,
      summary: 'Issue a new signing secret (shown once); the old one keeps signing alongside for 24 h',
      auth: 'principal',
      instance: byPath,
      params: WebhookParams,
      responses: { 200: { description: 'The webhook with its new secret', schema: WebhookViewSchema } },
      handler: async ({ instance, params }) => {
        const { doc, secret } = await s.webhooks.subscriptions.rotateSecret(instance, params.wid);
        return { body: webhookView(doc, secret) };
      },
    }),
    defineRoute({
      method: 'post',
      path: `${base}/:wid/test`,
      tags: TAG,
      summary: 'Send a signed webhook.test ping now and report the answer',
      auth: 'principal',
      instance: byPath,
      params: WebhookParams,
      responses: { 200: { description: 'The recorded ping delivery with its single attempt', schema: DeliveryViewSchema } },
      handler: async ({ instance, params }) => {
        const { delivery, body } = await s.webhooks.test(instance, params.wid);
        return { body: deliveryView(delivery, body) };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${base}/:wid/deliveries`,
      tags: TAG,
      summary: 'Deliveries, newest first, with every attempt: status code, latency, error, next retry',
      auth: 'principal',
      instance: byPath,
      params: WebhookParams,
      query: DeliveriesQuery,
      responses: {
        200: { description: 'Deliveries', schema: z.object({ deliveries: z.array(DeliveryViewSchema), pagination: z.object({ page: z.number(), limit: z.number(), total: z.number(), pages: z.number() }) }) },
      },
      handler: async ({ instance, params, query }) => {
        const { items, total } = await s.webhooks.deliveriesOf(instance, params.wid, { status: query.status, event_type: query.event_type }, query.page, query.limit);
        return { body: { deliveries: items.map((d) => deliveryView(d)), pagination: paginate(total, query.page, query.limit) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${base}/:wid/deliveries/:did`,
      tags: TAG,
      summary: 'One delivery with the exact body sent',
      auth: 'principal',
      instance: byPath,
      params: DeliveryParams,
      responses: { 200: { description: 'The delivery', schema: DeliveryViewSchema } },
      handler: async ({ instance, params }) => {
        const { delivery, body } = await s.webhooks.delivery(instance, params.wid, params.did);
        return { body: deliveryView(delivery, body) };
      },
    }),
    defineRoute({
      method: 'post',
      path: `${base}/:wid/deliveries/:did/redeliver`,
      tags: TAG,
      summary: 'Deliver the recorded event again (same id and body), with a fresh round of retries',
      auth: 'principal',
      instance: byPath,
      params: DeliveryParams,
      responses: { 202: { description: 'Queued', schema: DeliveryViewSchema }, 409: { description: 'Being attempted right now, or the webhook is disabled' } },
      handler: async ({ instance, params }) => {
        return { status: 202, body: deliveryView(await s.webhooks.redeliver(instance, params.wid, params.did)) };
      },
    }),
  ];
}
