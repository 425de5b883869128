/**
 * The bot's per-chat memory (loop-guard state, rule cooldowns, the flow a
 * chat is in, a takeover pause) for decide(): kept in memory, with the
 * durable part (cooldowns, flow, pause) written through to the store so it
 * survives restarts. It is read back only for chats that can have some: every
 * chat when the instance's rules use cooldowns; otherwise only the chats the
 * store lists as paused or inside a flow (one indexed read per instance, kept
 * up to date by set()), so a busy bot never reads a chat it has nothing
 * stored for. Recent
 * replies and loop-protection mutes last minutes and stay in memory: after
 * a restart a looping chat is simply muted again.
 *
 * Ordering: a caller awaits `ready()` (only when it returns a promise) and
 * then reads `current()` and writes `set()` synchronously, so two messages of
 * the same chat in one batch see each other's replies.
 */
import { emptyChatState, type ChatState } from '../domain/loop-guard.js';
import type { ChatStateDoc, ChatStatesRepo } from '../store/repositories/chat-states.js';

interface Entry {
  state: ChatState;
  /** Whether the durable part was read (or is known to be empty). */
  durable: boolean;
  /** Whether a document is stored for the chat; undefined when not known. */
  stored?: boolean;
}

export class ChatMemory {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<void>>();
  /** Per instance: the chats with a stored flow or pause (loaded once, then kept by set()). */
  private readonly pending = new Map<string, Set<string>>();
  private readonly pendingLoads = new Map<string, Promise<void>>();
  private lastKey = { instanceId: '', chatJid: '', key: '|' };

  constructor(
    private readonly repo: ChatStatesRepo,
    private readonly clock: () => number,
    private readonly maxChats = 100_000,
  ) {}

  /**
   * A promise to await when the chat's state is not in memory yet; undefined
   * when it is. `cooldowns`: the instance's rules use cooldowns, so every
   * chat's durable part is read.
   */
  ready(instanceId: string, chatJid: string, cooldowns: boolean): Promise<void> | undefined {
    const chats = this.pending.get(instanceId);
    if (!chats) return this.loadPending(instanceId).then(() => this.ready(instanceId, chatJid, cooldowns));
    const durable = cooldowns || chats.has(chatJid);
    const key = this.keyOf(instanceId, chatJid);
    const entry = this.entries.get(key);
    if (entry && (entry.durable || !durable)) return undefined;
    if (!durable) {
      this.remember(key, { state: emptyChatState(), durable: false });
      return undefined;
    }
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.repo
        .find(instanceId, chatJid)
        .then((doc) => {
          const current = this.entries.get(key);
          this.remember(key, { state: merged(current?.state, doc), durable: true, stored: current?.stored || doc !== null });
        })
        .finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  current(instanceId: string, chatJid: string): ChatState {
    return this.entries.get(this.keyOf(instanceId, chatJid))?.state ?? emptyChatState();
  }

  /** Stores the next state; resolves once its durable part (when it changed) is written. */
  set(instanceId: string, chatJid: string, next: ChatState): Promise<void> | undefined {
    const key = this.keyOf(instanceId, chatJid);
    const before = this.entries.get(key);
    const prev = before?.state ?? emptyChatState();
    if (prev.flow === next.flow && prev.pause === next.pause && sameCooldowns(prev.cooldowns, next.cooldowns)) {
      this.remember(key, { state: next, durable: before?.durable ?? false, stored: before?.stored });
      return undefined;
    }
    // written below, whole: from now on the stored document is what memory holds
    this.remember(key, { state: next, durable: true, stored: true });
    const chats = this.pending.get(instanceId);
    if (next.flow || next.pause) chats?.add(chatJid);
    else chats?.delete(chatJid);
    return this.repo.save(instanceId, chatJid, { cooldowns: next.cooldowns, flow: next.flow, pause: next.pause }, this.clock(), before?.stored);
  }

  private loadPending(instanceId: string): Promise<void> {
    let load = this.pendingLoads.get(instanceId);
    if (!load) {
      load = this.repo
        .pendingChats(instanceId)
        .then((chats) => {
          if (!this.pending.has(instanceId)) this.pending.set(instanceId, new Set(chats));
        })
        .finally(() => this.pendingLoads.delete(instanceId));
      this.pendingLoads.set(instanceId, load);
    }
    return load;
  }

  forget(instanceId: string): void {
    this.pending.delete(instanceId);
    const prefix = `${instanceId}|`;
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  /** A message asks ready(), current() and set() in a row: its key is built (and hashed) once, not three times. */
  private keyOf(instanceId: string, chatJid: string): string {
    const last = this.lastKey;
    if (last.chatJid === chatJid && last.instanceId === instanceId) return last.key;
    const key = `${instanceId}|${chatJid}`;
    this.lastKey = { instanceId, chatJid, key };
    return key;
  }

  private remember(key: string, entry: Entry): void {
    // delete + set moves the chat to the newest end, so eviction drops the least recently active
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxChats) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** The stored durable part under what memory already holds (a message may have changed the chat while it loaded). */
function merged(current: ChatState | undefined, doc: ChatStateDoc | null): ChatState {
  const base = current ?? emptyChatState();
  if (!doc) return base;
  return { ...base, cooldowns: { ...doc.cooldowns, ...base.cooldowns }, flow: base.flow ?? doc.flow ?? null, pause: base.pause ?? doc.pause ?? null };
}

function sameCooldowns(a: Record<string, number>, b: Record<string, number>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}
