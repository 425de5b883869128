/**
 * Inbound messages in the shared `messages` collection (direction 'in'),
 * each with the normalised message as the engine reported it and the
 * decision trace that explains what the bot did with it.
 *
 * `in_key` (the WhatsApp id) exists only on inbound documents; a unique
 * index on it makes a redelivered message (reconnects, Baileys replaying
 * `append` after `notify`) a duplicate the pipeline drops instead of
 * answering twice.
 *
 * Every byte of this document is written, indexed and (once the store runs
 * on a worker) copied once per inbound message, so nothing is stored twice:
 * `message` keeps only what the fields beside it do not already hold
 * (inboundMessageOf() puts the whole message back together), and standard
 * trace steps are stored as codes (domain/trace-steps.ts). Documents written
 * before this kept the whole message and every step as a tuple; both read
 * the same.
 */
import { contentToJson } from '../../domain/content.js';
import type { Decision, StopReason } from '../../domain/decide.js';
import type { BotRepliedData, DomainEvent, EventType } from '../../domain/events.js';
import type { InboundMessage } from '../../domain/inbound.js';
import { packTrace, type StoredTraceStep } from '../../domain/trace-steps.js';
import { DuplicateKeyError, type Store } from '../port.js';
import { MESSAGES, type MessageBase } from './message-base.js';

export { packTrace, unpackTrace, type StoredTraceStep } from '../../domain/trace-steps.js';

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
  /** The flow that answered (absent in documents from before flows, and when none did). */
  flow?: { id: string; name: string; step: string | null } | null;
}

/** The fields of the inbound message that are stored beside it, on the document itself. */
type Beside = 'instance_id' | 'wa_message_id' | 'chat_jid' | 'sender_jid' | 'sender_phone' | 'from_me' | 'kind' | 'text';

/** What `message` holds: the rest of the inbound message (older documents hold all of it). */
export type StoredInboundMessage = Omit<InboundMessage, Beside> & Partial<Pick<InboundMessage, Beside>>;

export interface InboundMessageDoc extends MessageBase {
  direction: 'in';
  status: 'received';
  in_key: string;
  sender_jid: string;
  from_me: boolean;
  message: StoredInboundMessage;
  decision: InboundDecisionRecord;
  trace: StoredTraceStep[];
  /**
   * On stores without turn commit: the webhook events still to publish,
   * written with the message and removed once they are out. A node dying in
   * between leaves them here, and the message's redelivery publishes them.
   */
  unpublished?: UnpublishedEvents;
  /** When it began to owe them (indexed: the sweep finds messages whose node died and that were never redelivered). */
  owes_events_since?: number;
}

export interface UnpublishedEvents {
  events: DomainEvent[];
  bot_replied: Omit<BotRepliedData, 'reply_message_ids'> | null;
}

export function newInboundDoc(id: string, instanceId: string, m: InboundMessage, decision: Decision, now: number): InboundMessageDoc {
  return {
    _id: id,
    instance_id: instanceId,
    direction: 'in',
    status: 'received',
    wa_message_id: m.wa_message_id,
    in_key: m.wa_message_id,
    chat_jid: m.chat_jid,
    phone: m.sender_phone,
    sender_jid: m.sender_jid,
    from_me: m.from_me,
    kind: m.kind,
    text: m.text,
    message: storedPart(m),
    decision: {
      stop: decision.stop,
      rule: decision.rule,
      used_default: decision.used_default,
      ...(decision.flow ? { flow: decision.flow } : {}),
      summary: decision.summary,
      events: decision.events.map((e) => e.type),
      replies: decision.replies.map((c) => contentToJson(c)),
      reply_error: null,
    },
    trace: packTrace(decision.trace),
    created_at: now,
    updated_at: now,
  };
}

/** Every field of InboundMessage is either beside `message` or listed here: adding one without storing it is a type error. */
type Listed = 'sender_lid' | 'push_name' | 'is_group' | 'is_broadcast' | 'sent_by_api' | 'offline' | 'timestamp' | 'media' | 'location' | 'contacts' | 'selected_id' | 'reaction' | 'poll_vote' | 'protocol_type' | 'target_id' | 'quoted_id' | 'mentions';
const everyFieldStored: Exclude<keyof InboundMessage, Beside | Listed> extends never ? true : false = true;
void everyFieldStored;

// field by field rather than an object rest, which measured several µs per message on the hot path
function storedPart(m: InboundMessage): StoredInboundMessage {
  const part: StoredInboundMessage = { push_name: m.push_name, is_group: m.is_group, is_broadcast: m.is_broadcast, sent_by_api: m.sent_by_api, offline: m.offline, timestamp: m.timestamp };
  if (m.sender_lid) part.sender_lid = m.sender_lid;
  if (m.media !== undefined) part.media = m.media;
  if (m.location !== undefined) part.location = m.location;
  if (m.contacts !== undefined) part.contacts = m.contacts;
  if (m.selected_id !== undefined) part.selected_id = m.selected_id;
  if (m.reaction !== undefined) part.reaction = m.reaction;
  if (m.poll_vote !== undefined) part.poll_vote = m.poll_vote;
  if (m.protocol_type !== undefined) part.protocol_type = m.protocol_type;
  if (m.target_id !== undefined) part.target_id = m.target_id;
  if (m.quoted_id !== undefined) part.quoted_id = m.quoted_id;
  if (m.mentions !== undefined) part.mentions = m.mentions;
  return part;
}

/** The inbound message as the engine reported it, from a document of either shape. */
export function inboundMessageOf(doc: InboundMessageDoc): InboundMessage {
  return {
    instance_id: doc.instance_id,
    wa_message_id: doc.in_key,
    chat_jid: doc.chat_jid,
    sender_jid: doc.sender_jid,
    sender_phone: doc.phone,
    from_me: doc.from_me,
    kind: doc.kind as InboundMessage['kind'],
    text: doc.text,
    ...doc.message,
  };
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

  async removeAll(instanceId: string): Promise<void> {
    await this.coll.deleteMany({ instance_id: instanceId, direction: 'in' });
  }
}
