/**
 * The Baileys engine: a real linked WhatsApp number behind the same Engine
 * interface as the sandbox, so the pipeline, the outbox and the webhooks
 * cannot tell them apart.
 *
 * Layers (each adds one concern, as in Baileys itself):
 * - connection.ts: sockets over time, auth state, reconnect policy;
 * - inbound-normalize.ts / message-content.ts: WAMessage → InboundMessage;
 * - outbound.ts: content → sendMessage; receipts.ts: status events → receipts;
 * - directory.ts: contacts, groups, profile;
 * - this file: the Engine API and the routing of socket events.
 */
import type { GroupParticipant, WAMessage } from '@whiskeysockets/baileys';
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';
import type { MediaBytes } from '../../domain/content.js';
import type { InboundMessage } from '../../domain/inbound.js';
import type { Random } from '../../domain/random.js';
import { parsePhone, lidFromJid, phoneFromJid } from '../../domain/recipient.js';
import type { Logger } from '../../logger.js';
import {
  EngineNotConnectedError,
  EngineSendError,
  type ContactInfo,
  type Engine,
  type EngineEvents,
  type ReadTarget,
  type EngineStatus,
  type GroupInfo,
  type NumberCheck,
  type ProfileInfo,
  type SendRequest,
  type SendResult,
} from '../engine.js';
import type { BaileysAuthRepo } from './auth-state.js';
import { BoundedCache, cacheStore } from './bounded-cache.js';
import { Connection, type SocketEvents } from './connection.js';
import { Directory, type DirectoryOptions } from './directory.js';
import { lidsToResolve, normalizeInbound, phonesToResolve, type Me, type SkipReason } from './inbound-normalize.js';
import { formsInEvents, formsInMessages, type LidDirectory } from './lid-directory.js';
import { downloadInboundMedia } from './media-download.js';
import type { MessageArchive } from './message-archive.js';
import { readPollVote } from './poll-votes.js';
import { toBaileysMessage } from './outbound.js';
import { receiptsFromUpdates, receiptsFromUserReceipts } from './receipts.js';
import type { ReconnectPolicy } from './reconnect-policy.js';
import type { VersionSource } from './wa-version.js';
import type { BaileysSocket, SocketFactory } from './socket.js';
import { toEngineError } from './wa-errors.js';

export interface BaileysEngineOptions {
  instanceId: string;
  events: EngineEvents;
  /** False once another node may have taken the instance over: the link's keys are then not written from here. */
  owns?: () => boolean;
  auth: BaileysAuthRepo;
  archive: MessageArchive;
  socketFactory: SocketFactory;
  policy: ReconnectPolicy;
  directory: DirectoryOptions;
  log: Logger;
  /** The bridged logger Baileys' helpers log to (see log-bridge.ts). */
  baileysLogger: ILogger;
  clock?: () => number;
  random?: Random;
  /** How long a pairing-code request waits for WhatsApp to open a linking session. */
  pairingWaitMs?: number;
  /** Keep channel (@newsletter) messages (baileys.newsletters). */
  newsletters?: boolean;
  /** The WhatsApp Web version each socket announces. */
  version: VersionSource;
  /** The LID ↔ phone pairs WhatsApp shared, kept in the store. */
  lids: LidDirectory;
}

const MEDIA_KINDS = new Set(['image', 'video', 'audio', 'document', 'sticker']);

export class BaileysEngine implements Engine {
  readonly kind = 'baileys' as const;
  readonly instanceId: string;
  private readonly connection: Connection;
  private readonly directory: Directory;
  private readonly events: EngineEvents;
  private readonly archive: MessageArchive;
  private readonly lids: LidDirectory;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly pairingWaitMs: number;
  private readonly baileysLogger: ILogger;
  private readonly newsletters: boolean;
  /** Sockets already announced as available: WhatsApp shows a typing indicator only from a client that is. */
  private readonly available = new WeakSet<BaileysSocket>();
  private readonly skipped: Record<SkipReason, number> = { decrypt_failed: 0, stub: 0, no_content: 0, invalid_key: 0, internal: 0, newsletter: 0 };

  constructor(options: BaileysEngineOptions) {
    this.instanceId = options.instanceId;
    this.events = options.events;
    this.archive = options.archive;
    this.lids = options.lids;
    this.log = options.log.child({ instance_id: options.instanceId, engine: 'baileys' });
    this.clock = options.clock ?? Date.now;
    this.pairingWaitMs = options.pairingWaitMs ?? 30_000;
    this.baileysLogger = options.baileysLogger;
    this.newsletters = options.newsletters ?? false;
    this.directory = new Directory(options.directory);
    this.connection = new Connection({
      instanceId: options.instanceId,
      auth: options.auth,
      owns: options.owns ?? (() => true),
      socketFactory: options.socketFactory,
      version: options.version,
      policy: options.policy,
      random: options.random ?? Math.random,
      log: this.log,
      hooks: {
        getMessage: async (key) => (key.id ? this.archive.sentContent(this.instanceId, key.id) : undefined),
        cachedGroupMetadata: async (jid) => {
          const sock = this.connection.openSocket();
          return sock ? this.directory.groupForSend(sock, jid) : this.directory.cachedGroup(jid);
        },
        msgRetryCounterCache: cacheStore(new BoundedCache<unknown>({ maxEntries: 2000, ttlMs: 3600_000, clock: this.clock })),
      },
      onStatus: (update) => Promise.resolve(this.events.connection(update)),
      onEvents: (sock, events) => this.onSocketEvents(sock, events),
    });
  }

  connect(): Promise<void> {
    return this.connection.start();
  }

  disconnect(): Promise<void> {
    return this.connection.stop();
  }

  logout(): Promise<void> {
    return this.connection.logout();
  }

  status(): EngineStatus {
    return this.connection.status();
  }

  /** Whether a socket is live or a reconnect is scheduled (diagnostics and tests). */
  get running(): boolean {
    return this.connection.running;
  }

  /** Messages skipped per reason since start-up (failed decrypts among them). */
  skippedCounts(): Readonly<Record<SkipReason, number>> {
    return { ...this.skipped };
  }

  async requestPairingCode(phone: string): Promise<string> {
    const parsed = parsePhone(phone);
    if (!parsed.ok) throw new EngineSendError(`phone ${parsed.reason}`, false, 'invalid_phone');
    if (this.connection.status().status === 'connected' || (await this.connection.linked())) {
      throw new EngineSendError('this instance is already linked; log out first to link another number', false, 'already_linked');
    }
    const sock = await this.connection.whenShowingQr(this.pairingWaitMs);
    try {
      return await sock.requestPairingCode(parsed.digits);
    } catch (err) {
      throw toEngineError(err, 'requesting a pairing code');
    }
  }

  async send(request: SendRequest): Promise<SendResult> {
    const sock = this.requireSocket();
    const { jid, content, options } = toBaileysMessage(request);
    let sent: WAMessage | undefined;
    try {
      sent = await sock.sendMessage(jid, content, options);
    } catch (err) {
      throw toEngineError(err, 'sending the message');
    }
    if (sent) {
      // kept for retry requests from the recipient's devices; the send itself already succeeded
      await this.archive.recordSent(this.instanceId, sent).catch((err: Error) => this.log.warn({ err: err.message }, 'could not archive a sent message'));
    }
    return { wa_message_id: sent?.key.id ?? request.wa_message_id, timestamp: this.clock() };
  }

  async checkNumbers(phones: string[]): Promise<NumberCheck[]> {
    return this.directory.checkNumbers(this.requireSocket(), phones);
  }

  async contactInfo(jid: string): Promise<ContactInfo> {
    return this.directory.contactInfo(this.requireSocket(), jid);
  }

  async groups(): Promise<GroupInfo[]> {
    const groups = await this.directory.groups(this.requireSocket());
    // members WhatsApp shows only by LID get their phone from the pairs learnt so far, and the reverse
    for (const g of groups) {
      for (const p of g.participants) {
        if (!p.phone && p.lid) p.phone = await this.knownPhone(p.lid);
        if (!p.lid && p.phone) p.lid = await this.knownLid(p.phone);
      }
    }
    return groups;
  }

  async profile(): Promise<ProfileInfo> {
    return this.directory.profile(this.requireSocket());
  }

  async sendPresence(jid: string, presence: 'composing' | 'paused'): Promise<void> {
    const sock = this.requireSocket();
    try {
      if (presence === 'composing' && !this.available.has(sock)) {
        await sock.sendPresenceUpdate('available');
        this.available.add(sock);
      }
      await sock.sendPresenceUpdate(presence, jid);
    } catch (err) {
      throw toEngineError(err, 'sending the typing indicator');
    }
  }

  async markRead(messages: ReadTarget[]): Promise<void> {
    const sock = this.requireSocket();
    // in a group the key names the author; WhatsApp ignores a read without it
    const keys = messages.map((m) => ({ remoteJid: m.chat_jid, id: m.wa_message_id, fromMe: false, ...(m.is_group ? { participant: m.sender_jid } : {}) }));
    try {
      await sock.readMessages(keys);
    } catch (err) {
      throw toEngineError(err, 'marking messages read');
    }
  }

  /**
   * The bytes of a received media message, downloaded on demand through
   * Baileys' helper (expired media is re-requested from the sender's phone).
   */
  async downloadMedia(waMessageId: string): Promise<MediaBytes> {
    const sock = this.requireSocket();
    const message = await this.archive.received(this.instanceId, waMessageId);
    if (!message) throw new EngineSendError(`no received media message ${waMessageId} is known`, false, 'not_found');
    try {
      return await downloadInboundMedia(message, sock.updateMediaMessage, this.baileysLogger);
    } catch (err) {
      throw toEngineError(err, 'downloading the media');
    }
  }

  private requireSocket(): BaileysSocket {
    const sock = this.connection.openSocket();
    if (!sock) throw new EngineNotConnectedError(this.connection.status().status);
    return sock;
  }

  private async onSocketEvents(sock: BaileysSocket, events: SocketEvents): Promise<void> {
    const upsert = events['messages.upsert'];
    if (upsert) await this.onUpsert(sock, upsert.messages, upsert.type);
    const receipts = [...receiptsFromUpdates(events['messages.update'] ?? []), ...receiptsFromUserReceipts(events['message-receipt.update'] ?? [])];
    if (receipts.length > 0) await this.events.receipt(receipts);
    for (const g of events['groups.upsert'] ?? []) this.directory.rememberGroup(g);
    for (const g of events['groups.update'] ?? []) if (g.id) this.directory.forgetGroup(g.id);
    for (const c of [...(events['contacts.upsert'] ?? []), ...(events['contacts.update'] ?? [])]) {
      if (c.id) this.directory.rememberName(c.id, c.notify ?? c.name ?? c.verifiedName);
    }
    await this.learnLids(formsInEvents(events));
    const participants = events['group-participants.update'];
    if (participants) {
      this.directory.forgetGroup(participants.id);
      const members = participants.participants.map(participantOf);
      for (const p of members) {
        if (!p.phone && p.lid) p.phone = await this.knownPhone(p.lid);
        if (!p.lid && p.phone) p.lid = await this.knownLid(p.phone);
      }
      await this.events.groupParticipants({ group_jid: participants.id, action: participants.action, participants: members, author_jid: participants.author || null });
    }
  }

  private async onUpsert(sock: BaileysSocket, messages: WAMessage[], type: 'notify' | 'append'): Promise<void> {
    const me = meOf(sock);
    await this.learnLids(formsInMessages(messages));
    const lidPhones = new Map<string, string>();
    for (const lid of lidsToResolve(messages, me)) {
      const phone = (await this.knownPhone(lid)) ?? (await this.pnFromSocket(sock, lid));
      if (phone) lidPhones.set(lid, phone);
    }
    const phoneLids = new Map<string, string>();
    for (const phone of phonesToResolve(messages, me)) {
      const lid = await this.knownLid(phone);
      if (lid) phoneLids.set(phone, lid);
    }
    const sentByApi = new Set<string>();
    for (const m of messages) {
      if (m.key?.fromMe && m.key.id && (await this.archive.wasSent(this.instanceId, m.key.id))) sentByApi.add(m.key.id);
    }
    const ctx = { instanceId: this.instanceId, type, me, lidPhones, phoneLids, sentByApi: (id: string) => sentByApi.has(id), now: this.clock(), newsletters: this.newsletters };
    const inbound: InboundMessage[] = [];
    for (const m of messages) {
      const result = normalizeInbound(m, ctx);
      if (!result.ok) {
        this.skipped[result.reason]++;
        if (result.reason === 'decrypt_failed') this.log.warn({ wa_message_id: m.key?.id, skipped: this.skipped.decrypt_failed }, 'skipped a message WhatsApp could not decrypt');
        continue;
      }
      const message = result.message;
      if (!message.from_me) this.directory.rememberName(message.sender_jid, message.push_name);
      if (MEDIA_KINDS.has(message.kind) || message.kind === 'poll') {
        await this.archive.recordReceived(this.instanceId, m).catch((err: Error) => this.log.warn({ err: err.message }, 'could not archive a received message'));
      }
      if (message.kind === 'poll_vote') await this.readVote(m, message, me);
      inbound.push(message);
    }
    // one batch per upsert, as the interface promises; every message in it must be processed
    if (inbound.length > 0) await this.events.inbound(inbound);
  }

  /** Baileys' own mapping store (it may ask WhatsApp); what it knows is kept in tucan's too. */
  private async pnFromSocket(sock: BaileysSocket, lid: string): Promise<string | null> {
    try {
      const phone = phoneFromJid(await sock.signalRepository.lidMapping.getPNForLID(lid));
      if (phone) await this.learnLids([{ a: lid, b: `${phone}@s.whatsapp.net` }]);
      return phone;
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'LID mapping lookup failed');
      return null;
    }
  }

  /**
   * The stored pairs, read without ever failing the batch: a message must
   * reach the bot even when the store cannot say who its sender is.
   */
  private async knownPhone(lid: string): Promise<string | null> {
    return this.lids.phoneOf(this.instanceId, lid).catch((err: Error) => (this.log.warn({ err: err.message }, 'could not read LID mappings'), null));
  }

  private async knownLid(phone: string): Promise<string | null> {
    return this.lids.lidOf(this.instanceId, phone).catch((err: Error) => (this.log.warn({ err: err.message }, 'could not read LID mappings'), null));
  }

  /** A failure to store pairs costs only their names in later payloads: logged, never thrown. */
  private async learnLids(forms: Parameters<LidDirectory['learn']>[1]): Promise<void> {
    if (forms.length === 0) return;
    await this.lids.learn(this.instanceId, forms).catch((err: Error) => this.log.warn({ err: err.message }, 'could not store LID mappings'));
  }

  /** Names the options a poll vote chose, when the poll is archived; otherwise only its id is known. */
  private async readVote(raw: WAMessage, message: InboundMessage, me: Me): Promise<void> {
    if (!message.target_id) return;
    try {
      const poll = await this.archive.any(this.instanceId, message.target_id);
      const vote = poll ? readPollVote(raw, poll, me) : null;
      if (!vote) {
        this.log.debug({ poll_id: message.target_id, known: poll !== null }, 'a poll vote could not be read');
        return;
      }
      message.poll_vote = vote;
      message.text = vote.options.length > 0 ? vote.options.join(', ') : null;
    } catch (err) {
      this.log.warn({ err: (err as Error).message, poll_id: message.target_id }, 'could not read a poll vote');
    }
  }
}

function meOf(sock: BaileysSocket): Me {
  return { jid: sock.user?.id ?? null, lid: sock.user?.lid ?? null };
}

/** rc14 sends participant objects; older shapes were bare JIDs. */
function participantOf(p: GroupParticipant | string): { jid: string; phone: string | null; lid: string | null } {
  if (typeof p === 'string') return { jid: p, phone: phoneFromJid(p), lid: lidFromJid(p) };
  return { jid: p.id, phone: phoneFromJid(p.phoneNumber) ?? phoneFromJid(p.id), lid: lidFromJid(p.id) ?? lidFromJid(p.lid) };
}
