/**
 * Reaching an instance's WhatsApp connection for lookups (number checks,
 * contact info, groups): a clear 503 when it is not connected, and a 502
 * when WhatsApp fails to answer, so a lookup never surfaces as a 500.
 */
import { EngineNotConnectedError, type Engine } from '../../engines/engine.js';
import { connectionStatus, type InstanceRef } from '../connection-status.js';
import type { EngineManager } from '../engine-manager.js';

export type { InstanceRef } from '../connection-status.js';
import { NotConnectedError, ServiceError } from '../errors.js';

export function notConnected(status: string, reason?: string | null): NotConnectedError {
  return new NotConnectedError(status, 'connect', reason ?? null);
}

/** The instance's engine, if it is connected now (OwnedElsewhereError when another node runs it). */
export function connectedEngine(engines: EngineManager, instance: InstanceRef): Engine {
  engines.assertHere(instance);
  const engine = engines.get(instance._id);
  const { status, reason } = connectionStatus(engines, instance);
  if (!engine || status !== 'connected') throw notConnected(status, reason);
  return engine;
}

/** Runs one engine lookup, translating its failures into answers. */
export async function lookup<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof EngineNotConnectedError) throw notConnected('disconnected', err.message);
    if (err instanceof ServiceError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new ServiceError(502, 'Bad gateway', `WhatsApp did not answer the ${what}: ${message}`);
  }
}
