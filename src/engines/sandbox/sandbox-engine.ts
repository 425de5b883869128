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
  type SendRequest,
  type SendResult,
} from '../engine.js';
import { recordableContent, type SandboxRecord } from './sandbox-record.js';

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
  private readonly record: SandboxRecord;
  private readonly clock: () => number;
  /** Contacts (jid + push name) and group members already recorded: the phone's address book only changes when they do. */
  private readonly seen = new Set<string>();

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
    setImmediate(() => void this.events.receipt([{ wa_message_id: request.wa_message_id, status: 'delivered' }]));
    return { wa_message_id: request.wa_message_id, timestamp };
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
    const now = this.clock();
    const writes: Promise<void>[] = [];
    for (const m of messages) {
      const sender = normalizeJid(m.sender_jid);
      const contactKey = `${sender}|${m.push_name ?? ''}`;
      if (!m.from_me && !this.seen.has(contactKey)) {
        this.remember(contactKey);
        writes.push(this.record.rememberContact(this.instanceId, sender, m.sender_phone, m.push_name, now));
      }
      const memberKey = `${m.chat_jid}|${sender}`;
      if (m.is_group && isGroupJid(m.chat_jid) && !this.seen.has(memberKey)) {
        this.remember(memberKey);
        writes.push(this.record.rememberGroup(this.instanceId, m.chat_jid, null, { jid: sender, phone: m.sender_phone ?? phoneFromJid(sender) }, now));
      }
    }
    await Promise.all(writes);
    await this.events.inbound(messages);
  }

  /** A fresh WhatsApp-style message id for injected messages. */
  static messageId(): string {
    return `SBX${randomUUID().replace(/-/g, '').slice(0, 17).toUpperCase()}`;
  }

  private remember(key: string): void {
    if (this.seen.size >= 50_000) this.seen.clear();
    this.seen.add(key);
  }

  private requireConnected(): void {
    if (this.state.status !== 'connected') throw new EngineNotConnectedError(this.state.status);
  }
}
