/**
 * Seams between capabilities built by different modules. Each is a small
 * interface so the inbound pipeline, the outbox, media intake and the
 * webhook service can be composed in src/app.ts without knowing each other.
 */
import type { Content, MediaBytes, MediaInput, MediaType, StoredMedia } from '../domain/content.js';
import type { DomainEvent, EventType } from '../domain/events.js';
import type { VariationOptions } from '../domain/variation/vary.js';
import type { InboundMessageDoc, UnpublishedEvents } from '../store/repositories/inbound-messages.js';

/** A file from a multipart upload, read into memory. */
export interface UploadedFile {
  field: string;
  filename: string | null;
  /** As declared by the client; media intake sniffs the real type. */
  mimetype: string | null;
  size: number;
  data: Buffer;
}

/**
 * Publishes webhook events durably. Implemented by the webhook service: it
 * writes one delivery per matching subscription before resolving, so an
 * event acknowledged here is delivered or visibly dead-lettered.
 */
export interface EventSink {
  publish(instanceId: string, events: DomainEvent[]): Promise<void>;
  /** Whether publishing an event of this type for the instance would reach anyone (producers skip building unwanted events). */
  wants(instanceId: string, type: EventType): boolean;
}

/** A bot reply, fully rendered, ready to be sent. */
export interface ReplyRequest {
  instanceId: string;
  /** Reply to the JID the message came from (may be @lid). */
  jid: string;
  phone: string | null;
  content: Content;
  /** The inbound message being answered (tucan id and WhatsApp id, for quoting and tracing); null for a flow's timeout message. */
  inboundMessageId: string | null;
  inboundWaMessageId: string | null;
  ruleId: string | null;
}

/** What record() stored. */
export interface Answered {
  /** False when the message was already stored (delivered again): nothing was written or queued. */
  stored: boolean;
  /** The replies' outbox message ids, in order; empty when none was stored. */
  ids: string[];
}

/**
 * The conversation record, the one writer of inbound messages: it stores a
 * message with its decision and zero or more replies as one ordered
 * insert, the message first, and queues the replies in the outbox. A
 * message delivered again is refused as a duplicate before any second
 * answer is written; a message is never stored without its replies, and
 * never lost for their sake (when they cannot be stored, it is stored
 * alone with the reason in `decision.reply_error`). Each reply is
 * persisted before any attempt.
 */
export interface ConversationRecord {
  record(message: InboundMessageDoc, replies: ReplyRequest[]): Promise<Answered>;
  /** The webhook events a stored message still owes (its `unpublished` part), with its reply ids; null when it owes none. */
  unpublished(instanceId: string, waMessageId: string): Promise<{ messageId: string; owed: UnpublishedEvents; replyIds: string[] } | null>;
  /** The message's events are published: it owes none any more. */
  published(messageId: string): Promise<void>;
  /** Messages that have owed events since before `before` (their node died, and no redelivery came). */
  owing(before: number, limit: number): Promise<{ instanceId: string; waMessageId: string }[]>;
  /** Bot messages that answer no inbound message (a flow's timeout message), stored and queued like replies; their ids. */
  say(replies: ReplyRequest[]): Promise<string[]>;
}

/** Media intake: validate, fetch (SSRF-safe) or decode, sniff, size-check, store. */
export interface MediaIntake {
  /**
   * Stores media for a message of type `kind`. `field` names the request
   * field for error messages (e.g. 'body.image'). Throws ValidationError
   * (400), PayloadTooLargeError (413) or NotFoundError for unknown media ids.
   */
  store(instanceId: string, source: MediaInput | UploadedFile, kind: MediaType, field: string): Promise<StoredMedia>;
  /** The bytes of stored media; throws NotFoundError when unknown or expired. */
  load(instanceId: string, mediaId: string): Promise<MediaBytes>;
  /**
   * Stored audio made a voice note (Ogg/Opus, converted when needed): the
   * file to send. Throws ValidationError naming `pttField` when the audio
   * cannot be converted.
   */
  voiceNote(instanceId: string, stored: StoredMedia, pttField: string): Promise<StoredMedia>;
  /**
   * Keeps stored media at least until `until` (epoch ms), for a scheduled
   * message or a long bulk job that sends it after the normal expiry. Never
   * shortens; throws NotFoundError when the media is already gone.
   */
  retain?(instanceId: string, mediaId: string, until: number): Promise<void>;
}

/**
 * Save-time checks of media that is taken in later, each time it is sent
 * (rule replies): what can be known now without fetching or storing
 * anything. Implemented by media intake, with the address policy its
 * fetches use.
 */
export interface MediaCheck {
  /**
   * Throws ValidationError naming `${field}.media_id` (not a live file of
   * this instance, or one that does not fit `kind`), `${field}.url` (a scheme
   * or an address the policy refuses) or `${field}.base64`.
   */
  check(instanceId: string, source: MediaInput, kind: MediaType, field: string): Promise<void>;
}

/** Seed 002's aiModifications. */
export type TextVariationOptions = VariationOptions;

/** Varies each copy of a bulk or scheduled text; deterministic for a given random source. */
export interface TextVariator {
  vary(text: string, options: TextVariationOptions, random: () => number): string;
}

/** Saved contacts, which contact messages may reference by id. */
export interface SavedContacts {
  /** The vCard fields of a saved contact; throws NotFoundError when unknown. */
  vcardFields(instanceId: string, contactId: string): Promise<import('../domain/content.js').VCardFields>;
}
