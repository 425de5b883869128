/**
 * Per-chat memory that keeps the bot from talking to itself or to another
 * bot forever, and rule cooldowns.
 *
 * Concrete rules (applied by decide()):
 * - Own replies: a fromMe message (multi_device) whose text equals one of our
 *   auto-replies to the same chat in the last ECHO_WINDOW_MS is our own reply
 *   coming back from the linked phone, never an owner command.
 * - Echo: a message from someone else whose text equals one of our
 *   auto-replies to that chat in the last ECHO_WINDOW_MS, and is at least
 *   ECHO_MIN_LENGTH characters long, is another bot repeating us. (Short
 *   texts such as "ok" are left alone: people repeat those.)
 * - Reply cap: at most REPLY_CAP auto-replies per chat within
 *   REPLY_CAP_WINDOW_MS. Reaching the cap mutes the chat for MUTE_MS, so two
 *   bots answering each other get at most REPLY_CAP replies per mute period
 *   instead of a slow endless loop.
 *
 * The state is a plain value: the pipeline loads it, decide() returns the
 * next one, the pipeline stores it.
 */
import type { ChatPause, FlowState } from './flow-run.js';
import { normalizeMessageText } from './normalize.js';

export const ECHO_WINDOW_MS = 10 * 60_000;
export const ECHO_MIN_LENGTH = 16;
export const REPLY_CAP = 8;
export const REPLY_CAP_WINDOW_MS = 60_000;
export const MUTE_MS = 10 * 60_000;

export interface RecentReply {
  /** Epoch ms. */
  at: number;
  /** Normalised, case-folded text of the reply (null for replies without text). */
  text: string | null;
}

export interface ChatState {
  /** Rule id → epoch ms of the last reply with that rule to this chat. */
  cooldowns: Record<string, number>;
  /** Our auto-replies to this chat within the longest window, oldest first. */
  recent: RecentReply[];
  /** Epoch ms until which the reply cap keeps the chat muted. */
  muted_until: number | null;
  /** The flow the chat is inside, or null. */
  flow: FlowState | null;
  /** The owner's takeover (or a pause through the API), or null. */
  pause: ChatPause | null;
}

export function emptyChatState(): ChatState {
  return { cooldowns: {}, recent: [], muted_until: null, flow: null, pause: null };
}

export function comparable(text: string | null): string | null {
  const n = normalizeMessageText(text)?.folded;
  return n ? n : null;
}

export function matchesRecentReply(state: ChatState, text: string | null, now: number, minLength: number): boolean {
  if (text === null || text.length < minLength) return false;
  return state.recent.some((r) => r.text === text && now - r.at < ECHO_WINDOW_MS);
}

export type CapCheck = { ok: true } | { ok: false; reason: string };

export function checkReplyCap(state: ChatState, now: number): CapCheck {
  if (state.muted_until !== null && now < state.muted_until) {
    return { ok: false, reason: `chat muted until ${new Date(state.muted_until).toISOString()}: more than ${REPLY_CAP} auto-replies within ${REPLY_CAP_WINDOW_MS / 1000} s (loop protection)` };
  }
  const inWindow = state.recent.filter((r) => now - r.at < REPLY_CAP_WINDOW_MS).length;
  if (inWindow >= REPLY_CAP) {
    return { ok: false, reason: `${inWindow} auto-replies to this chat within ${REPLY_CAP_WINDOW_MS / 1000} s (cap ${REPLY_CAP}); muting for ${MUTE_MS / 60_000} min (loop protection)` };
  }
  return { ok: true };
}

/** Epoch ms until which the rule is cooling down for this chat, or null. */
export function cooldownUntil(state: ChatState, ruleId: string, cooldownSeconds: number | null, now: number): number | null {
  if (cooldownSeconds === null) return null;
  const last = state.cooldowns[ruleId];
  if (last === undefined) return null;
  const until = last + cooldownSeconds * 1000;
  return now < until ? until : null;
}

/** The state after a decision: replies recorded, the chat muted when the cap was hit, expired entries dropped. */
export function nextChatState(
  state: ChatState,
  now: number,
  outcome: { replies: { text: string | null }[]; ruleId: string | null; ruleCooldownSeconds: number | null; capHit: boolean },
  longestCooldownMs: number,
): ChatState {
  const horizon = Math.max(ECHO_WINDOW_MS, REPLY_CAP_WINDOW_MS);
  const recent = state.recent.filter((r) => now - r.at < horizon);
  for (const reply of outcome.replies) recent.push({ at: now, text: comparable(reply.text) });
  const cooldowns: Record<string, number> = {};
  for (const [id, at] of Object.entries(state.cooldowns)) if (now - at < longestCooldownMs) cooldowns[id] = at;
  if (outcome.ruleId !== null && outcome.ruleCooldownSeconds !== null && outcome.replies.length > 0) cooldowns[outcome.ruleId] = now;
  const muted_until = outcome.capHit ? now + MUTE_MS : state.muted_until !== null && state.muted_until > now ? state.muted_until : null;
  return { cooldowns, recent, muted_until, flow: state.flow, pause: state.pause };
}
