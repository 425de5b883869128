/**
 * Idempotency-Key handling (IETF draft): the same key and body return the
 * stored result without a second send; the same key with another body is
 * 422; a retry while the first request runs is 409. Keys are scoped per
 * credential and kept 24 h.
 *
 * The reservation names the id of the resource the request will create. If
 * the process dies mid-request, the reservation's lock expires and the next
 * retry answers from that resource when it exists (the message was accepted
 * before the crash) or runs the request again when it does not.
 */
import { createHash } from 'node:crypto';
import { DuplicateKeyError, newId } from '../../store/port.js';
import type { IdempotencyDoc, IdempotencyRepo, StoredResponse } from '../../store/repositories/idempotency.js';
import { ConflictError, UnprocessableError, ValidationError } from '../errors.js';
import type { Principal } from '../principal.js';
import type { UploadedFile } from '../ports.js';

export const KEY_TTL_MS = 24 * 3600_000;
/** Longer than any request may take (the send API waits at most ~20 s for the engine). */
export const LOCK_MS = 60_000;

export interface IdempotentCall {
  /** The raw header value, if the client sent one. */
  key: string | undefined;
  principal: Principal;
  method: string;
  path: string;
  body: unknown;
  files?: UploadedFile[];
}

export interface IdempotentResult {
  response: StoredResponse;
  replayed: boolean;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function fingerprint(call: Omit<IdempotentCall, 'key' | 'principal'>): string {
  const files = (call.files ?? []).map((f) => ({ field: f.field, name: f.filename, type: f.mimetype, sha256: createHash('sha256').update(f.data).digest('hex') }));
  return createHash('sha256')
    .update(JSON.stringify(canonical({ method: call.method.toUpperCase(), path: call.path, body: call.body ?? null, files })))
    .digest('hex');
}

/** The header is a Structured Field string ("…"); a bare token is accepted too. */
export function parseKey(raw: string): string {
  const value = raw.trim().replace(/^"(.*)"$/, '$1');
  if (value.length < 1 || value.length > 255 || !/^[\x21-\x7e]+$/.test(value)) {
    throw new ValidationError('headers.idempotency-key', 'must be 1–255 visible ASCII characters');
  }
  return value;
}

function scopeOf(p: Principal): string {
  return p.kind === 'owner' ? `owner:${p.ownerId}` : `instance:${p.instanceId}`;
}

export class IdempotencyService {
  constructor(
    private readonly repo: IdempotencyRepo,
    private readonly clock: () => number,
  ) {}

  /**
   * Runs `execute(resourceId)` at most once per key. `recover(resourceId)`
   * rebuilds the answer from a resource created by an interrupted attempt.
   * `execute` throws only when it created nothing; the key is then released
   * so the client may correct the request and retry with the same key.
   */
  async run(
    call: IdempotentCall,
    execute: (resourceId: string) => Promise<StoredResponse>,
    recover: (resourceId: string) => Promise<StoredResponse | null>,
  ): Promise<IdempotentResult> {
    if (call.key === undefined) return { response: await execute(newId()), replayed: false };
    const key = parseKey(call.key);
    const scope = scopeOf(call.principal);
    const print = fingerprint(call);
    const now = this.clock();
    let record: IdempotencyDoc = {
      _id: newId(),
      scope,
      key,
      fingerprint: print,
      state: 'in_flight',
      resource_id: newId(),
      response: null,
      locked_until: now + LOCK_MS,
      created_at: now,
      expires_at: now + KEY_TTL_MS,
    };
    try {
      await this.repo.reserve(record);
    } catch (err) {
      if (!(err instanceof DuplicateKeyError)) throw err;
      const existing = await this.repo.find(scope, key);
      if (!existing) throw new ConflictError('a request with this Idempotency-Key is being processed; retry shortly', 'headers.idempotency-key');
      if (existing.fingerprint !== print) {
        throw new UnprocessableError('this Idempotency-Key was already used with a different request; use a new key for a new request', 'headers.idempotency-key');
      }
      if (existing.state === 'done' && existing.response) return { response: existing.response, replayed: true };
      const taken = existing.locked_until < now ? await this.repo.takeOver(existing._id, now + LOCK_MS, now) : null;
      if (!taken) throw new ConflictError('a request with this Idempotency-Key is still in progress; retry when it has finished', 'headers.idempotency-key');
      record = taken;
      const recovered = await recover(record.resource_id);
      if (recovered) {
        await this.repo.complete(record._id, recovered);
        return { response: recovered, replayed: true };
      }
    }
    let response: StoredResponse;
    try {
      response = await execute(record.resource_id);
    } catch (err) {
      await this.repo.release(record._id);
      throw err;
    }
    await this.repo.complete(record._id, response);
    return { response, replayed: false };
  }

  purgeExpired(): Promise<number> {
    return this.repo.purgeExpired(this.clock());
  }
}
