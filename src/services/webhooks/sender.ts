/** One HTTP attempt of one delivery: sign the stored body, POST it, describe the answer. */
import type { WebhookSubscriptionDoc } from '../../store/repositories/webhook-subscriptions.js';
import { UrlRejectedError, type SafeHttp } from '../net/safe-http.js';
import type { AttemptResult } from './retry-policy.js';
import { signedHeaders } from './signing.js';

export const USER_AGENT = 'tucan-webhooks/0.1 (+https://www.standardwebhooks.com/)';

export interface SentAttempt extends AttemptResult {
  latencyMs: number;
  response: string | null;
}

export async function sendAttempt(
  http: SafeHttp,
  sub: WebhookSubscriptionDoc,
  secrets: string[],
  eventId: string,
  body: string,
  now: number,
  signal?: AbortSignal,
): Promise<SentAttempt> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': USER_AGENT };
  for (const h of sub.headers) headers[h.name] = h.value;
  // the signature is computed per attempt because it covers the attempt's timestamp
  Object.assign(headers, signedHeaders(secrets, eventId, Math.floor(now / 1000), body));
  const started = performance.now();
  try {
    const res = await http.post(sub.url, body, headers, sub.timeout_ms, signal);
    return {
      status: res.status,
      retryAfter: res.headers['retry-after'] ?? null,
      error: res.status >= 200 && res.status < 300 ? null : describeStatus(res.status, res.headers.location),
      latencyMs: Math.round(res.ms * 10) / 10,
      response: res.body || null,
    };
  } catch (err) {
    const error = err instanceof UrlRejectedError ? err.reason : (err as Error).message;
    return { status: null, retryAfter: null, error, latencyMs: Math.round((performance.now() - started) * 10) / 10, response: null };
  }
}

function describeStatus(status: number, location: string | undefined): string {
  if (status >= 300 && status < 400) return `answered HTTP ${status}${location ? ` (to ${location})` : ''}; redirects are not followed, update the URL`;
  if (status === 410) return 'answered HTTP 410 Gone; the webhook was disabled';
  return `answered HTTP ${status}`;
}
