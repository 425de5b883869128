/**
 * Bot instances: creation with a one-time access token, owner isolation,
 * token rotation and per-bot settings. (Deletion involves every capability:
 * see instance-deletion.ts.)
 */
import { defaultSettings, mergeSettings, type BotSettings, type SettingsPatch } from '../domain/settings.js';
import type { EngineKind } from '../engines/engine.js';
import { newId } from '../store/port.js';
import type { InstanceDoc, InstancesRepo } from '../store/repositories/instances.js';
import { issueKey } from './api-keys.js';
import { NotFoundError } from './errors.js';
import type { Principal } from './principal.js';

export interface CreateInstanceInput {
  name?: string;
  engine?: EngineKind;
  settings?: SettingsPatch;
  is_default?: boolean;
}

export class InstancesService {
  private readonly settingsHooks: ((instance: InstanceDoc) => void)[] = [];
  private readonly defaultLookups = new Map<string, Promise<InstanceDoc>>();

  constructor(
    private readonly repo: InstancesRepo,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Services that cache settings (the inbound pipeline) hear about every change made through this process. */
  onSettingsChanged(hook: (instance: InstanceDoc) => void): void {
    this.settingsHooks.push(hook);
  }

  async create(ownerId: string, input: CreateInstanceInput): Promise<{ instance: InstanceDoc; token: string }> {
    const now = this.clock();
    const key = issueKey();
    const count = await this.repo.countByOwner(ownerId);
    const name = input.name ?? `Bot ${count + 1}`;
    const settings = mergeSettings(defaultSettings(), input.settings ?? {});
    const instance = await this.repo.insert({
      _id: newId(),
      owner_id: ownerId,
      name,
      engine: input.engine ?? 'baileys',
      settings,
      token_prefix: key.prefix,
      token_hash: key.hash,
      token_rotated_at: now,
      status: 'disconnected',
      status_reason: null,
      phone: null,
      wa_name: null,
      desired_state: 'disconnected',
      ...(input.is_default ? { is_default: true } : {}),
      created_at: now,
      updated_at: now,
    });
    return { instance, token: key.token };
  }

  list(ownerId: string): Promise<InstanceDoc[]> {
    return this.repo.listByOwner(ownerId);
  }

  /** The instances the principal may use: an owner's, or the one an instance token is for. */
  async visibleTo(principal: Principal): Promise<InstanceDoc[]> {
    return principal.kind === 'owner' ? this.list(principal.ownerId) : [await this.get(principal, principal.instanceId)];
  }

  /**
   * Seed 002 has no instance ids: each user has one WhatsApp, created on
   * first use. It is the owner's instance flagged is_default, else their
   * oldest, else a new Baileys instance flagged default. Concurrent first
   * requests of one owner share one lookup, so they cannot create two.
   */
  defaultFor(ownerId: string): Promise<InstanceDoc> {
    let pending = this.defaultLookups.get(ownerId);
    if (!pending) {
      pending = this.findOrCreateDefault(ownerId).finally(() => this.defaultLookups.delete(ownerId));
      this.defaultLookups.set(ownerId, pending);
    }
    return pending;
  }

  private async findOrCreateDefault(ownerId: string): Promise<InstanceDoc> {
    const owned = await this.repo.listByOwner(ownerId);
    const chosen = owned.find((i) => i.is_default) ?? owned[0];
    if (chosen) return chosen;
    return (await this.create(ownerId, { name: 'WhatsApp', engine: 'baileys', is_default: true })).instance;
  }

  /** The instance if the principal may use it; 404 otherwise (another owner's ids are not revealed). */
  async get(principal: Principal, id: string): Promise<InstanceDoc> {
    const instance = await this.repo.byId(id);
    if (!instance || !canUse(principal, instance)) throw new NotFoundError('instance');
    return instance;
  }

  /** A new access token (shown once); the old one stops working at once. */
  async rotateToken(instance: InstanceDoc): Promise<{ instance: InstanceDoc; token: string }> {
    const key = issueKey();
    const updated = await this.repo.update(instance._id, { token_prefix: key.prefix, token_hash: key.hash, token_rotated_at: this.clock() }, this.clock());
    if (!updated) throw new NotFoundError('instance');
    return { instance: updated, token: key.token };
  }

  async updateSettings(instance: InstanceDoc, patch: SettingsPatch): Promise<{ settings: BotSettings; modified: boolean }> {
    const settings = mergeSettings(instance.settings, patch);
    const modified = JSON.stringify(settings) !== JSON.stringify(instance.settings);
    if (modified) {
      await this.repo.update(instance._id, { settings }, this.clock());
      for (const hook of this.settingsHooks) hook({ ...instance, settings });
    }
    return { settings, modified };
  }
}

function canUse(principal: Principal, instance: InstanceDoc): boolean {
  if (principal.kind === 'instance') return principal.instanceId === instance._id;
  return principal.ownerId === instance.owner_id;
}
