/**
 * The engine interface: one WhatsApp transport per instance. The Baileys
 * engine (a real linked phone) and the sandbox engine (a local stand-in)
 * implement it identically, so the pipeline, the outbox and the webhooks
 * cannot tell them apart.
 */
import type { Content, MediaBytes } from '../domain/content.js';
import type { InboundMessage } from '../domain/inbound.js';

export type EngineKind = 'baileys' | 'sandbox';

export type ConnectionStatus =
  | 'disconnected' // never connected, or closed on purpose
  | 'connecting'
  | 'qr' // waiting for a QR scan or pairing code
  | 'connected'
  | 'reconnecting' // lost, backing off before the next attempt
  | 'logged_out' // unlinked from the phone; needs a new scan
  | 'failed'; // gave up (replaced, forbidden, or the reconnect cap was reached)

export interface EngineStatus {
  status: ConnectionStatus;
  /** Digits of the linked number, when connected. */
  phone: string | null;
  /** The linked account's display name. */
  name: string | null;
  /** The current QR payload while status is 'qr'. */
  qr: string | null;
  /** Why the engine is disconnected/failed, when known. */
  reason: string | null;
  /** The WhatsApp Web version the last socket announced (Baileys only). */
  wa_version?: string;
}

/** Content handed to an engine: media is bytes, interactive types are already rendered, contacts are resolved. */
export type EngineContent = Exclude<Content<MediaBytes>, { type: 'buttons' | 'list' | 'contact_ref' }>;

export interface SendRequest {
  /** Destination JID (user, @lid or group). */
  jid: string;
  content: EngineContent;
  /** The WhatsApp message id to use: generated and persisted before the first attempt so a retry reuses it. */
  wa_message_id: string;
  /** The quoted message, when replying (wa id plus what the engine needs to rebuild the quote). */
  quoted?: { wa_message_id: string; chat_jid: string; from_me: boolean; sender_jid?: string; text?: string | null };
}

export interface SendResult {
  wa_message_id: string;
  /** Epoch ms at which the engine accepted the message. */
  timestamp: number;
}

/** A send the engine refuses; `retryable` tells the outbox whether to try again. */
export class EngineSendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'EngineSendError';
  }
}

export class EngineNotConnectedError extends EngineSendError {
  constructor(status: ConnectionStatus) {
    super(`WhatsApp is not connected (status: ${status})`, true, 'not_connected');
    this.name = 'EngineNotConnectedError';
  }
}

export interface NumberCheck {
  phone: string;
  exists: boolean;
  jid: string | null;
}

export interface ContactInfo {
  jid: string;
  name: string | null;
  about: string | null;
  picture_url: string | null;
}

export interface GroupInfo {
  id: string;
  name: string;
  /** `lid`: the member's LID (`…@lid`) when known; engines without LIDs leave it out. */
  participants: { jid: string; phone: string | null; lid?: string | null; admin: boolean }[];
}

export interface ProfileInfo {
  jid: string | null;
  phone: string | null;
  name: string | null;
  about: string | null;
  picture_url: string | null;
}

export type ReceiptStatus = 'sent' | 'delivered' | 'read' | 'played' | 'failed';

export interface Receipt {
  wa_message_id: string;
  status: ReceiptStatus;
  /** WhatsApp error code for failures (e.g. '463'). */
  error_code?: string;
}

export interface ConnectionUpdate {
  status: ConnectionStatus;
  qr?: string | null;
  reason?: string | null;
  phone?: string | null;
}

export interface GroupParticipantsUpdate {
  group_jid: string;
  action: 'add' | 'remove' | 'promote' | 'demote' | 'modify';
  participants: { jid: string; phone: string | null; lid?: string | null }[];
  author_jid: string | null;
}

/** What an engine reports. Handlers may be async; the engine does not wait for them unless noted. */
export interface EngineEvents {
  /** A batch from one delivery (e.g. one messages.upsert); every message in it must be processed. */
  inbound(messages: InboundMessage[]): void | Promise<void>;
  receipt(receipts: Receipt[]): void | Promise<void>;
  connection(update: ConnectionUpdate): void | Promise<void>;
  groupParticipants(update: GroupParticipantsUpdate): void | Promise<void>;
}

export interface Engine {
  readonly kind: EngineKind;
  readonly instanceId: string;
  /** Starts (or resumes) the connection; resolves once the attempt has started, not when linked. */
  connect(): Promise<void>;
  /** Closes the connection but keeps the link (auth state). */
  disconnect(): Promise<void>;
  /** Unlinks the device and deletes the auth state. */
  logout(): Promise<void>;
  status(): EngineStatus;
  /** Alternative to the QR: an 8-character code to type on the phone. */
  requestPairingCode(phone: string): Promise<string>;
  send(request: SendRequest): Promise<SendResult>;
  checkNumbers(phones: string[]): Promise<NumberCheck[]>;
  contactInfo(jid: string): Promise<ContactInfo>;
  groups(): Promise<GroupInfo[]>;
  profile(): Promise<ProfileInfo>;
  /** Typing indicator before a paced send. */
  sendPresence(jid: string, presence: 'composing' | 'paused'): Promise<void>;
  /**
   * The bytes of a received media message (InboundMessage.media), fetched on
   * demand. Optional: engines without real media (the sandbox) leave it out.
   */
  downloadMedia?(waMessageId: string): Promise<MediaBytes>;
  /** Marks received messages as read (blue ticks). Optional: engines that cannot leave it out. */
  markRead?(messages: ReadTarget[]): Promise<void>;
}

/** A received message to mark read: its chat, its id, and its author (needed in groups). */
export interface ReadTarget {
  chat_jid: string;
  wa_message_id: string;
  sender_jid: string;
  is_group: boolean;
}

export interface EngineFactoryContext {
  instanceId: string;
  events: EngineEvents;
  /** Whether this process may still act as the instance's owner (several nodes: its lease has not run out); writes of the link's state check it. */
  owns?: () => boolean;
}

export type EngineFactory = (ctx: EngineFactoryContext) => Engine;
