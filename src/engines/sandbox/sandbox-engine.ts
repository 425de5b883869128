/**
 * The sandbox engine: a local stand-in for a linked phone. It connects at
 * once, records everything it sends, acknowledges delivery like WhatsApp
 * would, and takes injected inbound messages — which then run through the
 * very same pipeline as real ones.
 *
 * Conventions (documented in the README):
 * - every valid number is "on WhatsApp" except numbers ending in 0000;
 * - contacts and groups are the ones seen in injected messages.
 */
import { randomUUID } from 'node:crypto';
import type { MediaBytes } from '../../domain/content.js';
import type { InboundMessage } from '../../domain/inbound.js';
import { isGroupJid, normalizeJid, phoneFromJid } from '../../domain/recipient.js';
import {
  EngineNotConnectedError,
  EngineSendError,
  type ContactInfo,
  type Engine,
  type EngineEvents,
  type EngineStatus,
  type GroupInfo,
  type NumberCheck,
  type ProfileInfo,
  type ReadTarget,
  type Receipt,
  type SendRequest,
  type SendResult,
} from '../engine.js';
import { recordableContent, type SandboxRecord } from './sandbox-record.js';

/** Senders and group members remembered per engine; beyond that the oldest are forgotten (and rewritten once if seen again). */
const KNOWN_LIMIT = 50_000;

interface KnownContact {
  phone: string | null;
  pushName: string | null;
}

/** Media bytes of injected messages kept for downloadMedia; beyond that the oldest are gone, as on a phone. */
const ATTACHMENT_LIMIT = 200;

/** A Map that forgets its oldest entries beyond `limit`. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    super.set(key, value);
    if (this.size > this.limit) this.delete(this.keys().next().value as K);
    return this;
  }
}

export interface SandboxEngineOptions {
  instanceId: string;
  events: EngineEvents;
  record: SandboxRecord;
  clock?: () => number;
}

export class SandboxEngine implements Engine {
  readonly kind = 'sandbox' as const;
  readonly instanceId: string;
  private state: EngineStatus = { status: 'disconnected', phone: null, name: null, qr: null, reason: null };
  private readonly events: EngineEvents;
  /** Delivery receipts of this turn's sends, reported together at its end (like one messages.update). */
  private receipts: Receipt[] = [];
  private readonly record: SandboxRecord;
  private readonly clock: () => number;
  /**
   * What was last written per sender (phone and push name) and which group
   * members are recorded, so an injected message only writes when the
   * address book changes. A contact's updated_at is therefore when its phone
   * or push name last changed (or this process first saw it), never
   * refreshed for an unchanged repeat: nothing reads it as "last seen".
   */
  private readonly contacts = new BoundedMap<string, KnownContact>(KNOWN_LIMIT);
  private readonly members = new BoundedMap<string, true>(KNOWN_LIMIT);
  /** The bytes a test chat message came with, by WhatsApp id: what the phone would let Baileys download. */
  private readonly attachments = new BoundedMap<string, MediaBytes>(ATTACHMENT_LIMIT);
  private readonly readMarks = new BoundedMap<string, true>(KNOWN_LIMIT);

  constructor(options: SandboxEngineOptions) {
    this.instanceId = options.instanceId;
    this.events = options.events;
    this.record = options.record;
    this.clock = options.clock ?? Date.now;
  }

  async connect(): Promise<void> {
    if (this.state.status === 'connected') return;
    this.state = { status: 'connected', phone: null, name: 'Sandbox', qr: null, reason: null };
    await this.events.connection({ status: 'connected', reason: null });
  }

  async disconnect(): Promise<void> {
    if (this.state.status === 'disconnected') return;
    this.state = { ...this.state, status: 'disconnected', reason: 'closed' };
    await this.events.connection({ status: 'disconnected', reason: 'closed' });
  }

  async logout(): Promise<void> {
    this.state = { status: 'logged_out', phone: null, name: null, qr: null, reason: 'logged out' };
    await this.events.connection({ status: 'logged_out', reason: 'logged out', phone: null });
  }

  status(): EngineStatus {
    return { ...this.state };
  }

  async requestPairingCode(): Promise<string> {
    throw new EngineSendError('sandbox instances are linked at once and need no pairing code', false, 'not_applicable');
  }

  async send(request: SendRequest): Promise<SendResult> {
    if (this.state.status !== 'connected') throw new EngineNotConnectedError(this.state.status);
    const timestamp = this.clock();
    await this.record.recordSend({
      instance_id: this.instanceId,
      wa_message_id: request.wa_message_id,
      jid: request.jid,
      content: recordableContent(request.content),
      quoted_id: request.quoted?.wa_message_id ?? null,
      sent_at: timestamp,
    });
    // the recipient's phone acknowledges a moment later, as WhatsApp's DELIVERY_ACK would
    this.acknowledge(request.wa_message_id);
    return { wa_message_id: request.wa_message_id, timestamp };
  }

  private acknowledge(waMessageId: string): void {
    this.receipts.push({ wa_message_id: waMessageId, status: 'delivered' });
    if (this.receipts.length > 1) return;
    setImmediate(() => {
      const receipts = this.receipts;
      this.receipts = [];
      void this.events.receipt(receipts);
    });
  }

  async checkNumbers(phones: string[]): Promise<NumberCheck[]> {
    this.requireConnected();
    return phones.map((phone) => {
      const exists = !phone.endsWith('0000');
      return { phone, exists, jid: exists ? `${phone}@s.whatsapp.net` : null };
    });
  }

  async contactInfo(jid: string): Promise<ContactInfo> {
    this.requireConnected();
    const known = await this.record.contact(this.instanceId, normalizeJid(jid));
    return { jid: normalizeJid(jid), name: known?.push_name ?? null, about: null, picture_url: null };
  }

  async groups(): Promise<GroupInfo[]> {
    this.requireConnected();
    const groups = await this.record.listGroups(this.instanceId);
    return groups.map((g) => ({ id: g.jid, name: g.name, participants: g.participants.map((p) => ({ ...p, admin: false })) }));
  }

  async profile(): Promise<ProfileInfo> {
    this.requireConnected();
    return { jid: null, phone: this.state.phone, name: this.state.name, about: null, picture_url: null };
  }

  async sendPresence(): Promise<void> {
    this.requireConnected();
  }

  /**
   * Delivers messages as if they came from WhatsApp, as one batch (like one
   * messages.upsert). Resolves once every subscriber has processed them.
   */
  async inject(messages: InboundMessage[]): Promise<void> {
    if (this.state.status !== 'connected') throw new EngineNotConnectedError(this.state.status);
    const writes: Promise<void>[] = [];
    for (const m of messages) this.rememberSender(m, writes);
    if (writes.length === 0) return this.events.inbound(messages);
    // the phone's address book and the delivery do not depend on each other: both reach the store in this turn
    const results = await Promise.allSettled([this.events.inbound(messages), ...writes]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** The media an injected message carries (the test chat's base64), for downloadMedia. */
  attach(waMessageId: string, bytes: MediaBytes): void {
    this.attachments.set(waMessageId, bytes);
  }

  /** The bytes of an injected media message, when it came with some. */
  async downloadMedia(waMessageId: string): Promise<MediaBytes> {
    const bytes = this.attachments.get(waMessageId);
    if (!bytes) throw new Error(`the sandbox message ${waMessageId} came without media bytes (give content.base64)`);
    return bytes;
  }

  /** Messages marked read, as the phone would show them (the test chat and tests read it). */
  async markRead(messages: ReadTarget[]): Promise<void> {
    this.requireConnected();
    for (const m of messages) this.readMarks.set(m.wa_message_id, true);
  }

  wasRead(waMessageId: string): boolean {
    return this.readMarks.has(waMessageId);
  }

  /** A fresh WhatsApp-style message id for injected messages. */
  static messageId(): string {
    return `SBX${randomUUID().replace(/-/g, '').slice(0, 17).toUpperCase()}`;
  }

  /** Adds the address-book writes this message calls for, if any. */
  private rememberSender(m: InboundMessage, writes: Promise<void>[]): void {
    if (m.from_me && !m.is_group) return;
    const sender = normalizeJid(m.sender_jid);
    if (!m.from_me) {
      const known = this.contacts.get(sender);
      const name = m.push_name || null;
      // a message without a push name leaves the recorded one in place, so only the phone can have changed
      if (!known || known.phone !== m.sender_phone || (name !== null && known.pushName !== name)) {
        const entry: KnownContact = { phone: m.sender_phone, pushName: name ?? known?.pushName ?? null };
        this.contacts.set(sender, entry);
        writes.push(
          this.record.rememberContact(this.instanceId, sender, m.sender_phone, m.push_name, this.clock()).catch((err: unknown) => {
            // not recorded after all: the next message from this sender tries again
            if (this.contacts.get(sender) === entry) this.contacts.delete(sender);
            throw err;
          }),
        );
      }
    }
    if (!m.is_group || !isGroupJid(m.chat_jid)) return;
    const memberKey = `${m.chat_jid}|${sender}`;
    if (this.members.has(memberKey)) return;
    this.members.set(memberKey, true);
    const memberWrite = this.record.rememberGroup(this.instanceId, m.chat_jid, null, { jid: sender, phone: m.sender_phone ?? phoneFromJid(sender) }, this.clock()).catch((err: unknown) => {
      this.members.delete(memberKey);
      throw err;
    });
    writes.push(memberWrite);
  }

  private requireConnected(): void {
    if (this.state.status !== 'connected') throw new EngineNotConnectedError(this.state.status);
  }
}
