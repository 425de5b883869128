/**
 * The JWT signing secret: the configured one, or one kept in the store, so
 * every node sharing the store signs and checks with the same secret. It is
 * created once, by the first process to start (48 random bytes); a secret
 * an earlier version generated into the data directory (`jwt-secret`) is
 * adopted instead when the store has none yet, so existing logins survive
 * the upgrade. There is no built-in default.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SharedSecretsRepo } from '../store/repositories/shared-secrets.js';

const NAME = 'jwt_secret';
const MIN_LENGTH = 32;

export async function loadOrCreateJwtSecret(configured: string | null, secrets: SharedSecretsRepo, dataDir: string, now: number): Promise<string> {
  if (configured) return configured;
  const stored = await secrets.get(NAME);
  if (stored !== null) return stored;
  return secrets.createOnce(NAME, legacySecret(dataDir) ?? randomBytes(48).toString('base64url'), now);
}

/** The secret an earlier version kept in the data directory, if there is a usable one. */
function legacySecret(dataDir: string): string | null {
  try {
    const existing = fs.readFileSync(path.join(dataDir, 'jwt-secret'), 'utf8').trim();
    return existing.length >= MIN_LENGTH ? existing : null;
  } catch {
    return null;
  }
}
