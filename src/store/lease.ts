/**
 * Leases and fencing tokens: the claim vocabulary of tucan's two durable
 * queues, the outbox (`messages`, direction 'out') and the webhook
 * deliveries. Both follow one pattern:
 *
 * - A worker claims a document by moving it, in one compare-and-set, to the
 *   queue's claimed status with a fresh fencing token and a lease expiry.
 * - The expiry is stored in the queue's due-time field, the field its due
 *   index orders by: a lease that runs out (its worker died or hung) makes
 *   the document due again, found by the same query as any due work, with no
 *   sweeper.
 * - Every write of the claim's outcome presents the token (`heldBy`): a
 *   worker whose lease expired, and whose document was claimed again, cannot
 *   overwrite the newer claim's outcome.
 * - A document may be inserted already claimed (`applyLease`) when the
 *   process that writes it will work on it at once: the claim then costs no
 *   write of its own, and the lease recovers it like any other claim.
 */
import { randomBytes } from 'node:crypto';
import type { Filter } from './port.js';

/** A claim: the fencing token its writes present, and when another worker may take the document over. */
export interface Lease {
  readonly token: string;
  readonly until: number;
}

/** Where a queue keeps a claim on its documents. */
export interface LeaseFields {
  /** The status of a claimed document. */
  readonly status: string;
  /** The field holding the fencing token. */
  readonly token: string;
  /** The due-time field, which holds the lease expiry while claimed. */
  readonly until: string;
}

export const OUTBOX_LEASE = { status: 'sending', token: 'claim_id', until: 'dispatch_at' } as const satisfies LeaseFields;
export const DELIVERY_LEASE = { status: 'processing', token: 'lock_token', until: 'run_at' } as const satisfies LeaseFields;

// Tokens must be unique, not secret: a random per-process prefix and a counter cost nothing per claim.
const PREFIX = randomBytes(8).toString('hex');
let counter = 0;

export function fencingToken(): string {
  return `${PREFIX}-${(++counter).toString(36)}`;
}

export function newLease(now: number, ms: number): Lease {
  return { token: fencingToken(), until: now + ms };
}

/** The filter of a write made under a claim: it matches only while that claim is the current one. */
export function heldBy(fields: LeaseFields, id: string | string[], token: string): Filter {
  return { _id: Array.isArray(id) ? { $in: id } : id, [fields.token]: token, status: fields.status };
}

/** Marks a document nothing else holds yet (just built, not stored) as claimed under `lease`. */
export function applyLease<T extends object>(doc: T, fields: LeaseFields, lease: Lease): T {
  const d = doc as Record<string, unknown>;
  d.status = fields.status;
  d[fields.token] = lease.token;
  d[fields.until] = lease.until;
  return doc;
}
