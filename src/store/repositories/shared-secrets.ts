/**
 * Secrets every process on the store must share (the JWT signing secret),
 * one document each, named by its `_id`. Created once: the first insert
 * wins, and whoever loses the race reads the winner's.
 */
import { DuplicateKeyError, type Doc, type Store } from '../port.js';

export interface SharedSecretDoc extends Doc {
  value: string;
  created_at: number;
}

export class SharedSecretsRepo {
  private readonly coll;

  constructor(store: Store) {
    this.coll = store.collection<SharedSecretDoc>('shared_secrets');
  }

  async get(name: string): Promise<string | null> {
    return (await this.coll.findOne({ _id: name }))?.value ?? null;
  }

  /** Stores `value` under `name` unless a value is there already; returns the one kept. */
  async createOnce(name: string, value: string, now: number): Promise<string> {
    try {
      await this.coll.insertOne({ _id: name, value, created_at: now });
      return value;
    } catch (err) {
      if (!(err instanceof DuplicateKeyError)) throw err;
      const kept = await this.get(name);
      if (kept === null) throw err;
      return kept;
    }
  }
}
