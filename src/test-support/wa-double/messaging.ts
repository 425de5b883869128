/**
 * Messages between tucan's companions and the simulated users, end to end
 * encrypted with real Signal sessions: what a companion sends is acked,
 * decrypted by each recipient device and kept in that user's inbox; what a
 * user sends is encrypted for every linked companion and delivered at once,
 * or queued and flushed at the companion's next login (the offline batch).
 */
import { randomBytes } from 'node:crypto';
import { proto, type BinaryNode } from '@whiskeysockets/baileys';
import type { Group, Groups } from './groups.js';
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
function messageId(): string {
  return `3EB0${randomBytes(8).toString('hex').toUpperCase()}`;
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
  /** Messages a stream received but has not acked: WhatsApp delivers them again at the next login. */
  private readonly unacked = new Map<Stream, Map<string, BinaryNode>>();
  /** Decryption failures, for tests that want to see none. */
  readonly failures: string[] = [];

  constructor(
    private readonly server: WaServer,
    private readonly world: World,
    private readonly linking: Linking,
    private readonly groups: Groups,
  ) {
    server.on('message', (stream, node) => this.fromCompanion(stream, node));
    server.on('receipt', (stream, node) => this.receipt(stream, node));
    server.on('ack', (stream, node) => {
      if (node.attrs.class !== 'message') return;
      this.receipts.push({ id: node.attrs.id ?? '', from: node.attrs.from ?? '', type: 'ack' });
      this.unacked.get(stream)?.delete(node.attrs.id ?? '');
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
    const id = options.id ?? messageId();
    const lid = options.as === 'lid';
    const attrs = {
      from: lid ? from.lidJid : from.jid,
      id,
      t: now(),
      type: stanzaType(message),
      notify: from.pushName,
      ...(lid ? { sender_pn: from.jid, addressing_mode: 'lid' } : { sender_lid: from.lidJid }),
    };
    await this.deliver(to, async (target) => {
      const { type, ciphertext } = await this.encryptFor(from, to, target, message);
      return { tag: 'message', attrs, content: [{ tag: 'enc', attrs: { v: '2', type }, content: Buffer.from(ciphertext) }] };
    });
    return id;
  }

  /** A member writes in a group: the sender key goes to each companion (pkmsg), the message once (skmsg). */
  async sendToGroup(from: Account, group: Group, message: proto.IMessage, options: { id?: string } = {}): Promise<string> {
    const id = options.id ?? messageId();
    const lid = group.addressing === 'lid';
    const author = lid ? from.lidJid : from.jid;
    const { ciphertext, senderKeyDistributionMessage } = await from.primary.encryptGroup(group.jid, author, message);
    const attrs = {
      from: group.jid,
      participant: author,
      id,
      t: now(),
      type: stanzaType(message),
      notify: from.pushName,
      ...(lid ? { participant_pn: from.jid, addressing_mode: 'lid' } : { participant_lid: from.lidJid }),
    };
    for (const member of group.members) {
      if (member === from) continue;
      await this.deliver(member, async (target) => {
        const skdm = { senderKeyDistributionMessage: { groupId: group.jid, axolotlSenderKeyDistributionMessage: senderKeyDistributionMessage } };
        const { type, ciphertext: wrapped } = await this.encryptFor(from, member, target, skdm);
        return {
          tag: 'message',
          attrs,
          content: [
            { tag: 'enc', attrs: { v: '2', type }, content: Buffer.from(wrapped) },
            { tag: 'enc', attrs: { v: '2', type: 'skmsg' }, content: Buffer.from(ciphertext) },
          ],
        };
      });
    }
    return id;
  }

  private async encryptFor(from: Account, to: Account, target: string, message: proto.IMessage) {
    const device = to.devices.get(Number(target.split(':')[1]!.split('@')[0]))!;
    if (!(await from.primary.hasSession(target))) await from.primary.startSession(target, device.keys);
    return from.primary.encrypt(target, message);
  }

  /** One stanza per linked companion of `to`: sent now, or kept for its next login. */
  private async deliver(to: Account, build: (target: string) => Promise<BinaryNode>): Promise<void> {
    for (const device of to.devices.values()) {
      const node = await build(`${to.phone}:${device.id}@s.whatsapp.net`);
      const stream = this.linking.streamOf(to, device.id);
      const key = `${to.phone}:${device.id}`;
      if (stream && !stream.closed) {
        const pending = this.unacked.get(stream) ?? new Map<string, BinaryNode>();
        pending.set(node.attrs.id!, node);
        this.unacked.set(stream, pending);
        stream.send(node);
      } else this.offline.set(key, [...(this.offline.get(key) ?? []), node]);
    }
  }

  /** The user's phone shows tucan's message as read: a read receipt to every companion of the sender. */
  read(reader: Account, sender: Account, id: string): void {
    for (const device of sender.devices.values()) {
      this.linking.streamOf(sender, device.id)?.send({ tag: 'receipt', attrs: { id, from: reader.jid, type: 'read', t: now() } });
    }
  }

  /** A stream ended: what it never acked waits for the device's next login, ahead of newer messages. */
  streamClosed(stream: Stream): void {
    const pending = this.unacked.get(stream);
    this.unacked.delete(stream);
    if (!pending?.size || !stream.account || !stream.device) return;
    const key = `${stream.account.phone}:${stream.device.id}`;
    this.offline.set(key, [...pending.values(), ...(this.offline.get(key) ?? [])]);
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
    const group = this.groups.find(to);
    // the sender keys (pairwise, in participants) before the group message they open
    encs.sort((a, b) => Number(a.enc.attrs.type === 'skmsg') - Number(b.enc.attrs.type === 'skmsg'));
    for (const { device, enc } of encs) {
      if (group && enc.attrs.type === 'skmsg') {
        for (const member of group.members) if (member !== stream.account) await this.open(stream, node, member, `skmsg in ${group.jid}`, () => member.primary.decryptGroup(group.jid, sender, bytes(enc)));
        continue;
      }
      const account = this.world.find(device);
      if (!account || deviceOf(device).device !== 0) continue;
      if (group) {
        // the sender key for the group, in a pairwise message
        await this.open(stream, node, account, `${enc.attrs.type} for ${device}`, async () => {
          const carrier = await account.primary.decrypt(sender, enc.attrs.type as 'pkmsg' | 'msg', bytes(enc));
          if (carrier.senderKeyDistributionMessage) await account.primary.processSenderKey(sender, carrier.senderKeyDistributionMessage);
          return undefined;
        });
        continue;
      }
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

  /** Decrypts one copy for `account`; what it yields goes to that user's inbox. */
  private async open(stream: Stream, node: BinaryNode, account: Account, what: string, decrypt: () => Promise<proto.Message | undefined>): Promise<void> {
    try {
      const message = await decrypt();
      if (!message) return;
      const list = this.inboxes.get(account) ?? [];
      list.push({ id: node.attrs.id!, from: stream.jid!, to: node.attrs.to ?? '', type: node.attrs.type ?? '', message });
      this.inboxes.set(account, list);
    } catch (error) {
      this.failures.push(`${account.phone} (${what} from ${stream.jid}, ${node.attrs.id}): ${(error as Error).message}`);
    }
  }

  private receipt(stream: Stream, node: BinaryNode): void {
    // a receipt acknowledges the message (and any listed with it): WhatsApp will not deliver it again
    const pending = this.unacked.get(stream);
    if (pending) {
      pending.delete(node.attrs.id ?? '');
      for (const list of children(node)) for (const item of children(list)) pending.delete(item.attrs.id ?? '');
    }
    stream.send({ tag: 'ack', attrs: { class: 'receipt', id: node.attrs.id!, from: SERVER_JID, ...(node.attrs.type ? { type: node.attrs.type } : {}) } });
    this.receipts.push({ id: node.attrs.id ?? '', from: stream.jid ?? '', type: node.attrs.type ?? 'delivery' });
  }
}
