/**
 * The LID ↔ phone pairs of one process's Baileys instances: learnt from
 * everything WhatsApp shares (`lid-mapping.update`, the mappings in a history
 * sync, the `…Alt` fields of message keys, contacts and group members, the
 * mapping store's answers) and kept in tucan's store (LidMappingsRepo), with
 * a bounded memory in front so an inbound message costs no store read for a
 * person seen recently. "Not known" is remembered for a few minutes too.
 */
import { isLidUser, type BaileysEventMap, type Contact, type WAMessage } from '@whiskeysockets/baileys';
import { normalizeJid, phoneFromJid } from '../../domain/recipient.js';
import type { LidMappingsRepo, LidPair } from '../../store/repositories/lid-mappings.js';
import { BoundedCache } from './bounded-cache.js';

/** Two forms of one person's address, in either order, as events carry them. */
export interface AddressForms {
  a?: string | null;
  b?: string | null;
}

const UNKNOWN_TTL_MS = 5 * 60_000;

/** The pair two addresses make, when one is a LID and the other a phone number. */
export function pairOf(forms: AddressForms): LidPair | null {
  const { a, b } = forms;
  if (!a || !b) return null;
  const lid = isLidUser(a) ? a : isLidUser(b) ? b : null;
  const phone = lid ? phoneFromJid(lid === a ? b : a) : null;
  return lid && phone ? { lid: normalizeJid(lid), phone } : null;
}

export class LidDirectory {
  private readonly byLid = new BoundedCache<string | null>({ maxEntries: 50_000 });
  private readonly byPhone = new BoundedCache<string | null>({ maxEntries: 50_000 });
  private readonly unknownSince = new BoundedCache<number>({ maxEntries: 50_000 });

  constructor(
    private readonly repo: LidMappingsRepo,
    private readonly clock: () => number,
  ) {}

  /** Stores the pairs among `forms` that are new to this process. */
  async learn(instanceId: string, forms: readonly AddressForms[]): Promise<void> {
    const fresh: LidPair[] = [];
    for (const f of forms) {
      const pair = pairOf(f);
      if (!pair || this.byLid.get(key(instanceId, pair.lid)) === pair.phone) continue;
      fresh.push(pair);
      this.byLid.set(key(instanceId, pair.lid), pair.phone);
      this.byPhone.set(key(instanceId, pair.phone), pair.lid);
      this.unknownSince.delete(key(instanceId, pair.lid));
      this.unknownSince.delete(key(instanceId, pair.phone));
    }
    if (fresh.length > 0) await this.repo.remember(instanceId, fresh, this.clock());
  }

  /** The phone digits of a LID JID, when known. */
  phoneOf(instanceId: string, lid: string): Promise<string | null> {
    const jid = normalizeJid(lid);
    return this.lookup(instanceId, jid, this.byLid, () => this.repo.phoneOf(instanceId, jid));
  }

  /** The LID JID of phone digits, when known. */
  lidOf(instanceId: string, phone: string): Promise<string | null> {
    return this.lookup(instanceId, phone, this.byPhone, () => this.repo.lidOf(instanceId, phone));
  }

  async forget(instanceId: string): Promise<void> {
    // entries are keyed by instance; clearing everything is simpler and only costs re-reads
    this.byLid.clear();
    this.byPhone.clear();
    this.unknownSince.clear();
    await this.repo.removeInstance(instanceId);
  }

  private async lookup(instanceId: string, value: string, cache: BoundedCache<string | null>, read: () => Promise<string | null>): Promise<string | null> {
    const k = key(instanceId, value);
    const cached = cache.get(k);
    if (cached) return cached;
    const since = this.unknownSince.get(k);
    if (since !== undefined && this.clock() - since < UNKNOWN_TTL_MS) return null;
    const found = await read();
    if (found) cache.set(k, found);
    else this.unknownSince.set(k, this.clock());
    return found;
  }
}

function key(instanceId: string, value: string): string {
  return `${instanceId}\u0000${value}`;
}

/** Every LID/phone pair a batch of socket events names (mapping updates, history, contacts, group members). */
export function formsInEvents(events: Partial<BaileysEventMap>): AddressForms[] {
  const forms: AddressForms[] = [];
  const mapping = events['lid-mapping.update'];
  if (mapping) forms.push({ a: mapping.lid, b: mapping.pn });
  for (const m of events['messaging-history.set']?.lidPnMappings ?? []) forms.push({ a: m.lid, b: m.pn });
  for (const c of [...(events['contacts.upsert'] ?? []), ...(events['contacts.update'] ?? [])]) forms.push(...contactForms(c));
  for (const p of events['group-participants.update']?.participants ?? []) if (typeof p !== 'string') forms.push(...contactForms(p));
  for (const g of events['groups.upsert'] ?? []) for (const p of g.participants ?? []) forms.push(...contactForms(p));
  return forms;
}

/** The pairs message keys carry: a DM's chat and its alt, a group author and theirs. */
export function formsInMessages(messages: readonly WAMessage[]): AddressForms[] {
  return messages.flatMap((m) => [
    { a: m.key?.remoteJid, b: m.key?.remoteJidAlt },
    { a: m.key?.participant, b: m.key?.participantAlt },
  ]);
}

/** A contact or group member names up to three forms: its id and its lid and phoneNumber fields. */
export function contactForms(c: Partial<Contact>): AddressForms[] {
  return [
    { a: c.id, b: c.phoneNumber },
    { a: c.id, b: c.lid },
    { a: c.lid, b: c.phoneNumber },
  ];
}
