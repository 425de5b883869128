/**
 * Idempotency keys (IETF draft "The Idempotency-Key HTTP Header Field"),
 * scoped per credential. A record is reserved before the request runs and
 * names the resource id it is about to create, so a request interrupted by a
 * crash can be answered from that resource instead of running twice.
 */
import type { Doc, Store } from '../port.js';

export interface StoredResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface IdempotencyDoc extends Doc {
  scope: string;
  key: string;
  fingerprint: string;
  state: 'in_flight' | 'done';
  /** The id the request creates (message or job), reserved up front. */
  resource_id: string;
  response: StoredResponse | null;
  /** While in flight: when the reservation is considered abandoned (its process died). */
  locked_until: number;
  created_at: number;
  expires_at: number;
}

export class IdempotencyRepo {
  private readonly coll;

  constructor(private readonly store: Store) {
    this.coll = store.collection<IdempotencyDoc>('idempotency_keys');
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes('idempotency_keys', [{ keys: { scope: 1, key: 1 }, unique: true }, { keys: { expires_at: 1 } }]);
  }

  /** Throws DuplicateKeyError when the key is already known. */
  reserve(doc: IdempotencyDoc): Promise<IdempotencyDoc> {
    return this.coll.insertOne(doc);
  }

  find(scope: string, key: string): Promise<IdempotencyDoc | null> {
    return this.coll.findOne({ scope, key });
  }

  /** Takes over an abandoned reservation; null when someone else did (or it finished). */
  takeOver(id: string, lockedUntil: number, now: number): Promise<IdempotencyDoc | null> {
    return this.coll.findOneAndUpdate({ _id: id, state: 'in_flight', locked_until: { $lt: now } }, { $set: { locked_until: lockedUntil } });
  }

  complete(id: string, response: StoredResponse): Promise<IdempotencyDoc | null> {
    return this.coll.findOneAndUpdate({ _id: id }, { $set: { state: 'done', response } });
  }

  release(id: string): Promise<number> {
    return this.coll.deleteOne({ _id: id, state: 'in_flight' });
  }

  purgeExpired(now: number): Promise<number> {
    return this.coll.deleteMany({ expires_at: { $lt: now } });
  }
}
