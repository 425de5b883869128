/**
 * Bot instances: creation with a one-time access token, owner isolation,
 * token rotation, deletion (with every dependent service cleaning up), and
 * per-bot settings.
 */
import { defaultSettings, mergeSettings, type BotSettings, type SettingsPatch } from '../domain/settings.js';
import type { EngineKind } from '../engines/engine.js';
import { newId } from '../store/port.js';
import type { InstanceDoc, InstancesRepo } from '../store/repositories/instances.js';
import { issueKey } from './api-keys.js';
import { ForbiddenError, NotFoundError } from './errors.js';
import type { Principal } from './principal.js';

export interface CreateInstanceInput {
  name?: string;
  engine?: EngineKind;
  settings?: SettingsPatch;
  is_default?: boolean;
}

export type InstanceDeletedHook = (instance: InstanceDoc) => Promise<void>;

export class InstancesService {
  private readonly deletedHooks: InstanceDeletedHook[] = [];
  private readonly settingsHooks: ((instance: InstanceDoc) => void)[] = [];
  private readonly defaultLookups = new Map<string, Promise<InstanceDoc>>();

  constructor(
    private readonly repo: InstancesRepo,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Services that keep per-instance data register here to remove it when the instance goes. */
  onDeleted(hook: InstanceDeletedHook): void {
    this.deletedHooks.push(hook);
  }

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

  /** Like get, but only the owner's login may do it (deletion, token rotation). */
  async getAsOwner(principal: Principal, id: string): Promise<InstanceDoc> {
    const instance = await this.get(principal, id);
    if (principal.kind !== 'owner') throw new ForbiddenError("this action needs the owner's login, not an instance token");
    return instance;
  }

  async rotateToken(principal: Principal, id: string): Promise<{ instance: InstanceDoc; token: string }> {
    await this.getAsOwner(principal, id);
    const key = issueKey();
    const instance = await this.repo.update(id, { token_prefix: key.prefix, token_hash: key.hash, token_rotated_at: this.clock() }, this.clock());
    if (!instance) throw new NotFoundError('instance');
    return { instance, token: key.token };
  }

  async delete(principal: Principal, id: string): Promise<void> {
    const instance = await this.getAsOwner(principal, id);
    for (const hook of this.deletedHooks) await hook(instance);
    await this.repo.remove(id);
  }

  async settings(principal: Principal, id: string): Promise<BotSettings> {
    return (await this.get(principal, id)).settings;
  }

  async updateSettings(principal: Principal, id: string, patch: SettingsPatch): Promise<{ settings: BotSettings; modified: boolean }> {
    const instance = await this.get(principal, id);
    const settings = mergeSettings(instance.settings, patch);
    const modified = JSON.stringify(settings) !== JSON.stringify(instance.settings);
    if (modified) {
      await this.repo.update(id, { settings }, this.clock());
      for (const hook of this.settingsHooks) hook({ ...instance, settings });
    }
    return { settings, modified };
  }
}

function canUse(principal: Principal, instance: InstanceDoc): boolean {
  if (principal.kind === 'instance') return principal.instanceId === instance._id;
  return principal.ownerId === instance.owner_id;
}
