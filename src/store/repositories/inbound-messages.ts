/**
 * Inbound messages in the shared `messages` collection (direction 'in'),
 * each with the normalised message as the engine reported it and the
 * decision trace that explains what the bot did with it.
 *
 * `in_key` (the WhatsApp id) exists only on inbound documents; a unique
 * index on it makes a redelivered message (reconnects, Baileys replaying
 * `append` after `notify`) a duplicate the pipeline drops instead of
 * answering twice.
 */
import type { TraceStep, StopReason } from '../../domain/decide.js';
import type { EventType } from '../../domain/events.js';
import type { InboundMessage } from '../../domain/inbound.js';
import { DuplicateKeyError, type Store } from '../port.js';
import { MESSAGES, type MessageBase } from './message-base.js';

export interface InboundDecisionRecord {
  /** Null when the bot replied; otherwise why it stayed silent. */
  stop: StopReason | null;
  rule: { id: string; name: string } | null;
  used_default: boolean;
  summary: string;
  /** The webhook events published for the message (types). */
  events: EventType[];
  /** The rendered replies (send API content JSON). */
  replies: Record<string, unknown>[];
  /** Why handing the replies over failed, when it did. */
  reply_error: string | null;
}

/** A trace step as stored: a tuple, so each message does not repeat the key names a dozen times. */
export type StoredTraceStep = [step: string, result: TraceStep['result'], detail: string];

export function packTrace(trace: TraceStep[]): StoredTraceStep[] {
  return trace.map((t) => [t.step, t.result, t.detail]);
}

export function unpackTrace(stored: StoredTraceStep[]): TraceStep[] {
  return stored.map(([step, result, detail]) => ({ step, result, detail }));
}

export interface InboundMessageDoc extends MessageBase {
  direction: 'in';
  status: 'received';
  in_key: string;
  sender_jid: string;
  from_me: boolean;
  message: InboundMessage;
  decision: InboundDecisionRecord;
  trace: StoredTraceStep[];
}

export class InboundMessagesRepo {
  private readonly coll;

  constructor(private readonly store: Store) {
    this.coll = store.collection<InboundMessageDoc>(MESSAGES);
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes(MESSAGES, [{ keys: { instance_id: 1, in_key: 1 }, unique: true, sparse: true, name: 'in_dedup' }]);
  }

  /** Resolves false when the message was already stored (a redelivery). */
  async insert(doc: InboundMessageDoc): Promise<boolean> {
    try {
      await this.coll.insertOne(doc);
      return true;
    } catch (err) {
      if (err instanceof DuplicateKeyError) return false;
      throw err;
    }
  }

  byId(instanceId: string, id: string): Promise<InboundMessageDoc | null> {
    return this.coll.findOne({ _id: id, instance_id: instanceId, direction: 'in' });
  }

  byWaId(instanceId: string, waMessageId: string): Promise<InboundMessageDoc | null> {
    return this.coll.findOne({ instance_id: instanceId, in_key: waMessageId });
  }

  async recordReplyFailure(instanceId: string, id: string, error: string, now: number): Promise<void> {
    await this.coll.updateOne({ _id: id, instance_id: instanceId }, { $set: { 'decision.reply_error': error, updated_at: now } });
  }

  async removeAll(instanceId: string): Promise<void> {
    await this.coll.deleteMany({ instance_id: instanceId, direction: 'in' });
  }
}
