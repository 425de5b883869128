/**
 * Who is who: the LID ↔ phone number pairs WhatsApp shares with a linked
 * account (LIDs are opaque per-user ids; since 2026 many chats and group
 * members arrive only as `…@lid`). Kept per instance so payloads can name a
 * person by phone and LID alike, across restarts, and removed with the
 * instance.
 *
 * One document per (instance, LID). A number whose LID changed keeps its
 * older pair until the newer one is found: lookups by phone take the most
 * recently confirmed.
 */
import type { Doc, Store } from '../port.js';

export const LID_MAPPINGS = 'lid_mappings';

export interface LidMappingDoc extends Doc {
  instance_id: string;
  /** The LID JID, normalised (`123456789012345@lid`). */
  lid: string;
  /** Phone digits with the country code. */
  phone: string;
  updated_at: number;
}

export interface LidPair {
  lid: string;
  phone: string;
}

export class LidMappingsRepo {
  private readonly coll;

  constructor(private readonly store: Store) {
    this.coll = store.collection<LidMappingDoc>(LID_MAPPINGS);
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes(LID_MAPPINGS, [{ keys: { instance_id: 1, lid: 1 }, unique: true }, { keys: { instance_id: 1, phone: 1, updated_at: -1 } }]);
  }

  async remember(instanceId: string, pairs: readonly LidPair[], now: number): Promise<void> {
    for (const { lid, phone } of pairs) {
      await this.coll.updateOne({ instance_id: instanceId, lid }, { $set: { phone, updated_at: now } }, { upsert: true });
    }
  }

  async phoneOf(instanceId: string, lid: string): Promise<string | null> {
    return (await this.coll.findOne({ instance_id: instanceId, lid }))?.phone ?? null;
  }

  async lidOf(instanceId: string, phone: string): Promise<string | null> {
    return (await this.coll.findOne({ instance_id: instanceId, phone }, { sort: { updated_at: -1 } }))?.lid ?? null;
  }

  async list(instanceId: string): Promise<LidMappingDoc[]> {
    return this.coll.find({ instance_id: instanceId }, { sort: { updated_at: -1 } });
  }

  async removeInstance(instanceId: string): Promise<void> {
    await this.coll.deleteMany({ instance_id: instanceId });
  }
}
