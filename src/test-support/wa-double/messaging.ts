/**
 * Messages between tucan's companions and the simulated users, end to end
 * encrypted with real Signal sessions: what a companion sends is acked,
 * decrypted by each recipient device and kept in that user's inbox; what a
 * user sends is encrypted for every linked companion and delivered at once,
 * or queued and flushed at the companion's next login (the offline batch).
 */
import { randomBytes } from 'node:crypto';
import { proto, type BinaryNode } from '@whiskeysockets/baileys';
import type { Linking } from './linking.js';
import { SERVER_JID, type Stream, type WaServer } from './wa-server.js';
import { deviceOf, type Account, type World } from './world.js';

export interface Received {
  id: string;
  /** The sending companion's device JID. */
  from: string;
  /** The chat it was addressed to (a user or a group). */
  to: string;
  type: string;
  message: proto.Message;
}

export interface Receipt {
  id: string;
  from: string;
  type: string;
}

function children(node: BinaryNode | undefined): BinaryNode[] {
  return Array.isArray(node?.content) ? node.content : [];
}
function bytes(node: BinaryNode): Buffer {
  return node.content instanceof Uint8Array ? Buffer.from(node.content) : Buffer.alloc(0);
}
function now(): string {
  return String(Math.floor(Date.now() / 1000));
}

/** Text, media and so on map to the stanza `type` WhatsApp uses. */
function stanzaType(message: proto.IMessage): string {
  if (message.reactionMessage) return 'reaction';
  if (message.pollUpdateMessage) return 'poll';
  if (message.conversation || message.extendedTextMessage) return 'text';
  return 'media';
}

export class Messaging {
  /** What each user's phone decrypted, newest last. */
  private readonly inboxes = new Map<Account, Received[]>();
  /** Receipts and acks tucan's companions sent for messages users sent. */
  readonly receipts: Receipt[] = [];
  private readonly offline = new Map<string, BinaryNode[]>();
  /** Decryption failures, for tests that want to see none. */
  readonly failures: string[] = [];

  constructor(
    private readonly server: WaServer,
    private readonly world: World,
    private readonly linking: Linking,
  ) {
    server.on('message', (stream, node) => this.fromCompanion(stream, node));
    server.on('receipt', (stream, node) => this.receipt(stream, node));
    server.on('ack', (_stream, node) => {
      if (node.attrs.class === 'message') this.receipts.push({ id: node.attrs.id ?? '', from: node.attrs.from ?? '', type: 'ack' });
    });
  }

  inbox(account: Account): Received[] {
    return this.inboxes.get(account) ?? [];
  }

  /** Delivers what waited for this companion, then says the offline batch is complete. */
  flushOffline(stream: Stream): void {
    const key = `${stream.account!.phone}:${stream.device!.id}`;
    const queued = this.offline.get(key) ?? [];
    this.offline.delete(key);
    for (const node of queued) stream.send({ ...node, attrs: { ...node.attrs, offline: '1' } });
    stream.send({ tag: 'ib', attrs: {}, content: [{ tag: 'offline', attrs: { count: String(queued.length) } }] });
  }

  /**
   * A user's phone sends `message` to tucan's account, encrypted for each of
   * its companions. `as` sets the sender's addressing: `pn` (phone JID) or
   * `lid` (LID JID, with the phone number in the alt attribute).
   */
  async send(from: Account, to: Account, message: proto.IMessage, options: { as?: 'pn' | 'lid'; id?: string } = {}): Promise<string> {
    const id = options.id ?? `3EB0${randomBytes(8).toString('hex').toUpperCase()}`;
    const sender = options.as === 'lid' ? from.lidJid : from.jid;
    for (const device of to.devices.values()) {
      const target = `${to.phone}:${device.id}@s.whatsapp.net`;
      if (!(await from.primary.hasSession(target))) await from.primary.startSession(target, device.keys);
      const { type, ciphertext } = await from.primary.encrypt(target, message);
      const node: BinaryNode = {
        tag: 'message',
        attrs: {
          from: sender,
          id,
          t: now(),
          type: stanzaType(message),
          notify: from.pushName,
          ...(options.as === 'lid' ? { sender_pn: from.jid, addressing_mode: 'lid' } : { sender_lid: from.lidJid }),
        },
        content: [{ tag: 'enc', attrs: { v: '2', type }, content: Buffer.from(ciphertext) }],
      };
      const stream = this.linking.streamOf(to, device.id);
      if (stream && !stream.closed) stream.send(node);
      else this.offline.set(`${to.phone}:${device.id}`, [...(this.offline.get(`${to.phone}:${device.id}`) ?? []), node]);
    }
    return id;
  }

  private async fromCompanion(stream: Stream, node: BinaryNode): Promise<void> {
    const to = node.attrs.to ?? '';
    stream.send({ tag: 'ack', attrs: { class: 'message', id: node.attrs.id!, from: to, t: now() } });
    const sender = stream.jid!;
    const encs: Array<{ device: string; enc: BinaryNode }> = [];
    for (const part of children(node)) {
      if (part.tag === 'participants') {
        for (const target of children(part)) for (const enc of children(target)) if (enc.tag === 'enc') encs.push({ device: target.attrs.jid!, enc });
      } else if (part.tag === 'enc') {
        encs.push({ device: to, enc: part });
      }
    }
    for (const { device, enc } of encs) {
      const account = this.world.find(device);
      if (!account || deviceOf(device).device !== 0) continue;
      try {
        const message = await account.primary.decrypt(sender, enc.attrs.type as 'pkmsg' | 'msg', bytes(enc));
        if (account === stream.account) continue; // the copy for our own phone
        const list = this.inboxes.get(account) ?? [];
        list.push({ id: node.attrs.id!, from: sender, to, type: node.attrs.type ?? '', message });
        this.inboxes.set(account, list);
        // the phone got it: a delivery receipt back to the sender
        stream.send({ tag: 'receipt', attrs: { id: node.attrs.id!, from: account.jid, t: now() } });
      } catch (error) {
        this.failures.push(`${device}: ${(error as Error).message}`);
      }
    }
  }

  private receipt(stream: Stream, node: BinaryNode): void {
    stream.send({ tag: 'ack', attrs: { class: 'receipt', id: node.attrs.id!, from: SERVER_JID, ...(node.attrs.type ? { type: node.attrs.type } : {}) } });
    this.receipts.push({ id: node.attrs.id ?? '', from: stream.jid ?? '', type: node.attrs.type ?? 'delivery' });
  }
}
