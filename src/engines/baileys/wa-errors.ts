/**
 * Baileys errors → tucan's engine errors. Baileys throws Booms whose status
 * code says whether the failure is about the connection (worth retrying) or
 * about the request (not). Unknown errors are treated as transient: the
 * outbox caps its attempts, whereas a wrongly permanent failure loses a
 * message.
 */
import { EngineSendError } from '../engine.js';

/** Connection-level codes: closed, lost/timed out, server error, unavailable, restart. */
const TRANSIENT = new Set([408, 428, 429, 500, 502, 503, 504, 515]);

/**
 * The code of a Baileys error. An error node in a query answer becomes
 * `new Boom(text, {data: code})` — its statusCode is a generic 500 and the
 * real code (404, 401, …) is `data` — so `data` wins when it is a number.
 */
export function statusOf(err: unknown): number | null {
  const e = err as { data?: unknown; output?: { statusCode?: unknown } } | null;
  if (typeof e?.data === 'number' && e.data > 0) return e.data;
  return typeof e?.output?.statusCode === 'number' ? e.output.statusCode : null;
}

/** WhatsApp answered "no such thing" (or "not for you"): a missing picture, a hidden about. */
export function isNotFound(err: unknown): boolean {
  const status = statusOf(err);
  return status === 400 || status === 401 || status === 403 || status === 404;
}

export function toEngineError(err: unknown, what: string): EngineSendError {
  if (err instanceof EngineSendError) return err;
  const status = statusOf(err);
  const message = `${what} failed: ${(err as Error)?.message ?? String(err)}`;
  if (status === null) return new EngineSendError(message, true, 'whatsapp_error');
  return new EngineSendError(message, TRANSIENT.has(status), `whatsapp_${status}`);
}
