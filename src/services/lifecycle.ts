/**
 * Connection lifecycle of instances: connect, status, logout, restart, and
 * the persisted status that engines report. Instances that should be
 * connected are reconnected when the process starts.
 */
import type { Logger } from '../logger.js';
import { EngineSendError, type ConnectionUpdate, type EngineStatus, type ProfileInfo } from '../engines/engine.js';
import type { InstanceDoc, InstancesRepo } from '../store/repositories/instances.js';
import type { EngineManager } from './engine-manager.js';
import { ConflictError, UnavailableError, ValidationError } from './errors.js';
import { connectionStatus } from './connection-status.js';
import { connectedEngine, lookup } from './contacts/engine-access.js';
import { KeyedWaiters } from './keyed-waiters.js';

export interface StatusView {
  status: EngineStatus['status'];
  is_ready: boolean;
  has_qr: boolean;
  phone: string | null;
  name: string | null;
  reason: string | null;
  /** The WhatsApp Web version the Baileys connection announces (fetched at each connect); null for the sandbox or before a connect. */
  wa_version: string | null;
  /** The node running the instance, with several nodes on one store; null on a single process or when no node runs it. */
  node: string | null;
}

/** While waiting for a QR these statuses are still on the way to one; any other status ends the wait. */
const ON_THE_WAY_TO_QR = new Set<EngineStatus['status']>(['connecting', 'reconnecting']);

/** Instances reconnected at once at start-up. */
const RESTORE_CONCURRENCY = 16;

export class LifecycleService {
  /** Callers of awaitQr, woken by the instance's next connection update. */
  private readonly updates = new KeyedWaiters();

  constructor(
    private readonly repo: InstancesRepo,
    private readonly engines: EngineManager,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  /** An engine reported a connection change: it is persisted, and callers waiting for a QR look again. */
  async connectionChanged(instanceId: string, update: ConnectionUpdate): Promise<void> {
    try {
      await this.record(instanceId, update);
    } finally {
      this.updates.wake(instanceId);
    }
  }

  async connect(instance: InstanceDoc): Promise<StatusView> {
    const engine = await this.engines.start(instance._id, instance.engine);
    await this.repo.update(instance._id, { desired_state: 'connected' }, this.clock());
    await engine.connect();
    return this.status(instance);
  }

  /** Unlinks the device: auth state is deleted and the next connect needs a new scan. */
  async logout(instance: InstanceDoc): Promise<StatusView> {
    const engine = await this.engines.start(instance._id, instance.engine);
    await engine.logout();
    await this.engines.remove(instance._id);
    await this.repo.update(instance._id, { desired_state: 'disconnected', status: 'logged_out', status_reason: 'logged out through the API', phone: null }, this.clock());
    return this.status({ ...instance, status: 'logged_out' });
  }

  /** Closes and reopens the connection, keeping the link. */
  async restart(instance: InstanceDoc): Promise<StatusView> {
    await this.engines.remove(instance._id);
    return this.connect(instance);
  }

  /** Stops the engine without unlinking and without changing what start-up will do. */
  async stop(instanceId: string): Promise<void> {
    await this.engines.remove(instanceId);
  }

  status(instance: InstanceDoc): StatusView {
    const live = this.engines.get(instance._id)?.status();
    const { status, reason } = connectionStatus(this.engines, instance);
    return {
      status,
      is_ready: status === 'connected',
      has_qr: Boolean(live?.qr),
      phone: live?.phone ?? instance.phone,
      name: live?.name ?? instance.wa_name,
      reason: reason ?? null,
      wa_version: live?.wa_version ?? null,
      node: live ? this.engines.placement.nodeId : this.engines.elsewhere(instance),
    };
  }

  /** Throws OwnedElsewhereError when another node runs the instance (what happens to it is seen there: its live events). */
  assertHere(instance: InstanceDoc): void {
    this.engines.assertHere(instance);
  }

  /** The QR shown now; OwnedElsewhereError when another node runs the instance (the QR lives there). */
  qr(instance: InstanceDoc): string | null {
    this.engines.assertHere(instance);
    return this.engines.get(instance._id)?.status().qr ?? null;
  }

  /** The linked account's own profile (number, name, about, picture); 503 when WhatsApp is not connected. */
  profile(instance: InstanceDoc): Promise<ProfileInfo> {
    const engine = connectedEngine(this.engines, instance);
    return lookup('profile lookup', () => engine.profile());
  }

  /**
   * "Give me a QR" in one call (seed 002's createqr): starts the connection
   * when needed and waits, up to timeoutMs, until the engine shows a QR. The
   * QR is null when the instance is linked already, the connection ended
   * (failed, logged out), or no QR came in time; the status says which.
   */
  async awaitQr(instance: InstanceDoc, timeoutMs: number): Promise<{ qr: string | null; status: StatusView }> {
    if (!this.qr(instance)) await this.connect(instance);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // checked and subscribed in the same tick, so no update can slip in between
      const live = this.engines.get(instance._id)?.status();
      const left = deadline - Date.now();
      if (live?.qr || !live || !ON_THE_WAY_TO_QR.has(live.status) || left <= 0) return { qr: live?.qr ?? null, status: this.status(instance) };
      await this.updates.next(instance._id, left).done;
    }
  }

  /**
   * An 8-character code to type on the phone, the alternative to scanning the
   * QR. Starts the connection when needed (WhatsApp issues codes only on an
   * open, unlinked session). 409 when not applicable (already linked, sandbox),
   * 503 when WhatsApp could not be reached.
   */
  async pairingCode(instance: InstanceDoc, phoneDigits: string): Promise<string> {
    const engine = await this.engines.start(instance._id, instance.engine);
    let code: string;
    try {
      code = await engine.requestPairingCode(phoneDigits);
    } catch (err) {
      if (!(err instanceof EngineSendError)) throw err;
      if (err.code === 'invalid_phone') throw new ValidationError('body.phone', err.message);
      throw err.retryable ? new UnavailableError(err.message) : new ConflictError(err.message);
    }
    // linking is under way: a restart before the code is typed should come back to it
    await this.repo.update(instance._id, { desired_state: 'connected' }, this.clock());
    return code;
  }

  /**
   * Reconnects every instance that was connected when the process last stopped, a few at a time:
   * one by one, a thousand sessions took minutes (each start reads its auth state from the store).
   */
  async restore(concurrency = RESTORE_CONCURRENCY): Promise<number> {
    return (await this.resume(await this.repo.wantingConnection(), concurrency)).started;
  }

  /**
   * Reconnects the instances among `ids` that should be connected: those this node just took over
   * from another. `failed` lists those that could not start here.
   */
  async resumeById(ids: string[]): Promise<{ started: number; failed: string[] }> {
    const docs = await Promise.all(ids.map((id) => this.repo.byId(id)));
    const wanted = docs.filter((d): d is InstanceDoc => d !== null && d.desired_state === 'connected');
    const result = await this.resume(wanted, RESTORE_CONCURRENCY);
    const notWanted = ids.filter((id) => !wanted.some((d) => d._id === id));
    return { started: result.started, failed: [...result.failed, ...notWanted] };
  }

  private async resume(instances: InstanceDoc[], concurrency: number): Promise<{ started: number; failed: string[] }> {
    const wanted = instances.filter((instance) => this.engines.supports(instance.engine));
    const failed: string[] = instances.filter((i) => !this.engines.supports(i.engine)).map((i) => i._id);
    let started = 0;
    let next = 0;
    const lane = async () => {
      while (next < wanted.length) {
        const instance = wanted[next++]!;
        try {
          await (await this.engines.start(instance._id, instance.engine)).connect();
          started++;
        } catch (err) {
          failed.push(instance._id);
          this.log.error({ err, instance_id: instance._id }, 'could not reconnect instance');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, wanted.length) }, lane));
    return { started, failed };
  }

  private async record(instanceId: string, update: ConnectionUpdate): Promise<void> {
    const fields: Partial<InstanceDoc> = { status: update.status, status_reason: update.reason ?? null };
    if (update.phone !== undefined) fields.phone = update.phone;
    if (update.status === 'logged_out') {
      fields.desired_state = 'disconnected';
      fields.phone = null;
    }
    const current = await this.repo.byId(instanceId);
    if (!current) return;
    // QR refreshes arrive every ~20 s; only real changes are written
    const changed = Object.entries(fields).some(([k, v]) => (current as unknown as Record<string, unknown>)[k] !== v);
    // an owner-only write: a node that lost the instance cannot overwrite what the new owner reports
    if (changed) await this.repo.update(instanceId, fields, this.clock(), this.engines.fence(instanceId));
  }
}
