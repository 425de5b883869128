/**
 * Outbound messages in the shared `messages` collection (direction 'out').
 *
 * Queue fields, and why they look the way they do:
 * - `dispatch_at` is when the dispatcher must next look at a message: the
 *   send time while it waits (queued or scheduled), the lease expiry while
 *   it is claimed (sending); it is removed once the message is settled. One
 *   partial index {instance_id, dispatch_at}, holding only documents that
 *   have one, thus serves the claim ("oldest due message of this instance,
 *   or one whose lease expired"), the scheduler ("when is the next one
 *   due") and lease recovery, without scanning sent history or inbound
 *   messages and without a sweeper.
 * - Claims follow the lease pattern of ../lease.ts (OUTBOX_LEASE): status
 *   `sending`, the fencing token in `claim_id`, the lease expiry in
 *   `dispatch_at`. A message may also be inserted already claimed (bot
 *   replies handed straight to their dispatcher).
 * - Few indexes on purpose: every status change rewrites the document and
 *   every index over it, so each index costs every message three times.
 */
import type { Content, StoredMedia } from '../../domain/content.js';
import { PENDING, statusesBefore, timestampField, WAITING, type OutboundStatus, type ProgressStatus } from '../../domain/outbox.js';
import { applyLease, heldBy, newLease, OUTBOX_LEASE, type Lease } from '../lease.js';
import type { Collection, Doc, Filter, Store, Update } from '../port.js';
import type { InboundMessageDoc } from './inbound-messages.js';
import { MESSAGES, type MessageBase } from './message-base.js';

/** Waiting messages, and claimed ones (claimable again once their lease, kept in dispatch_at, expires). */
const CLAIMABLE = PENDING;
const PROGRESS: ProgressStatus[] = ['sent', 'delivered', 'read', 'played'];

export type OutboxSource = 'api' | 'bulk' | 'recurring' | 'bot';

/** What the engine needs to quote a message. */
export interface QuotedRef {
  wa_message_id: string;
  chat_jid: string;
  from_me: boolean;
  sender_jid?: string;
  text?: string | null;
}

export interface OutboxMessageDoc extends MessageBase {
  direction: 'out';
  status: OutboundStatus;
  /** The recipient as shown to integrators: phone digits, or the JID for groups and @lid. */
  to: string;
  content: Content<StoredMedia>;
  source: OutboxSource;
  job_id?: string;
  recurring_id?: string;
  /** The recurring occurrence (epoch ms) this message is for; unique per recurring send. */
  occurrence?: number;
  inbound_message_id?: string;
  rule_id?: string | null;
  // Optional fields are left out rather than stored as null: every status change rewrites the whole document.
  quoted?: QuotedRef;
  schedule_at?: number;
  dispatch_at?: number;
  /** Fencing token of the current (or last) claim. */
  claim_id?: string;
  attempts: number;
  sent_at?: number;
  delivered_at?: number;
  read_at?: number;
  played_at?: number;
  /** Why it failed or was cancelled; while queued for a retry, why the last attempt failed. */
  error?: string;
  error_code?: string;
}

/** A claimed message and `due`, the dispatch_at it waited under: its place in the queue. */
export interface Claimed {
  doc: OutboxMessageDoc;
  due: number;
}

/**
 * A just-built message, not yet stored, as `claim` would leave it: the
 * fields of OUTBOX_LEASE, one attempt more. Set by name rather than through
 * applyLease(): this runs for every bot reply, and a keyed store shared by
 * both queues' document shapes is a slow, megamorphic one (outbox.test.ts
 * checks the two agree).
 */
export function claimInPlace(doc: OutboxMessageDoc, lease: Lease, now: number): OutboxMessageDoc {
  doc.status = 'sending';
  doc.claim_id = lease.token;
  doc.dispatch_at = lease.until;
  doc.updated_at = now;
  doc.attempts += 1;
  return doc;
}

/**
 * The document as markSentMany(…, status, now) leaves it, without reading it back.
 * Spread and rest rather than a key-by-key loop or `delete`: a loop's keyed
 * stores turned megamorphic in the running server and cost up to 10 % of
 * the main thread, and `delete` leaves a slow-mode object that every later
 * JSON.stringify pays for.
 */
export function asSent(doc: OutboxMessageDoc, status: ProgressStatus, now: number): OutboxMessageDoc {
  const { dispatch_at: _dispatchAt, error: _error, error_code: _errorCode, ...rest } = doc;
  return {
    ...rest,
    status,
    sent_at: now,
    updated_at: now,
    ...(status !== 'sent' ? { delivered_at: now } : {}),
    ...(status === 'read' || status === 'played' ? { read_at: now } : {}),
    ...(status === 'played' ? { played_at: now } : {}),
  };
}

export class OutboxRepo {
  readonly coll: Collection<OutboxMessageDoc>;

  constructor(private readonly store: Store) {
    this.coll = store.collection<OutboxMessageDoc>(MESSAGES);
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes(MESSAGES, [
      // partial: inbound and finished messages have no dispatch_at and no entry (an entry per stored message cost ~5 µs per insert)
      { keys: { instance_id: 1, dispatch_at: 1 }, sparse: true, name: 'out_due' },
      // three equality columns, so the planner prefers it over the listing index for receipt lookups
      { keys: { instance_id: 1, wa_message_id: 1, direction: 1 }, name: 'by_wa_id' },
      { keys: { job_id: 1, status: 1 }, sparse: true, name: 'out_job' },
      { keys: { recurring_id: 1, occurrence: 1 }, unique: true, sparse: true, name: 'out_recurring_run' },
      { keys: { instance_id: 1, created_at: -1 }, name: 'list_all' },
      { keys: { owes_events_since: 1 }, sparse: true, name: 'in_owed_events' },
    ]);
    // its non-partial predecessor, in data from before out_due
    await this.store.dropIndex(MESSAGES, 'out_dispatch');
  }

  insert(doc: OutboxMessageDoc): Promise<OutboxMessageDoc> {
    return this.coll.insertOne(doc);
  }

  insertMany(docs: OutboxMessageDoc[]): Promise<OutboxMessageDoc[]> {
    return this.coll.insertMany(docs);
  }

  /**
   * An inbound message and the replies to it, in one ordered insert: it
   * stops at the first duplicate, so a message refused as already stored
   * takes its replies with it.
   */
  async insertAnswer(message: InboundMessageDoc, replies: OutboxMessageDoc[]): Promise<void> {
    await (this.coll as unknown as Collection<Doc>).insertMany([message, ...replies]);
  }

  /** The stored inbound message with this WhatsApp id, when it still owes webhook events. */
  owingInbound(instanceId: string, waMessageId: string): Promise<InboundMessageDoc | null> {
    return (this.coll as unknown as Collection<InboundMessageDoc>).findOne({ instance_id: instanceId, in_key: waMessageId, unpublished: { $exists: true } });
  }

  /** The bot's replies to an inbound message, in the order they were queued. */
  async replyIds(instanceId: string, inboundId: string): Promise<string[]> {
    const docs = await this.coll.find({ instance_id: instanceId, direction: 'out', inbound_message_id: inboundId }, { sort: { dispatch_at: 1, _id: 1 } });
    return docs.map((d) => d._id);
  }

  async clearUnpublished(inboundId: string): Promise<void> {
    await this.coll.updateOne({ _id: inboundId }, { $unset: { unpublished: 1, owes_events_since: 1 } });
  }

  /** Inbound messages that have owed webhook events since before `before`, oldest first. */
  async owingSince(before: number, limit: number): Promise<{ instanceId: string; waMessageId: string }[]> {
    const docs = await (this.coll as unknown as Collection<InboundMessageDoc>).find({ owes_events_since: { $lt: before } }, { sort: { owes_events_since: 1 }, limit });
    return docs.map((d) => ({ instanceId: d.instance_id, waMessageId: d.in_key }));
  }

  byId(instanceId: string, id: string): Promise<OutboxMessageDoc | null> {
    return this.coll.findOne({ _id: id, instance_id: instanceId, direction: 'out' });
  }

  /** Any message of the instance (either direction) by tucan id or WhatsApp id, for quoting. */
  findAnyDirection(instanceId: string, ref: { id?: string; wa_message_id?: string }): Promise<(MessageBase & Record<string, unknown>) | null> {
    const filter: Filter = ref.id ? { _id: ref.id, instance_id: instanceId } : { instance_id: instanceId, wa_message_id: ref.wa_message_id ?? null };
    return (this.coll as unknown as Collection<MessageBase & Record<string, unknown>>).findOne(filter);
  }

  byWaId(instanceId: string, waMessageId: string): Promise<OutboxMessageDoc | null> {
    return this.coll.findOne({ instance_id: instanceId, wa_message_id: waMessageId, direction: 'out' });
  }

  /**
   * Claims up to `n` due messages of the instance, oldest first: waiting
   * ones whose time has come, and claimed ones whose lease expired (their
   * dispatcher died or hung). The claim is a compare-and-set — only
   * messages still due are taken — and stamps a fresh fencing token
   * (`claim_id`), which every later write of this claim must present.
   * Each message comes with `due`, its place in the queue before the claim.
   */
  async claim(instanceId: string, now: number, leaseMs: number, n: number): Promise<Claimed[]> {
    const candidates = await this.coll.find({ instance_id: instanceId, dispatch_at: { $lte: now }, status: { $in: CLAIMABLE } }, { sort: { dispatch_at: 1 }, limit: n });
    if (candidates.length === 0) return [];
    const lease = newLease(now, leaseMs);
    const ids = candidates.map((c) => c._id);
    const update = applyLease({ updated_at: now }, OUTBOX_LEASE, lease);
    const r = await this.coll.updateMany({ _id: { $in: ids }, dispatch_at: { $lte: now }, status: { $in: CLAIMABLE } }, { $set: update, $inc: { attempts: 1 } });
    if (r.matched === candidates.length) return candidates.map((c) => ({ doc: claimInPlace({ ...c }, lease, now), due: c.dispatch_at! }));
    // some were taken or cancelled in between: keep exactly the ones this claim stamped
    const due = new Map(candidates.map((c) => [c._id, c.dispatch_at!]));
    const mine = await this.coll.find({ _id: { $in: ids }, claim_id: lease.token });
    return mine.sort((a, b) => ids.indexOf(a._id) - ids.indexOf(b._id)).map((doc) => ({ doc, due: due.get(doc._id)! }));
  }

  /** When the dispatcher must next look at the instance's queue (null when nothing is pending). */
  async nextDue(instanceId: string): Promise<number | null> {
    const next = await this.coll.findOne({ instance_id: instanceId, dispatch_at: { $gte: 0 }, status: { $in: CLAIMABLE } }, { sort: { dispatch_at: 1 } });
    return next?.dispatch_at ?? null;
  }

  /**
   * Makes the instance's leases claimable now. Only for a store that serves
   * a single process (the embedded one): a lease found at start-up there
   * belonged to a process that is gone.
   */
  expireLeases(instanceId: string, now: number) {
    return this.coll.updateMany({ instance_id: instanceId, dispatch_at: { $gt: now }, status: 'sending' }, { $set: { dispatch_at: now } });
  }

  /**
   * Records the engine's acceptance of messages of one claim in a single
   * statement; `status` may already include receipts that arrived
   * meanwhile, and their times are the time of recording. Returns how many
   * were written: fewer when some claim was fenced off (its lease expired
   * and another claim took over) or a receipt got there first.
   * `withErrors: false` promises that none carries error fields (the
   * caller holds them as claimed, and only this claim could add them):
   * the statement then removes only dispatch_at, which is cheaper.
   */
  async markSentMany(ids: string[], claimId: string, status: ProgressStatus, now: number, withErrors = true): Promise<number> {
    const times: Record<string, number> = {};
    for (const s of PROGRESS) {
      times[timestampField(s)] = now;
      if (s === status) break;
    }
    const r = await this.coll.updateMany(
      heldBy(OUTBOX_LEASE, ids, claimId),
      { $set: { status, ...times, updated_at: now }, $unset: withErrors ? { dispatch_at: true, error: true, error_code: true } : { dispatch_at: true } },
    );
    return r.matched;
  }

  byIds(ids: string[]): Promise<OutboxMessageDoc[]> {
    return this.coll.find({ _id: { $in: ids } });
  }

  /** Fills in sent_at on a message a receipt already advanced (the receipt overtook the engine's answer). */
  releaseAfterReceipt(id: string, claimId: string, sentAt: number): Promise<OutboxMessageDoc | null> {
    return this.coll.findOneAndUpdate({ _id: id, claim_id: claimId, status: { $in: ['sent', 'delivered', 'read', 'played'] } }, { $set: { sent_at: sentAt } });
  }

  markFailed(id: string, claimId: string, now: number, error: string, code: string | null): Promise<OutboxMessageDoc | null> {
    return this.coll.findOneAndUpdate(
      heldBy(OUTBOX_LEASE, id, claimId),
      { $set: { status: 'failed', error, updated_at: now, ...(code ? { error_code: code } : {}) }, $unset: { dispatch_at: true, ...(code ? {} : { error_code: true }) } },
    );
  }

  /** Puts a claimed message back in the queue (retry later, or not connected). `refund` gives the attempt back. */
  requeue(id: string, claimId: string, now: number, dispatchAt: number, error: string | null, code: string | null, refund: boolean): Promise<OutboxMessageDoc | null> {
    const update: Update = {
      $set: { status: 'queued', dispatch_at: dispatchAt, updated_at: now, ...(error ? { error } : {}), ...(code ? { error_code: code } : {}) },
      ...(error ? {} : { $unset: { error: true, error_code: true } }),
    };
    if (refund) update.$inc = { attempts: -1 };
    return this.coll.findOneAndUpdate(heldBy(OUTBOX_LEASE, id, claimId), update);
  }

  /** Cancels a message that has not been handed to the engine. Null when it is no longer waiting. */
  cancel(instanceId: string, id: string, now: number, reason: string): Promise<OutboxMessageDoc | null> {
    return this.coll.findOneAndUpdate(
      { _id: id, instance_id: instanceId, direction: 'out', status: { $in: WAITING } },
      { $set: { status: 'cancelled', error: reason, updated_at: now }, $unset: { dispatch_at: true } },
    );
  }

  cancelJob(jobId: string, now: number, reason: string) {
    return this.coll.updateMany(
      { job_id: jobId, status: { $in: WAITING } },
      { $set: { status: 'cancelled', error: reason, updated_at: now }, $unset: { dispatch_at: true } },
    );
  }

  /** Advances a message on a receipt; null when the receipt is stale (the message is already further). */
  applyReceipt(instanceId: string, waMessageId: string, status: ProgressStatus | 'failed', now: number, errorCode: string | null, error: string | null) {
    const $set: Record<string, unknown> = { status, updated_at: now };
    if (status === 'failed') Object.assign($set, { error, ...(errorCode ? { error_code: errorCode } : {}) });
    else $set[timestampField(status)] = now;
    return this.coll.findOneAndUpdate(
      { instance_id: instanceId, wa_message_id: waMessageId, direction: 'out', status: { $in: statusesBefore(status) } },
      { $set, $unset: { dispatch_at: true } },
    );
  }

  list(filter: Filter, page: number, limit: number): Promise<OutboxMessageDoc[]> {
    return this.coll.find(filter, { sort: { created_at: -1 }, skip: (page - 1) * limit, limit });
  }

  count(filter: Filter): Promise<number> {
    return this.coll.countDocuments(filter);
  }

  /** Outbound messages not settled yet, by status, across instances (metrics). */
  async depth(): Promise<Record<string, number>> {
    // every unsettled message has a dispatch_at: the ranges make the partial index out_due usable, so a scrape reads only those, not the whole table
    const counts = await Promise.all(PENDING.map((status) => this.coll.countDocuments({ instance_id: { $gt: '' }, dispatch_at: { $gte: 0 }, status })));
    return Object.fromEntries(PENDING.map((status, i) => [status, counts[i]]));
  }

  countByStatus(jobId: string, statuses: OutboundStatus[]): Promise<number> {
    return this.coll.countDocuments({ job_id: jobId, status: { $in: statuses } });
  }

  /** Whether any message of the job is still pending: one index probe, unlike counting. */
  async jobHasPending(jobId: string): Promise<boolean> {
    return (await this.coll.findOne({ job_id: jobId, status: { $in: PENDING } })) !== null;
  }

  jobMessages(jobId: string, page: number, limit: number): Promise<OutboxMessageDoc[]> {
    return this.coll.find({ job_id: jobId }, { sort: { _id: 1 }, skip: (page - 1) * limit, limit });
  }

  deleteForInstance(instanceId: string): Promise<number> {
    return this.coll.deleteMany({ instance_id: instanceId, direction: 'out' });
  }
}
