import type { BotSettings } from '../../domain/settings.js';
import type { ConnectionStatus, EngineKind } from '../../engines/engine.js';
import type { Doc, Filter, Store } from '../port.js';

export interface InstanceDoc extends Doc {
  owner_id: string;
  name: string;
  engine: EngineKind;
  settings: BotSettings;
  /** Lookup prefix and SHA-256 of the access token; the token itself is never stored. */
  token_prefix: string;
  token_hash: string;
  token_rotated_at: number;
  status: ConnectionStatus;
  status_reason: string | null;
  phone: string | null;
  wa_name: string | null;
  /** Whether the instance should be connected; start-up reconnects those that should. */
  desired_state: 'connected' | 'disconnected';
  /** Seed 002: the user's default instance, created on first use. */
  is_default?: boolean;
  created_at: number;
  updated_at: number;
}

export class InstancesRepo {
  private readonly coll;

  constructor(private readonly store: Store) {
    this.coll = store.collection<InstanceDoc>('instances');
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes('instances', [
      { keys: { owner_id: 1, created_at: 1 } },
      { keys: { token_prefix: 1 }, unique: true },
      { keys: { desired_state: 1 } },
    ]);
  }

  insert(doc: InstanceDoc): Promise<InstanceDoc> {
    return this.coll.insertOne(doc);
  }

  byId(id: string): Promise<InstanceDoc | null> {
    return this.coll.findOne({ _id: id });
  }

  byTokenPrefix(prefix: string): Promise<InstanceDoc | null> {
    return this.coll.findOne({ token_prefix: prefix });
  }

  listByOwner(ownerId: string, extra: Filter = {}): Promise<InstanceDoc[]> {
    return this.coll.find({ owner_id: ownerId, ...extra }, { sort: { created_at: 1 } });
  }

  countByOwner(ownerId: string): Promise<number> {
    return this.coll.countDocuments({ owner_id: ownerId });
  }

  wantingConnection(): Promise<InstanceDoc[]> {
    return this.coll.find({ desired_state: 'connected' });
  }

  async update(id: string, fields: Partial<Omit<InstanceDoc, '_id'>>, now: number): Promise<InstanceDoc | null> {
    return this.coll.findOneAndUpdate({ _id: id }, { $set: { ...fields, updated_at: now } });
  }

  async remove(id: string): Promise<boolean> {
    return (await this.coll.deleteOne({ _id: id })) === 1;
  }
}
