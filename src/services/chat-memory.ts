/**
 * The bot's per-chat memory (loop-guard state and rule cooldowns) for
 * decide(): kept in memory, with cooldowns written through to the store so
 * they survive restarts (they may last days). They are read back only when
 * the instance's rules use cooldowns, so a busy bot without them never
 * reads. Recent replies and loop-protection mutes last minutes and stay in
 * memory: after a restart a looping chat is simply muted again.
 *
 * Ordering: a caller awaits `ready()` (only when it returns a promise) and
 * then reads `current()` and writes `set()` synchronously, so two messages of
 * the same chat in one batch see each other's replies.
 */
import { emptyChatState, type ChatState } from '../domain/loop-guard.js';
import type { ChatStatesRepo } from '../store/repositories/chat-states.js';

interface Entry {
  state: ChatState;
  /** Whether the durable part was read (or is known to be empty). */
  durable: boolean;
}

export class ChatMemory {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<void>>();
  private lastKey = { instanceId: '', chatJid: '', key: '|' };

  constructor(
    private readonly repo: ChatStatesRepo,
    private readonly clock: () => number,
    private readonly maxChats = 100_000,
  ) {}

  /** A promise to await when the chat's state is not in memory yet; undefined when it is. */
  ready(instanceId: string, chatJid: string, durable: boolean): Promise<void> | undefined {
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
          const current = this.entries.get(key)?.state ?? emptyChatState();
          const cooldowns = { ...(doc?.cooldowns ?? {}), ...current.cooldowns };
          this.remember(key, { state: { ...current, cooldowns }, durable: true });
        })
        .finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  current(instanceId: string, chatJid: string): ChatState {
    return this.entries.get(this.keyOf(instanceId, chatJid))?.state ?? emptyChatState();
  }

  /** Stores the next state; resolves once its cooldowns (when they changed) are written. */
  set(instanceId: string, chatJid: string, next: ChatState): Promise<void> | undefined {
    const key = this.keyOf(instanceId, chatJid);
    const before = this.entries.get(key);
    this.remember(key, { state: next, durable: before?.durable ?? false });
    const prev = before?.state ?? emptyChatState();
    if (sameCooldowns(prev.cooldowns, next.cooldowns)) return undefined;
    return this.repo.save(instanceId, chatJid, next.cooldowns, this.clock());
  }

  forget(instanceId: string): void {
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

function sameCooldowns(a: Record<string, number>, b: Record<string, number>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}
