/**
 * The live engines, one per instance that has been started in this process.
 * Creating, stopping and forgetting engines happens only here, so no
 * orphaned engine (or socket) survives a restart or a deletion. With
 * several nodes on one store, an engine starts only under this node's
 * lease on the instance (cluster/placement.ts), is handed out only while
 * that lease holds, and the lease is released once the engine has stopped.
 */
import type { Logger } from '../logger.js';
import type { Engine, EngineFactory, EngineKind } from '../engines/engine.js';
import { UnavailableError } from './errors.js';
import type { EngineHub } from './engine-hub.js';
import { OwnedElsewhereError, ownedElsewhere, singleProcess, type OwnerFields, type Placement } from './cluster/placement.js';

export class EngineManager {
  private readonly engines = new Map<string, Engine>();

  constructor(
    private readonly factories: Partial<Record<EngineKind, EngineFactory>>,
    private readonly hub: EngineHub,
    private readonly log: Logger,
    /** Engines whose code is loaded on first use (Baileys): run once before the first engine of that kind. */
    private readonly loaders: Partial<Record<EngineKind, () => Promise<void>>> = {},
    readonly placement: Placement = singleProcess,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The instance's engine while this node may run it (a node that lost the lease gets none, even before it hears so). */
  get(instanceId: string): Engine | undefined {
    const engine = this.engines.get(instanceId);
    return engine && this.placement.holds(instanceId) ? engine : undefined;
  }

  /** The node that runs the instance, when it is another one (from the instance document just read). */
  elsewhere(instance: OwnerFields): string | null {
    // an engine kept here under a lease that ran out (a node frozen past it) does not make the instance ours
    return this.engines.has(instance._id) && this.placement.holds(instance._id) ? null : ownedElsewhere(this.placement, instance, this.clock());
  }

  /** Throws OwnedElsewhereError when another node runs the instance: the request belongs there. */
  assertHere(instance: OwnerFields): void {
    const node = this.elsewhere(instance);
    if (node) throw new OwnedElsewhereError(instance._id, node);
  }

  /** The fencing token of this node's lease on the instance, which its owner-only writes present (null: a single process). */
  fence(instanceId: string): string | null {
    return this.placement.token(instanceId);
  }

  /** The instances whose engines run here. */
  running(): string[] {
    return [...this.engines.keys()];
  }

  supports(kind: EngineKind): boolean {
    return this.factories[kind] !== undefined;
  }

  /** The instance's engine, created on first use, with its code loaded first if it is not yet. */
  async start(instanceId: string, kind: EngineKind): Promise<Engine> {
    await this.placement.claim(instanceId);
    if (!this.engines.has(instanceId)) await this.loaders[kind]?.();
    return this.ensure(instanceId, kind);
  }

  /** The instance's engine, created on first use (its code must be loaded: see start). */
  ensure(instanceId: string, kind: EngineKind): Engine {
    let engine = this.engines.get(instanceId);
    if (engine && engine.kind !== kind) throw new Error(`instance ${instanceId} runs a ${engine.kind} engine, not ${kind}`);
    if (!engine) {
      const factory = this.factories[kind];
      if (!factory) throw new UnavailableError(`the ${kind} engine is not available in this process`);
      engine = factory({ instanceId, events: this.hub.eventsFor(instanceId), owns: () => this.placement.holds(instanceId) });
      this.engines.set(instanceId, engine);
    }
    return engine;
  }

  /** Stops and forgets the engine (the auth state is kept unless `logout`), then gives its lease up. */
  async remove(instanceId: string, options: { logout?: boolean } = {}): Promise<void> {
    const engine = this.engines.get(instanceId);
    this.engines.delete(instanceId);
    if (engine) {
      try {
        if (options.logout) await engine.logout();
        else await engine.disconnect();
      } catch (err) {
        this.log.warn({ err, instance_id: instanceId }, 'engine did not stop cleanly');
      }
    }
    await this.placement.release(instanceId);
  }

  /** How many live engines are in each connection status (metrics). */
  statusCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const engine of this.engines.values()) {
      const { status } = engine.status();
      counts[status] = (counts[status] ?? 0) + 1;
    }
    return counts;
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.engines.keys()].map((id) => this.remove(id)));
  }
}
