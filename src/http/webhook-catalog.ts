/**
 * The webhook event catalog for the OpenAPI document: every event tucan
 * sends, with its envelope and payload schema, as OpenAPI 3.1 top-level
 * `webhooks`. Built from the same zod declarations producers are typed by.
 */
import { z } from 'zod';
import { EVENT_ALIASES, EVENT_DESCRIPTIONS, EVENT_TYPES, envelopeSchema } from '../domain/events.js';
import type { OpenApiExtras } from './openapi.js';

export const WebhookTestData = z
  .object({ subscription_id: z.string(), message: z.string() })
  .meta({ id: 'WebhookTestData' });

const HEADERS_NOTE =
  'Signed per Standard Webhooks v1: `webhook-id` (the envelope id, equal on every retry: deduplicate on it), `webhook-timestamp` (Unix seconds) and ' +
  '`webhook-signature` (`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{raw body}">` keyed with the base64-decoded part of your `whsec_` secret; ' +
  'space-separated when two secrets sign during a rotation). Answer 2xx within the timeout. Any other answer is retried on the published schedule; ' +
  '410 Gone disables the webhook; redirects are not followed.';

function aliasesOf(type: string): string[] {
  return Object.entries(EVENT_ALIASES)
    .filter(([, t]) => t === type)
    .map(([alias]) => alias);
}

export function webhookCatalog(): Pick<OpenApiExtras, 'webhooks' | 'schemas'> {
  const webhooks: NonNullable<OpenApiExtras['webhooks']> = {};
  const schemas: Record<string, z.ZodType> = {};
  for (const type of EVENT_TYPES) {
    const aliases = aliasesOf(type);
    const name = `Event_${type.replace('.', '_')}`;
    schemas[name] = envelopeSchema(type);
    webhooks[type] = {
      summary: EVENT_DESCRIPTIONS[type],
      description: `${aliases.length ? `Accepted subscription aliases: ${aliases.join(', ')}. ` : ''}${HEADERS_NOTE}`,
      schema: envelopeSchema(type),
    };
  }
  const test = z.object({ id: z.string(), type: z.literal('webhook.test'), instance_id: z.string(), timestamp: z.string(), data: WebhookTestData });
  schemas.Event_webhook_test = test;
  webhooks['webhook.test'] = { summary: 'A ping sent by POST /v1/instances/{id}/webhooks/{wid}/test, to every subscription regardless of its events.', description: HEADERS_NOTE, schema: test };
  return { webhooks, schemas };
}
