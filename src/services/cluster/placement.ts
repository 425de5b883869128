/**
 * Where an instance's engine runs. With one process per store every
 * instance runs here; with several nodes on one database each instance is
 * owned by exactly one live node, through a lease with a fencing token
 * (cluster/ownership.ts). The engine manager asks this before it starts,
 * hands out or stops an engine, and owner-only writes present the token.
 */
import { ServiceError } from '../errors.js';

export interface Placement {
  /** This node's id; null when the store serves one process only. */
  readonly nodeId: string | null;
  /** Makes this node the instance's owner, or confirms it; throws OwnedElsewhereError when a live node holds it. */
  claim(instanceId: string): Promise<void>;
  /** This node holds a lease on the instance that has not run out: it may run the engine and write as its owner. */
  holds(instanceId: string): boolean;
  /** The instances this node holds valid leases on; null on a single process (every instance). */
  runningHere(): string[] | null;
  /** The fencing token owner-only writes present; null on a single process (nothing to fence). */
  token(instanceId: string): string | null;
  /** Gives the lease up, once the engine has stopped. */
  release(instanceId: string): Promise<void>;
}

/** What an instance document says about its owner (cluster/ownership.ts writes it). */
export interface OwnerFields {
  _id: string;
  owner_node?: string | null;
  owner_until?: number;
}

/** One process per store: every instance is this process's. */
export const singleProcess: Placement = {
  nodeId: null,
  claim: async () => {},
  holds: () => true,
  runningHere: () => null,
  token: () => null,
  release: async () => {},
};

/** The live node that owns the instance, when it is not this one. */
export function ownedElsewhere(placement: Placement, instance: OwnerFields, now: number): string | null {
  if (placement.nodeId === null || !instance.owner_node || instance.owner_node === placement.nodeId) return null;
  return (instance.owner_until ?? 0) > now ? instance.owner_node : null;
}

export const NOT_OWNER_HEADER = 'X-Tucan-Not-Owner';

/**
 * The instance's engine runs on another node. The HTTP layer carries the
 * request there (http/middleware/owner-forwarding.ts); anything else that
 * meets it answers 503 with Retry-After.
 */
export class OwnedElsewhereError extends ServiceError {
  constructor(
    readonly instanceId: string,
    readonly node: string | null,
  ) {
    // the header tells a forwarding node that this one is not the owner (any more): look again and retry
    super(503, 'Service unavailable', `the instance is run by ${node ? `node ${node}` : 'another node'} and could not be reached from here; retry`, [], { 'Retry-After': '1', [NOT_OWNER_HEADER]: node ?? 'unknown' });
  }
}
