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
  /** The node running the instance's engine, its lease's fencing token and expiry (several nodes on one store; see instance-leases.ts). */
  owner_node?: string | null;
  owner_token?: string | null;
  owner_until?: number;
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

  /** `ownerToken`: an owner-only write, made only while that lease still holds the instance (null: no fence, one process). */
  async update(id: string, fields: Partial<Omit<InstanceDoc, '_id'>>, now: number, ownerToken: string | null = null): Promise<InstanceDoc | null> {
    return this.coll.findOneAndUpdate(ownerToken === null ? { _id: id } : { _id: id, owner_token: ownerToken }, { $set: { ...fields, updated_at: now } });
  }

  async remove(id: string): Promise<boolean> {
    return (await this.coll.deleteOne({ _id: id })) === 1;
  }
}
