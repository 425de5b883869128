/** One rule for the connection status an instance reports, wherever it is reported. */
import type { ConnectionStatus } from '../engines/engine.js';
import type { InstanceDoc } from '../store/repositories/instances.js';
import type { EngineManager } from './engine-manager.js';

/** What an answer needs of an instance to report its connection. */
export type InstanceRef = Pick<InstanceDoc, '_id' | 'status' | 'status_reason'>;

/**
 * The connection status every answer reports, status routes and refusals
 * alike: the live engine's, else the one stored last, so a "logged_out"
 * outlives its engine (a stored connected/connecting without an engine is
 * "disconnected").
 */
export function connectionStatus(engines: EngineManager, instance: InstanceRef): { status: ConnectionStatus; reason: string | null } {
  const live = engines.get(instance._id)?.status();
  if (live) return { status: live.status, reason: live.reason ?? null };
  const stored = instance.status === 'connected' || instance.status === 'connecting' ? 'disconnected' : instance.status;
  return { status: stored, reason: instance.status_reason };
}
