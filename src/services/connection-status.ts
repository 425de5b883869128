/** One rule for the connection status an instance reports, wherever it is reported. */
import type { ConnectionStatus } from '../engines/engine.js';
import type { InstanceDoc } from '../store/repositories/instances.js';
import type { EngineManager } from './engine-manager.js';

/** What an answer needs of an instance to report its connection (and, with several nodes, which node runs it). */
export type InstanceRef = Pick<InstanceDoc, '_id' | 'status' | 'status_reason' | 'owner_node' | 'owner_until'>;

/**
 * The connection status every answer reports, status routes and refusals
 * alike: the live engine's, else the one stored last, so a "logged_out"
 * outlives its engine (a stored connected/connecting without an engine is
 * "disconnected"). An instance another node runs reports what that node
 * stored last: it writes every change.
 */
export function connectionStatus(engines: EngineManager, instance: InstanceRef): { status: ConnectionStatus; reason: string | null } {
  const live = engines.get(instance._id)?.status();
  if (live) return { status: live.status, reason: live.reason ?? null };
  if (engines.elsewhere(instance)) return { status: instance.status, reason: instance.status_reason };
  const stored = instance.status === 'connected' || instance.status === 'connecting' ? 'disconnected' : instance.status;
  return { status: stored, reason: instance.status_reason };
}
