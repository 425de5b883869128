/** The JSON webhook subscriptions and deliveries are shown as. The secret appears only when just set. */
import { z } from 'zod';
import { secretHint } from '../../services/webhooks/signing.js';
import type { DeliveryAttempt, WebhookDeliveryDoc } from '../../store/repositories/webhook-deliveries.js';
import type { WebhookSubscriptionDoc } from '../../store/repositories/webhook-subscriptions.js';
import { iso } from './instance-view.js';

const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export const WebhookViewSchema = z
  .object({
    id: z.string(),
    instance_id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    headers: z.record(z.string(), z.string()),
    enabled: z.boolean(),
    timeout_ms: z.number().int(),
    description: z.string().nullable(),
    secret: z.string().optional().meta({ description: 'Only in the creation and rotation answers (and when you set it); store it, it is not shown again.' }),
    secret_hint: z.string(),
    previous_secret_valid_until: z.string().nullable().meta({ description: 'After a rotation, deliveries carry a second signature with the old secret until then' }),
    failing_since: z.string().nullable().meta({ description: 'Start of the current run of failed attempts; the webhook is disabled after webhooks.disableAfterDays of it' }),
    disabled_reason: z.enum(['user', 'gone', 'failing']).nullable(),
    disabled_at: z.string().nullable(),
    history: z.array(z.object({ type: z.enum(['webhook.disabled', 'webhook.enabled']), reason: z.string(), detail: z.string(), at: z.string() })),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Webhook' });

export function webhookView(doc: WebhookSubscriptionDoc, secret?: string) {
  return {
    id: doc._id,
    instance_id: doc.instance_id,
    url: doc.url,
    events: doc.events,
    headers: Object.fromEntries(doc.headers.map((h) => [h.name, h.value])),
    enabled: doc.enabled,
    timeout_ms: doc.timeout_ms,
    description: doc.description,
    ...(secret ? { secret } : {}),
    secret_hint: secretHint(doc.secret),
    previous_secret_valid_until: doc.previous_secret ? isoOrNull(doc.previous_secret_expires_at) : null,
    failing_since: isoOrNull(doc.failing_since),
    disabled_reason: doc.disabled_reason,
    disabled_at: isoOrNull(doc.disabled_at),
    history: doc.history.map((h) => ({ type: h.type, reason: h.reason, detail: h.detail, at: iso(h.at) })),
    created_at: iso(doc.created_at),
    updated_at: iso(doc.updated_at),
  };
}

const AttemptSchema = z.object({
  n: z.number().int(),
  at: z.string(),
  status_code: z.number().int().nullable().meta({ description: 'null when no answer came (timeout, refused, blocked address)' }),
  latency_ms: z.number(),
  error: z.string().nullable(),
  next_retry_at: z.string().nullable(),
  response: z.string().nullable().meta({ description: "The first bytes of the endpoint's answer" }),
});

export const DeliveryViewSchema = z
  .object({
    id: z.string(),
    webhook_id: z.string(),
    event_id: z.string().meta({ description: 'The envelope id and webhook-id header: your dedup key' }),
    event_type: z.string(),
    status: z.enum(['pending', 'processing', 'delivered', 'dead', 'paused']).meta({
      description: 'pending: waiting for an attempt (next_attempt_at); processing: being attempted; delivered: 2xx; dead: every scheduled attempt failed; paused: the webhook is disabled',
    }),
    test: z.boolean(),
    attempt_count: z.number().int(),
    next_attempt_at: z.string().nullable(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    attempts: z.array(AttemptSchema),
    body: z.string().nullable().optional().meta({ description: 'The exact bytes sent and signed on every attempt (single-delivery view only; null once past the retention period)' }),
    created_at: z.string(),
    delivered_at: z.string().nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

function attemptView(a: DeliveryAttempt) {
  return { n: a.n, at: iso(a.at), status_code: a.status_code, latency_ms: a.latency_ms, error: a.error, next_retry_at: isoOrNull(a.next_retry_at), response: a.response };
}

export function deliveryView(d: WebhookDeliveryDoc, body?: string | null) {
  return {
    id: d._id,
    webhook_id: d.subscription_id,
    event_id: d.event_id,
    event_type: d.event_type,
    status: d.status,
    test: d.test,
    attempt_count: d.attempts.length,
    next_attempt_at: d.status === 'pending' ? iso(d.run_at) : null,
    last_status_code: d.last_status_code,
    last_error: d.last_error,
    attempts: d.attempts.map(attemptView),
    ...(body !== undefined ? { body } : {}),
    created_at: iso(d.created_at),
    delivered_at: isoOrNull(d.delivered_at),
  };
}
