/**
 * The send API's service: accept a message (validate, take in media,
 * persist before any attempt), hand it to the dispatcher, and — unless the
 * caller asked for it to be queued or scheduled — wait for the engine's
 * answer. Also: one message, the listing, and cancellation.
 */
import { contentText, type Content, type MediaInput, type StoredMedia } from '../../domain/content.js';
import { parseScheduleAt } from '../../domain/schedule-at.js';
import type { CodePhone, Recipient } from '../../domain/recipient.js';
import { newId, type Filter } from '../../store/port.js';
import type { InstanceDoc } from '../../store/repositories/instances.js';
import type { MessageBase } from '../../store/repositories/message-base.js';
import type { OutboxMessageDoc, OutboxRepo, OutboxSource, QuotedRef } from '../../store/repositories/outbox.js';
import { OwnedElsewhereError } from '../cluster/placement.js';
import { connectionStatus } from '../connection-status.js';
import type { EngineManager } from '../engine-manager.js';
import { ConflictError, NotConnectedError, NotFoundError, ValidationError } from '../errors.js';
import type { UploadedFile } from '../ports.js';
import type { DispatchPool } from './dispatch-pool.js';
import type { OutboxOutcomes } from './outcomes.js';
import { resolveRecipient, type ContentPreparer } from './preparer.js';

export interface SendMessageInput {
  to: string | CodePhone;
  /** Media may be null when the file comes as a multipart upload. */
  content: Content<MediaInput | null>;
  file?: UploadedFile;
  schedule_at?: string;
  /** Accept even when the instance is offline, and answer without waiting for the engine. */
  queue?: boolean;
}

export interface OutboxServiceOptions {
  repo: OutboxRepo;
  preparer: ContentPreparer;
  pool: DispatchPool;
  outcomes: OutboxOutcomes;
  engines: EngineManager;
  clock: () => number;
  /** Stored media expires; a scheduled media message must go out before its file does. */
  mediaTtlMs: number;
  /** How long a send request waits for the engine before answering 202 (still queued). */
  waitMs: number;
  /** The phone numbers of LIDs WhatsApp shared, so a message sent to `…@lid` reports its phone too. */
  lids?: { phoneOf(instanceId: string, lid: string): Promise<string | null> };
}

/**
 * A WhatsApp-style message id (Baileys uses the 3EB0 prefix for ids it
 * generates). The body is an ObjectId (newId) — time, then per-process randomness,
 * then a counter — so ids of messages accepted together sort together and
 * the index over them is written in a few pages instead of all over.
 */
export function newWaMessageId(): string {
  return `3EB0${newId().toUpperCase()}`;
}

export interface NewMessage {
  id?: string;
  instanceId: string;
  recipient: Pick<Recipient, 'jid' | 'phone'>;
  content: Content<StoredMedia>;
  quoted: QuotedRef | null;
  source: OutboxSource;
  now: number;
  scheduleAt?: number | null;
  /** When it may be sent (bulk delay spacing); defaults to the schedule or now. */
  dispatchAt?: number;
  extra?: Partial<OutboxMessageDoc>;
}

/** A fresh outbound document, waiting to be dispatched. */
export function newOutboxDoc(m: NewMessage): OutboxMessageDoc {
  const scheduleAt = m.scheduleAt ?? null;
  return {
    _id: m.id ?? newId(),
    instance_id: m.instanceId,
    direction: 'out',
    status: scheduleAt !== null ? 'scheduled' : 'queued',
    wa_message_id: newWaMessageId(),
    chat_jid: m.recipient.jid,
    phone: m.recipient.phone,
    to: m.recipient.phone ?? m.recipient.jid,
    kind: m.content.type,
    text: contentText(m.content),
    content: m.content,
    source: m.source,
    ...(m.quoted ? { quoted: m.quoted } : {}),
    ...(scheduleAt !== null ? { schedule_at: scheduleAt } : {}),
    dispatch_at: m.dispatchAt ?? scheduleAt ?? m.now,
    attempts: 0,
    created_at: m.now,
    updated_at: m.now,
    ...m.extra,
  };
}

export class OutboxService {
  constructor(private readonly o: OutboxServiceOptions) {}

  /**
   * Accepts one message. Resolves once the engine took it (status sent), it
   * failed, it is queued/scheduled by request, or the wait ran out.
   */
  async send(instance: InstanceDoc, input: SendMessageInput, messageId: string = newId()): Promise<OutboxMessageDoc> {
    const now = this.o.clock();
    const recipient = await this.withPhone(instance._id, resolveRecipient(input.to, 'body.to'));
    const scheduleAt = this.scheduleAt(input, now);
    // a send that waits for its outcome is made where the engine runs, which hears the outcome at once; an uploaded
    // file cannot be carried there, so that send is stored here and answered as queued
    const elsewhere = this.o.engines.elsewhere(instance);
    if (elsewhere && !input.queue && scheduleAt === null && !input.file) throw new OwnedElsewhereError(instance._id, elsewhere);
    const { status, reason } = connectionStatus(this.o.engines, instance);
    if (status !== 'connected' && !input.queue && scheduleAt === null) {
      throw new NotConnectedError(status, 'queue', reason, 30);
    }
    const content = await this.o.preparer.prepare(instance._id, input.content, 'body', input.file);
    if (scheduleAt !== null) await this.o.preparer.keepMedia(instance._id, content, scheduleAt, now + this.o.mediaTtlMs, 'body.schedule_at');
    const quoted = await this.o.preparer.target(instance._id, content, recipient.jid, 'body');
    const doc = newOutboxDoc({ id: messageId, instanceId: instance._id, recipient, content, quoted, source: 'api', now, scheduleAt });
    await this.o.repo.insert(doc);
    const wait = scheduleAt === null && !input.queue && !elsewhere ? this.o.outcomes.waitFor(doc._id, this.o.waitMs) : null;
    this.o.pool.wake(instance._id);
    if (!wait) return doc;
    return (await wait) ?? (await this.o.repo.byId(instance._id, doc._id)) ?? doc;
  }

  /** A `…@lid` recipient is sent to as given, and named by its phone number when WhatsApp shared it. */
  private async withPhone(instanceId: string, recipient: Recipient): Promise<Pick<Recipient, 'jid' | 'phone'>> {
    if (recipient.kind !== 'lid' || !this.o.lids) return recipient;
    return { jid: recipient.jid, phone: await this.o.lids.phoneOf(instanceId, recipient.jid) };
  }

  /**
   * Several messages to one chat from one request (seed 003 sends a text,
   * attachments, a location and a contact together). Every part is resolved
   * before any is stored, so a bad part sends nothing; they go out in the
   * given order, and the answer waits for all of them as send() does.
   * `field` of each part prefixes its error field names.
   */
  async sendSeveral(instance: InstanceDoc, to: string, parts: { content: Content<MediaInput | null>; field: string }[]): Promise<OutboxMessageDoc[]> {
    const now = this.o.clock();
    const recipient = await this.withPhone(instance._id, resolveRecipient(to, 'body.to'));
    this.o.engines.assertHere(instance);
    const { status, reason } = connectionStatus(this.o.engines, instance);
    if (status !== 'connected') throw new NotConnectedError(status, 'connect', reason, 30);
    const contents: Content<StoredMedia>[] = [];
    for (const part of parts) contents.push(await this.o.preparer.prepare(instance._id, part.content, part.field));
    // one millisecond apart: the dispatcher takes due messages oldest first, so the parts keep their order
    const docs = contents.map((content, i) => newOutboxDoc({ instanceId: instance._id, recipient, content, quoted: null, source: 'api', now, dispatchAt: now + i }));
    await this.o.repo.insertMany(docs);
    const waits = docs.map((doc) => this.o.outcomes.waitFor(doc._id, this.o.waitMs));
    this.o.pool.wake(instance._id);
    const settled = await Promise.all(waits);
    return Promise.all(settled.map(async (doc, i) => doc ?? (await this.o.repo.byId(instance._id, docs[i]._id)) ?? docs[i]));
  }

  private scheduleAt(input: SendMessageInput, now: number): number | null {
    if (input.schedule_at === undefined) return null;
    const parsed = parseScheduleAt(input.schedule_at, now);
    if (!parsed.ok) throw new ValidationError('body.schedule_at', parsed.reason);
    return parsed.at;
  }

  /** Enqueues already prepared messages (bulk jobs, recurring runs). */
  async enqueue(docs: OutboxMessageDoc[]): Promise<void> {
    if (docs.length === 0) return;
    await this.o.repo.insertMany(docs);
    for (const id of new Set(docs.map((d) => d.instance_id))) this.o.pool.wake(id);
  }

  /** One message of the instance, either direction. */
  async get(instance: InstanceDoc, id: string): Promise<MessageBase & Record<string, unknown>> {
    const doc = await this.o.repo.findAnyDirection(instance._id, { id });
    if (!doc) throw new NotFoundError('message');
    return doc;
  }

  /** The outbound message with this id, if the request created one (idempotent replays after a crash). */
  find(instance: InstanceDoc, id: string): Promise<OutboxMessageDoc | null> {
    return this.o.repo.byId(instance._id, id);
  }

  async list(instance: InstanceDoc, q: { status?: string; direction?: 'in' | 'out'; page: number; limit: number }) {
    const filter: Filter = { instance_id: instance._id };
    if (q.status) filter.status = q.status;
    if (q.direction) filter.direction = q.direction;
    const [messages, total] = await Promise.all([this.o.repo.list(filter, q.page, q.limit), this.o.repo.count(filter)]);
    return { messages: messages as unknown as (MessageBase & Record<string, unknown>)[], total };
  }

  /** Cancels a message that has not been handed to the engine; cancelling twice is harmless. */
  async cancel(instance: InstanceDoc, id: string): Promise<OutboxMessageDoc> {
    const cancelled = await this.o.repo.cancel(instance._id, id, this.o.clock(), 'cancelled through the API');
    if (cancelled) {
      this.o.outcomes.cancelled(cancelled);
      return cancelled;
    }
    const doc = await this.o.repo.findAnyDirection(instance._id, { id });
    if (!doc) throw new NotFoundError('message');
    if (doc.direction === 'in') throw new ConflictError('inbound messages cannot be cancelled', 'params.msgId');
    if (doc.status === 'cancelled') return doc as unknown as OutboxMessageDoc;
    const why = doc.status === 'sending' ? 'is being handed to WhatsApp right now' : doc.status === 'failed' ? 'has already failed' : `was already sent (status: ${doc.status})`;
    throw new ConflictError(`the message ${why} and can no longer be cancelled`, 'params.msgId');
  }
}
