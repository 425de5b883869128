/**
 * Keyword rules, one document per rule, in a versioned set (`rule_versions`:
 * compiled rule sets are cached in memory, and the version lets every process
 * notice a change without reloading thousands of rules).
 */
import type { RuleDefinition } from '../../domain/rules.js';
import type { Store } from '../port.js';
import { VersionedSet } from './versioned-set.js';

export interface RuleDoc extends RuleDefinition {
  _id: string;
  instance_id: string;
  created_at: number;
  updated_at: number;
}

/** Evaluation order: higher priority first, then creation order. */
const ORDER = { priority: -1, created_at: 1, _id: 1 } as const;

export class RulesRepo extends VersionedSet<RuleDoc> {
  constructor(store: Store) {
    super(store, 'rules', 'rule_versions', ORDER);
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes('rules', [{ keys: { instance_id: 1, priority: -1, created_at: 1 } }]);
  }

  update(instanceId: string, id: string, fields: Partial<RuleDefinition>, now: number): Promise<RuleDoc | null> {
    return this.change(instanceId, id, { $set: { ...fields, updated_at: now } }, now);
  }
}
