/**
 * Conversation flows, one document per flow, in a versioned set
 * (`flow_versions`, like the rules: compiled flow sets are cached in
 * memory, and the version lets every process notice a change).
 *
 * Each flow also has its own `version`, bumped by every change to it: a
 * chat inside an older version of the flow is ended (flow_changed).
 */
import type { FlowDefinition } from '../../domain/flows.js';
import type { Store } from '../port.js';
import { VersionedSet } from './versioned-set.js';

export interface FlowDoc extends FlowDefinition {
  _id: string;
  instance_id: string;
  /** 1 when created, +1 on every update, enable or disable. */
  version: number;
  created_at: number;
  updated_at: number;
}

/** Creation order: an earlier flow's trigger wins a tie. */
const ORDER = { created_at: 1, _id: 1 } as const;

export class FlowsRepo extends VersionedSet<FlowDoc> {
  constructor(store: Store) {
    super(store, 'flows', 'flow_versions', ORDER);
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes('flows', [{ keys: { instance_id: 1, created_at: 1 } }]);
  }

  /** Sets `fields` and bumps the flow's own version and the set's. */
  update(instanceId: string, id: string, fields: Partial<FlowDefinition>, now: number): Promise<FlowDoc | null> {
    return this.change(instanceId, id, { $set: { ...fields, updated_at: now }, $inc: { version: 1 } }, now);
  }
}
