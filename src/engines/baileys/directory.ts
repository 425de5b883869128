/**
 * Contacts, groups and the linked profile, read through the live socket.
 *
 * - Number checks are paced: batches of `batchSize` numbers with at least
 *   `intervalMs` between queries, serialised across callers, because
 *   unpaced bulk checks are a classic way to get a number banned.
 *   WhatsApp answers with canonical JIDs (which may differ from the input,
 *   e.g. a mobile prefix), so numbers a batch could not match are asked again
 *   one by one.
 * - A missing or private profile picture / about is null, not an error.
 * - Group metadata is cached: `groups()` fills the cache that Baileys'
 *   `cachedGroupMetadata` reads on every group send; participant and
 *   settings events invalidate it.
 */
import type { GroupMetadata } from '@whiskeysockets/baileys';
import { normalizeJid, lidFromJid, phoneFromJid } from '../../domain/recipient.js';
import type { ContactInfo, GroupInfo, NumberCheck, ProfileInfo } from '../engine.js';
import { BoundedCache } from './bounded-cache.js';
import type { BaileysSocket } from './socket.js';
import { isNotFound, toEngineError } from './wa-errors.js';

export interface DirectoryOptions {
  batchSize: number;
  intervalMs: number;
  groupTtlMs: number;
  sleep: (ms: number) => Promise<void>;
  clock: () => number;
}

export const DEFAULT_DIRECTORY_OPTIONS: DirectoryOptions = {
  batchSize: 20,
  intervalMs: 1000,
  groupTtlMs: 10 * 60_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
  clock: Date.now,
};

export class Directory {
  private readonly groupCache: BoundedCache<GroupMetadata>;
  /** Names seen in messages and contact events, keyed by normalised JID. */
  private readonly names = new BoundedCache<string>({ maxEntries: 10_000 });
  private checkQueue: Promise<unknown> = Promise.resolve();
  private lastCheckAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: DirectoryOptions) {
    this.groupCache = new BoundedCache<GroupMetadata>({ maxEntries: 2000, ttlMs: options.groupTtlMs, clock: options.clock });
  }

  rememberName(jid: string, name: string | null | undefined): void {
    if (name) this.names.set(normalizeJid(jid), name);
  }

  cachedGroup(jid: string): GroupMetadata | undefined {
    return this.groupCache.get(jid);
  }

  /**
   * Metadata for a group send: from the cache, or fetched once and cached.
   * Baileys would otherwise query the group on every send to it. A failed
   * fetch returns undefined so Baileys makes (and reports) its own query.
   */
  async groupForSend(sock: BaileysSocket, jid: string): Promise<GroupMetadata | undefined> {
    const cached = this.groupCache.get(jid);
    if (cached) return cached;
    try {
      const metadata = await sock.groupMetadata(jid);
      this.rememberGroup(metadata);
      return metadata;
    } catch {
      return undefined;
    }
  }

  rememberGroup(metadata: GroupMetadata): void {
    this.groupCache.set(metadata.id, metadata);
  }

  forgetGroup(jid: string): void {
    this.groupCache.delete(jid);
  }

  /** Whether each number has WhatsApp; one paced query per batch. */
  checkNumbers(sock: BaileysSocket, phones: string[]): Promise<NumberCheck[]> {
    const run = this.checkQueue.then(() => this.runChecks(sock, phones));
    this.checkQueue = run.catch(() => undefined);
    return run;
  }

  async contactInfo(sock: BaileysSocket, jid: string): Promise<ContactInfo> {
    const normalized = normalizeJid(jid);
    const [about, picture] = await Promise.all([this.about(sock, normalized), this.picture(sock, normalized)]);
    return { jid: normalized, name: this.names.get(normalized) ?? null, about, picture_url: picture };
  }

  async groups(sock: BaileysSocket): Promise<GroupInfo[]> {
    let all: Record<string, GroupMetadata>;
    try {
      all = await sock.groupFetchAllParticipating();
    } catch (err) {
      throw toEngineError(err, 'fetching groups');
    }
    return Object.values(all).map((g) => {
      this.rememberGroup(g);
      return {
        id: g.id,
        name: g.subject,
        participants: g.participants.map((p) => ({ jid: p.id, phone: phoneFromJid(p.phoneNumber) ?? phoneFromJid(p.id), lid: lidFromJid(p.id) ?? lidFromJid(p.lid), admin: Boolean(p.admin) })),
      };
    });
  }

  async profile(sock: BaileysSocket): Promise<ProfileInfo> {
    const me = sock.user;
    if (!me?.id) return { jid: null, phone: null, name: null, about: null, picture_url: null };
    const jid = normalizeJid(me.id);
    const [about, picture] = await Promise.all([this.about(sock, jid), this.picture(sock, jid)]);
    return { jid, phone: phoneFromJid(jid), name: me.name ?? me.notify ?? null, about, picture_url: picture };
  }

  private async runChecks(sock: BaileysSocket, phones: string[]): Promise<NumberCheck[]> {
    const found = new Map<string, string>();
    const unmatched: string[] = [];
    for (let i = 0; i < phones.length; i += this.options.batchSize) {
      const batch = phones.slice(i, i + this.options.batchSize);
      const results = await this.query(sock, batch);
      const byDigits = new Map(results.map((r) => [phoneFromJid(r.jid) ?? '', r.jid]));
      for (const phone of batch) {
        const jid = byDigits.get(phone);
        if (jid) found.set(phone, jid);
        else unmatched.push(phone);
      }
    }
    // a batch answers with canonical JIDs; only a one-number query ties an answer to its input for sure
    if (phones.length > 1) {
      for (const phone of unmatched) {
        const [result] = await this.query(sock, [phone]);
        if (result) found.set(phone, result.jid);
      }
    }
    return phones.map((phone) => {
      const jid = found.get(phone);
      return { phone, exists: jid !== undefined, jid: jid ? normalizeJid(jid) : null };
    });
  }

  private async query(sock: BaileysSocket, phones: string[]): Promise<{ jid: string; exists: boolean }[]> {
    const wait = this.lastCheckAt + this.options.intervalMs - this.options.clock();
    if (wait > 0) await this.options.sleep(wait);
    this.lastCheckAt = this.options.clock();
    try {
      const results = await sock.onWhatsApp(...phones.map((p) => `${p}@s.whatsapp.net`));
      return (results ?? []).filter((r) => r.exists);
    } catch (err) {
      throw toEngineError(err, 'checking numbers');
    }
  }

  private async about(sock: BaileysSocket, jid: string): Promise<string | null> {
    try {
      const [result] = (await sock.fetchStatus(jid)) ?? [];
      const status = (result as { status?: { status?: unknown } | null } | undefined)?.status?.status;
      return typeof status === 'string' && status ? status : null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw toEngineError(err, 'reading the about text');
    }
  }

  private async picture(sock: BaileysSocket, jid: string): Promise<string | null> {
    try {
      return (await sock.profilePictureUrl(jid, 'image')) ?? null;
    } catch (err) {
      // Baileys throws a Boom when there is no picture (or it is private): that is "no picture", not a failure
      if (isNotFound(err)) return null;
      throw toEngineError(err, 'reading the profile picture');
    }
  }
}
