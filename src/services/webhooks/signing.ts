/**
 * Standard Webhooks v1 signing. A secret is `whsec_<base64>` and the HMAC
 * key is its decoded bytes; the signature covers the exact bytes
 * `{webhook-id}.{webhook-timestamp}.{body}`, so receivers must verify the raw
 * body before parsing it.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
export const MIN_SECRET_BYTES = 24;
export const MAX_SECRET_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A fresh endpoint secret: 32 random bytes (the spec asks for 24–64). */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/**
 * Normalises a caller-supplied secret to `whsec_<base64>`, or returns the
 * reason it is not acceptable.
 * - `whsec_<base64>`: the decoded bytes (24–64) are the key, as the spec says.
 * - any other string of 24+ visible characters (seed 001 takes free text):
 *   its UTF-8 bytes are the key, re-encoded as whsec_ so the standard
 *   libraries verify it too.
 */
export function normalizeSecret(raw: string): { secret: string } | { error: string } {
  if (raw.startsWith(SECRET_PREFIX)) {
    const b64 = raw.slice(SECRET_PREFIX.length);
    if (!BASE64.test(b64) || b64.length % 4 !== 0) return { error: 'must be whsec_ followed by standard base64' };
    const bytes = Buffer.from(b64, 'base64');
    if (bytes.length < MIN_SECRET_BYTES) return { error: `is too short: the key must be at least ${MIN_SECRET_BYTES} bytes (got ${bytes.length}); omit it to have one generated` };
    if (bytes.length > MAX_SECRET_BYTES) return { error: `is too long: the key must be at most ${MAX_SECRET_BYTES} bytes` };
    return { secret: SECRET_PREFIX + bytes.toString('base64') };
  }
  if (!/^[\x21-\x7e]+$/.test(raw)) return { error: 'must be printable ASCII without spaces' };
  const bytes = Buffer.from(raw, 'utf8');
  if (bytes.length < MIN_SECRET_BYTES) return { error: `is too short: use at least ${MIN_SECRET_BYTES} characters, or omit it to have one generated` };
  if (bytes.length > MAX_SECRET_BYTES) return { error: `is too long: at most ${MAX_SECRET_BYTES} characters` };
  return { secret: SECRET_PREFIX + bytes.toString('base64') };
}

// Decoded keys, so each signature does not decode its secret again. Bounded: secrets are few (one or two per subscription).
const keys = new Map<string, Buffer>();
function keyOf(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= 10_000) keys.clear();
    key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
    keys.set(secret, key);
  }
  return key;
}

/** One `v1,<base64>` entry. */
export function signature(secret: string, id: string, timestampSeconds: number, body: string): string {
  return 'v1,' + createHmac('sha256', keyOf(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
}

/**
 * The three Standard Webhooks headers. During a secret rotation both secrets
 * sign, space-separated, so receivers holding either one keep verifying.
 */
export function signedHeaders(secrets: string[], id: string, timestampSeconds: number, body: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((s) => signature(s, id, timestampSeconds, body)).join(' '),
  };
}

/** What an API response may show of a secret after creation. */
export function secretHint(secret: string): string {
  return `${secret.slice(0, SECRET_PREFIX.length + 4)}…`;
}
