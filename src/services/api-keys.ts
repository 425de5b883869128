/**
 * Instance access tokens: high-entropy, recognisable prefix, stored as a
 * lookup prefix plus SHA-256 (shared/reference/reliability.md, Credentials).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'tuc_';
const LOOKUP_LENGTH = PREFIX.length + 12;

export interface IssuedKey {
  token: string;
  prefix: string;
  hash: string;
}

export function issueKey(): IssuedKey {
  const token = PREFIX + randomBytes(32).toString('base64url');
  return { token, prefix: token.slice(0, LOOKUP_LENGTH), hash: sha256(token) };
}

export function looksLikeKey(value: string): boolean {
  return value.startsWith(PREFIX) && value.length > LOOKUP_LENGTH;
}

export function keyPrefix(token: string): string {
  return token.slice(0, LOOKUP_LENGTH);
}

export function keyMatches(token: string, storedHash: string): boolean {
  const a = Buffer.from(sha256(token), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What listings show instead of the token. */
export function maskKey(prefix: string): string {
  return `${prefix}…`;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
