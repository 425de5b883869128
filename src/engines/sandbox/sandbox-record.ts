/**
 * What the sandbox "phone" has seen: every message it sent (persisted, so a
 * crash test can count sends across restarts), and the contacts and groups
 * it learned from injected inbound messages.
 */
import { createHash } from 'node:crypto';
import type { MediaBytes } from '../../domain/content.js';
import { DuplicateKeyError, newId, type Doc, type Store } from '../../store/port.js';
import type { EngineContent } from '../engine.js';

export interface SandboxSentDoc extends Doc {
  instance_id: string;
  wa_message_id: string;
  jid: string;
  /** The content as sent, with media reduced to its metadata and digest. */
  content: Record<string, unknown>;
  quoted_id: string | null;
  sent_at: number;
  /** How many times this same WhatsApp id was handed over; WhatsApp shows it once. */
  deliveries: number;
}

export interface SandboxContactDoc extends Doc {
  instance_id: string;
  jid: string;
  phone: string | null;
  push_name: string | null;
  updated_at: number;
}

export interface SandboxGroupDoc extends Doc {
  instance_id: string;
  jid: string;
  name: string;
  participants: { jid: string; phone: string | null }[];
  updated_at: number;
}

function describeMedia(media: MediaBytes): Record<string, unknown> {
  return {
    mimetype: media.mimetype,
    size: media.data.length,
    sha256: createHash('sha256').update(media.data).digest('hex'),
    ...(media.filename ? { filename: media.filename } : {}),
  };
}

export function recordableContent(content: EngineContent): Record<string, unknown> {
  if ('media' in content) return { ...content, media: describeMedia(content.media) };
  return { ...content };
}

export class SandboxRecord {
  private readonly sent;
  private readonly contacts;
  private readonly groups;
  /** The last pending write per group, which the next one waits for. */
  private readonly groupWrites = new Map<string, Promise<void>>();

  constructor(private readonly store: Store) {
    this.sent = store.collection<SandboxSentDoc>('sandbox_sent');
    this.contacts = store.collection<SandboxContactDoc>('sandbox_contacts');
    this.groups = store.collection<SandboxGroupDoc>('sandbox_groups');
  }

  async init(): Promise<void> {
    // no (instance_id, sent_at) index: only tests list sends in order, and one index less is cheaper on every send
    await this.store.ensureIndexes('sandbox_sent', [{ keys: { instance_id: 1, wa_message_id: 1 }, unique: true }]);
    await this.store.ensureIndexes('sandbox_contacts', [{ keys: { instance_id: 1, jid: 1 }, unique: true }]);
    await this.store.ensureIndexes('sandbox_groups', [{ keys: { instance_id: 1, jid: 1 }, unique: true }]);
  }

  /** Records a send; a repeat of the same WhatsApp id is the same message and only bumps its delivery count. */
  async recordSend(doc: Omit<SandboxSentDoc, '_id' | 'deliveries'>): Promise<SandboxSentDoc> {
    try {
      return await this.sent.insertOne({ _id: newId(), ...doc, deliveries: 1 });
    } catch (err) {
      if (!(err instanceof DuplicateKeyError)) throw err;
      const again = await this.sent.findOneAndUpdate({ instance_id: doc.instance_id, wa_message_id: doc.wa_message_id }, { $inc: { deliveries: 1 } });
      return again!;
    }
  }

  listSent(instanceId: string, options: { limit?: number; after?: number } = {}): Promise<SandboxSentDoc[]> {
    return this.sent.find({ instance_id: instanceId, ...(options.after !== undefined ? { sent_at: { $gt: options.after } } : {}) }, { sort: { sent_at: 1 }, limit: options.limit });
  }

  sentById(instanceId: string, waMessageId: string): Promise<SandboxSentDoc | null> {
    return this.sent.findOne({ instance_id: instanceId, wa_message_id: waMessageId });
  }

  countSent(instanceId: string): Promise<number> {
    return this.sent.countDocuments({ instance_id: instanceId });
  }

  /**
   * Records a contact's phone and push name (a missing push name keeps the
   * recorded one). Inserted first: the engine only calls this for senders it
   * has not recorded in this process, so most are new, and an insert is a
   * fraction of an upsert's read-modify-write.
   */
  async rememberContact(instanceId: string, jid: string, phone: string | null, pushName: string | null, now: number): Promise<void> {
    try {
      await this.contacts.insertOne({ _id: newId(), instance_id: instanceId, jid, phone, push_name: pushName || null, updated_at: now });
    } catch (err) {
      if (!(err instanceof DuplicateKeyError)) throw err;
      await this.contacts.updateOne({ instance_id: instanceId, jid }, { $set: { phone, updated_at: now, ...(pushName ? { push_name: pushName } : {}) } });
    }
  }

  contact(instanceId: string, jid: string): Promise<SandboxContactDoc | null> {
    return this.contacts.findOne({ instance_id: instanceId, jid });
  }

  /** Adds a member (and names the group when a name is given). */
  rememberGroup(instanceId: string, jid: string, name: string | null, participant: { jid: string; phone: string | null } | null, now: number): Promise<void> {
    // a read-modify-write: two members of one group arriving together must not each write the list without the other
    const key = `${instanceId}|${jid}`;
    const previous = this.groupWrites.get(key);
    const write = (previous ? previous.catch(() => undefined) : Promise.resolve()).then(() => this.writeGroup(instanceId, jid, name, participant, now));
    this.groupWrites.set(key, write);
    const settled = () => {
      if (this.groupWrites.get(key) === write) this.groupWrites.delete(key);
    };
    write.then(settled, settled);
    return write;
  }

  private async writeGroup(instanceId: string, jid: string, name: string | null, participant: { jid: string; phone: string | null } | null, now: number): Promise<void> {
    const existing = await this.groups.findOne({ instance_id: instanceId, jid });
    const participants = existing?.participants ?? [];
    if (participant && !participants.some((p) => p.jid === participant.jid)) participants.push(participant);
    await this.groups.updateOne(
      { instance_id: instanceId, jid },
      { $set: { name: name ?? existing?.name ?? jid.split('@')[0], participants, updated_at: now } },
      { upsert: true },
    );
  }

  listGroups(instanceId: string): Promise<SandboxGroupDoc[]> {
    return this.groups.find({ instance_id: instanceId }, { sort: { name: 1 } });
  }

  async forget(instanceId: string): Promise<void> {
    await Promise.all([this.sent.deleteMany({ instance_id: instanceId }), this.contacts.deleteMany({ instance_id: instanceId }), this.groups.deleteMany({ instance_id: instanceId })]);
  }
}
