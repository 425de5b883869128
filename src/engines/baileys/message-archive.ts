/**
 * The raw WhatsApp messages the engine must be able to recall later, kept in
 * the store so they survive restarts:
 * - what tucan sent, for Baileys' `getMessage` (a recipient's device asking
 *   for a retry gets the same message again) and to recognise our own sends
 *   (`sent_by_api`);
 * - received media messages, whose media key and path are needed to download
 *   the file lazily, after the event has long been delivered;
 * - polls, sent or received: their `messageSecret` and options are what
 *   decrypts and names the votes that come later.
 *
 * Content is stored as protobuf JSON (bytes as base64, Longs as strings) and
 * rebuilt with `fromObject`; keys stay plain objects because `fromObject`
 * would drop the v7 key fields. Entries expire after RETENTION_MS.
 */
import { proto, toNumber, type WAMessage, type WAMessageKey } from '@whiskeysockets/baileys';
import type { Doc, Store } from '../../store/port.js';
import { BoundedCache } from './bounded-cache.js';

import { ARCHIVE_COLLECTION } from './stored-state.js';

export { ARCHIVE_COLLECTION } from './stored-state.js';
/** Retries come within minutes and WhatsApp keeps media for about two weeks. */
const RETENTION_MS = 14 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

export interface ArchiveDoc extends Doc {
  instance_id: string;
  wa_message_id: string;
  direction: 'in' | 'out';
  /** JSON: {key, message} with the message in protobuf JSON form. */
  payload: string;
  created_at: number;
}

export class MessageArchive {
  private readonly coll;
  private readonly sentIds = new BoundedCache<true>({ maxEntries: 5000 });
  private lastPrune = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: () => number = Date.now,
  ) {
    this.coll = store.collection<ArchiveDoc>(ARCHIVE_COLLECTION);
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes(ARCHIVE_COLLECTION, [
      { keys: { instance_id: 1, wa_message_id: 1, direction: 1 }, unique: true },
      { keys: { created_at: 1 } },
    ]);
  }

  async recordSent(instanceId: string, message: WAMessage): Promise<void> {
    if (!message.key.id) return;
    this.sentIds.set(`${instanceId}:${message.key.id}`, true);
    await this.put(instanceId, 'out', message);
  }

  async recordReceived(instanceId: string, message: WAMessage): Promise<void> {
    await this.put(instanceId, 'in', message);
  }

  /** Whether tucan sent this id (memory first: it is asked for every fromMe message). */
  async wasSent(instanceId: string, waMessageId: string): Promise<boolean> {
    if (this.sentIds.has(`${instanceId}:${waMessageId}`)) return true;
    const found = await this.coll.findOne({ instance_id: instanceId, wa_message_id: waMessageId, direction: 'out' });
    if (found) this.sentIds.set(`${instanceId}:${waMessageId}`, true);
    return found !== null;
  }

  /** The content of a message tucan sent, for Baileys' retry path. */
  async sentContent(instanceId: string, waMessageId: string): Promise<proto.IMessage | undefined> {
    return (await this.get(instanceId, waMessageId, 'out'))?.message ?? undefined;
  }

  /** A received message as Baileys delivered it (key and content), for media downloads. */
  received(instanceId: string, waMessageId: string): Promise<WAMessage | null> {
    return this.get(instanceId, waMessageId, 'in');
  }

  /** A message tucan sent or received (a poll, whose secret and options read its votes). */
  async any(instanceId: string, waMessageId: string): Promise<WAMessage | null> {
    return (await this.get(instanceId, waMessageId, 'out')) ?? (await this.get(instanceId, waMessageId, 'in'));
  }

  async clear(instanceId: string): Promise<void> {
    await this.coll.deleteMany({ instance_id: instanceId });
  }

  private async get(instanceId: string, waMessageId: string, direction: 'in' | 'out'): Promise<WAMessage | null> {
    const doc = await this.coll.findOne({ instance_id: instanceId, wa_message_id: waMessageId, direction });
    if (!doc) return null;
    const parsed = JSON.parse(doc.payload) as { key: WAMessageKey; message: Record<string, unknown> | null; messageTimestamp?: number };
    return { key: parsed.key, message: parsed.message ? proto.Message.fromObject(parsed.message) : null, messageTimestamp: parsed.messageTimestamp };
  }

  private async put(instanceId: string, direction: 'in' | 'out', message: WAMessage): Promise<void> {
    if (!message.key.id || !message.message) return;
    const payload = JSON.stringify({
      key: message.key,
      message: proto.Message.fromObject(message.message).toJSON(),
      messageTimestamp: message.messageTimestamp ? toNumber(message.messageTimestamp as Parameters<typeof toNumber>[0]) : undefined,
    });
    const now = this.clock();
    await this.coll.updateOne(
      { instance_id: instanceId, wa_message_id: message.key.id, direction },
      { $set: { payload, created_at: now } },
      { upsert: true },
    );
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      await this.coll.deleteMany({ created_at: { $lt: now - RETENTION_MS } });
    }
  }
}
