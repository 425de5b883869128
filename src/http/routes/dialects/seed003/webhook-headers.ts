/**
 * What seed 003's webhook calls (setWebhook, init) answer besides the
 * seed's 204: the seed has no body to put them in, and without the secret
 * its integrators could not verify a single delivery.
 */
import type { LabelledResult } from '../../../../services/webhooks/subscriptions.js';

export const WEBHOOK_HEADERS_DOC =
  'X-Tucan-Webhook-Id names the webhook (for /v1/instances/{id}/webhooks/{wid}, e.g. its rotate-secret); X-Tucan-Webhook-Secret carries the signing secret, ' +
  'only in the answer that created the webhook (it is never shown again: rotate it to get a new one); X-Tucan-Warning says what to check, when something is.';

export function webhookHeaders(result: LabelledResult | null): Record<string, string> {
  if (!result) return {};
  const headers: Record<string, string> = { 'X-Tucan-Webhook-Id': result.doc._id };
  if (result.secret) Object.assign(headers, { 'X-Tucan-Webhook-Secret': result.secret, 'Cache-Control': 'no-store' });
  if (result.warnings.length > 0) headers['X-Tucan-Warning'] = result.warnings.join(' ');
  return headers;
}
