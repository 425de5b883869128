/**
 * A stand-in for Baileys' socket in tests: exactly the `BaileysSocket`
 * subset the adapter uses. Not a test file itself, and never used in
 * production.
 *
 * - The event emitter is Baileys' real one (`makeEventBuffer`), so batching
 *   and `process()` behave as in production; the fake only counts the
 *   processors attached to it, to prove none is orphaned.
 * - Every method call is recorded.
 * - `close(code)` ends the socket with a Boom carrying that status code, as
 *   Baileys does; like the real socket, `end()` then destroys the emitter and
 *   every later method call fails with "Connection Closed" (428).
 * - Like the real socket, it announces 'connecting' on the next tick.
 */
import { Boom } from '@hapi/boom';
import { EventEmitter } from 'node:events';
import {
  DisconnectReason,
  generateWAMessageContent,
  makeEventBuffer,
  proto,
  WAMessageStatus,
  type AnyMessageContent,
  type BaileysEventMap,
  type Contact,
  type GroupMetadata,
  type MiscMessageGenerationOptions,
  type WAMessage,
  type WAMessageKey,
  type WASocket,
} from '@whiskeysockets/baileys';
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';
import type { BaileysSocket, SocketFactory, SocketOptions } from '../../engines/baileys/socket.js';

export interface FakeCall {
  method: string;
  args: unknown[];
}

const silent: ILogger = { level: 'silent', child: () => silent, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export class FakeSocket implements BaileysSocket {
  readonly ev: WASocket['ev'];
  /** The raw stanza emitter, as Baileys' WebSocketClient: 'CB:<tag>' events. */
  readonly ws = new EventEmitter();
  readonly calls: FakeCall[] = [];
  user: Contact | undefined;
  ended = false;
  endedWith: Error | undefined;
  private readonly attached: Set<() => void>;
  /** LID user → PN JID, as the mapping store answers (with the device suffix, like rc14). */
  readonly lidToPn = new Map<string, string>();
  /** Scripted answers. */
  registered = new Map<string, string>();
  groupsResult: Record<string, GroupMetadata> = {};
  pictures = new Map<string, string>();
  abouts = new Map<string, string>();
  sendError: Error | null = null;
  pairingCode = 'ABCD1234';

  readonly signalRepository: BaileysSocket['signalRepository'] = {
    lidMapping: {
      getPNForLID: async (lid: string) => {
        this.record('getPNForLID', [lid]);
        return this.lidToPn.get(lid.split('@')[0].split(':')[0]) ?? null;
      },
    },
  };

  constructor(readonly options: SocketOptions) {
    const ev = makeEventBuffer(silent);
    const attached = new Set<() => void>();
    this.ev = {
      ...ev,
      process: (handler) => {
        const off = ev.process(handler);
        const detach = () => {
          attached.delete(detach);
          off();
        };
        attached.add(detach);
        return detach;
      },
      destroy: () => {
        attached.clear();
        ev.destroy();
      },
    };
    this.attached = attached;
    this.user = options.auth.creds.me;
    process.nextTick(() => this.announce());
  }

  private announced = false;

  /** Baileys' first update, on the next tick after creation; drivers make sure it came first, as it always does. */
  private announce(): void {
    if (this.announced || this.ended) return;
    this.announced = true;
    this.ev.emit('connection.update', { connection: 'connecting', receivedPendingNotifications: false, qr: undefined });
  }

  /** Processors attached through ev.process and neither detached nor destroyed. */
  get activeProcessors(): number {
    return this.attached.size;
  }

  // ---- test drivers ----------------------------------------------------------

  showQr(qr: string): void {
    this.announce();
    this.ev.emit('connection.update', { qr });
  }

  /** What WhatsApp sends an unlinked companion after a scan since mid-2026: rotate the QR's secret. */
  qrRefresh(): void {
    this.ws.emit('CB:notification', { tag: 'notification', attrs: { type: 'companion_reg_refresh', id: 'refresh1', from: 's.whatsapp.net' }, content: [] });
  }

  /** What a scan does: creds gain the account and the server asks for a restart (515). */
  pairSuccess(me: Contact): void {
    const creds = this.options.auth.creds;
    Object.assign(creds, { me, account: { details: Buffer.from('adv'), accountSignatureKey: Buffer.alloc(32, 1), accountSignature: Buffer.alloc(64, 2) }, platform: 'android' });
    this.ev.emit('creds.update', { me: creds.me, account: creds.account, platform: creds.platform });
    this.ev.emit('connection.update', { isNewLogin: true, qr: undefined });
  }

  open(user?: Contact): void {
    this.announce();
    if (user) this.user = user;
    this.user ??= this.options.auth.creds.me;
    this.ev.emit('connection.update', { connection: 'open' });
  }

  /** Closes as Baileys does for a DisconnectReason (or any status code). */
  close(statusCode: number, message = 'Connection Failure'): Promise<void> {
    return this.end(new Boom(message, { statusCode }));
  }

  emit<K extends keyof BaileysEventMap>(event: K, data: BaileysEventMap[K]): void {
    this.ev.emit(event, data);
  }

  callsTo(method: string): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  // ---- the socket surface ----------------------------------------------------

  async end(error: Error | undefined): Promise<void> {
    this.record('end', [error]);
    if (this.ended) return;
    this.ended = true;
    this.endedWith = error;
    this.ev.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } });
    this.ev.removeAllListeners('connection.update');
    this.ev.destroy();
  }

  async logout(msg?: string): Promise<void> {
    this.live('logout', [msg]);
    await this.end(new Boom(msg || 'Intentional Logout', { statusCode: DisconnectReason.loggedOut }));
  }

  async sendMessage(jid: string, content: AnyMessageContent, options?: MiscMessageGenerationOptions): Promise<WAMessage | undefined> {
    this.live('sendMessage', [jid, content, options]);
    if (this.sendError) throw this.sendError;
    return {
      key: { remoteJid: jid, fromMe: true, id: options?.messageId ?? `3EB0FAKE${this.calls.length}` },
      message: await fakeContent(content),
      messageTimestamp: Math.floor(Date.now() / 1000),
      status: WAMessageStatus.PENDING,
    };
  }

  async onWhatsApp(...jids: string[]): Promise<{ jid: string; exists: boolean }[] | undefined> {
    this.live('onWhatsApp', jids);
    return jids.flatMap((j) => {
      const canonical = this.registered.get(j.split('@')[0]);
      return canonical ? [{ jid: canonical, exists: true }] : [];
    });
  }

  async profilePictureUrl(jid: string, type?: 'preview' | 'image'): Promise<string | undefined> {
    this.live('profilePictureUrl', [jid, type]);
    const url = this.pictures.get(jid);
    // what Baileys throws for an <error code="404"/> answer: a Boom with the code as data
    if (!url) throw new Boom('item-not-found', { data: 404 });
    return url;
  }

  async fetchStatus(...jids: string[]): Promise<{ id: string; status: { status: string; setAt: Date } }[]> {
    this.live('fetchStatus', jids);
    return jids.flatMap((id) => (this.abouts.has(id) ? [{ id, status: { status: this.abouts.get(id)!, setAt: new Date(0) } }] : []));
  }

  async groupFetchAllParticipating(): Promise<Record<string, GroupMetadata>> {
    this.live('groupFetchAllParticipating', []);
    return this.groupsResult;
  }

  async groupMetadata(jid: string): Promise<GroupMetadata> {
    this.live('groupMetadata', [jid]);
    const g = this.groupsResult[jid];
    if (!g) throw new Boom('item-not-found', { data: 404 });
    return g;
  }

  async sendPresenceUpdate(type: string, toJid?: string): Promise<void> {
    this.live('sendPresenceUpdate', [type, toJid]);
  }

  /** Like Baileys: the code and the number being linked go into creds at once, before any scan. */
  async requestPairingCode(phoneNumber: string): Promise<string> {
    this.live('requestPairingCode', [phoneNumber]);
    const creds = this.options.auth.creds;
    Object.assign(creds, { pairingCode: this.pairingCode, me: { id: `${phoneNumber}@s.whatsapp.net`, name: '~' } });
    this.ev.emit('creds.update', { pairingCode: creds.pairingCode, me: creds.me });
    return this.pairingCode;
  }

  async readMessages(keys: WAMessageKey[]): Promise<void> {
    this.live('readMessages', [keys]);
  }

  async updateMediaMessage(message: WAMessage): Promise<WAMessage> {
    this.live('updateMediaMessage', [message]);
    return message;
  }

  private record(method: string, args: unknown[]): void {
    this.calls.push({ method, args });
  }

  /** Records the call; a closed socket refuses it, as Baileys' does. */
  private live(method: string, args: unknown[]): void {
    this.record(method, args);
    if (this.ended) throw new Boom('Connection Closed', { statusCode: DisconnectReason.connectionClosed });
  }
}

/** The proto a real send would produce: Baileys' own generator for non-media, a media stub (no upload offline). */
async function fakeContent(content: AnyMessageContent): Promise<proto.IMessage> {
  for (const kind of ['image', 'video', 'audio', 'document', 'sticker'] as const) {
    if (kind in content) {
      const c = content as { [k: string]: unknown; caption?: string; mimetype?: string };
      const data = c[kind] as Buffer;
      return proto.Message.fromObject({ [`${kind}Message`]: { mimetype: c.mimetype, fileLength: data.length, ...(c.caption ? { caption: c.caption } : {}) } });
    }
  }
  return generateWAMessageContent(content, { upload: async () => Promise.reject(new Error('no uploads offline')) });
}

/** A SocketFactory that builds FakeSockets and keeps every one it built, oldest first. */
export function fakeSocketFactory(setup?: (sock: FakeSocket) => void): { factory: SocketFactory; sockets: FakeSocket[]; latest(): FakeSocket } {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    latest: () => {
      const last = sockets[sockets.length - 1];
      if (!last) throw new Error('no socket was created');
      return last;
    },
    factory: (options) => {
      const sock = new FakeSocket(options);
      setup?.(sock);
      sockets.push(sock);
      return sock;
    },
  };
}
