/**
 * Pure rules of the outbound queue: how receipts move a message's status,
 * how long to back off after a failed attempt, and how long to pace and
 * "type" before a send. No clock and no randomness of their own: `now` and
 * `random` are parameters.
 */
import type { Random } from './random.js';

export type OutboundStatus = 'queued' | 'scheduled' | 'sending' | 'sent' | 'delivered' | 'read' | 'played' | 'failed' | 'cancelled';

/** Statuses a receipt (or the dispatcher's own acknowledgement) may lead to. */
export type ProgressStatus = 'sent' | 'delivered' | 'read' | 'played';

const RANK: Record<OutboundStatus, number> = {
  queued: 0,
  scheduled: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  played: 5,
  failed: -1,
  cancelled: -1,
};

export const WAITING: OutboundStatus[] = ['queued', 'scheduled'];
export const PENDING: OutboundStatus[] = ['queued', 'scheduled', 'sending'];
export const SENT_OR_LATER: OutboundStatus[] = ['sent', 'delivered', 'read', 'played'];
export const TERMINAL: OutboundStatus[] = ['sent', 'delivered', 'read', 'played', 'failed', 'cancelled'];

/**
 * The statuses from which `target` is a step forward. Receipts only ever
 * advance a message (a late 'delivered' never overwrites 'read'); a receipt
 * for a message still waiting or being sent proves WhatsApp has it, so it
 * advances those too and saves a needless re-send after a crash.
 */
export function statusesBefore(target: ProgressStatus | 'failed'): OutboundStatus[] {
  if (target === 'failed') return ['queued', 'sending', 'sent'];
  const rank = RANK[target];
  return (Object.keys(RANK) as OutboundStatus[]).filter((s) => RANK[s] >= 0 && RANK[s] < rank);
}

/** The timestamp field a status sets. */
export function timestampField(status: ProgressStatus): 'sent_at' | 'delivered_at' | 'read_at' | 'played_at' {
  return `${status}_at`;
}

/**
 * Retry delay after the attempt-th failed attempt (1-based): exponential
 * from 2 s, capped at 5 min, with ±25 % jitter so retries of many messages
 * do not stampede the engine together.
 */
export function retryDelayMs(attempt: number, random: Random): number {
  const base = Math.min(2000 * 2 ** Math.max(0, attempt - 1), 300_000);
  return Math.round(base * (0.75 + random() * 0.5));
}

export interface PacingPolicy {
  enabled: boolean;
  minIntervalMs: number;
  jitterMs: number;
  typing: boolean;
}

/** The earliest time the next message of an instance may go out after one sent at `sentAt`. */
export function nextSendAllowedAt(policy: PacingPolicy, sentAt: number, random: Random): number {
  if (!policy.enabled) return sentAt;
  return sentAt + policy.minIntervalMs + Math.round(random() * policy.jitterMs);
}

/**
 * How long to show "typing…" before a text: about what a fast typist needs
 * (~25 characters per second), at least 0.8 s and at most 6 s so long texts
 * do not stall the queue.
 */
export function typingDurationMs(policy: PacingPolicy, text: string | null): number {
  if (!policy.enabled || !policy.typing || !text) return 0;
  return Math.min(6000, Math.max(800, Math.round(text.length * 40)));
}

/** WhatsApp's "reach-out timelock": new chats are blocked for a while (see reference/baileys-7.md §10). */
export const REACH_OUT_TIMELOCK = '463';

export function describeSendFailure(code: string | undefined, message: string): string {
  if (code === REACH_OUT_TIMELOCK) {
    return 'WhatsApp temporarily blocks this account from starting new chats (error 463, reach-out timelock); not retried automatically — wait before contacting new numbers';
  }
  return message;
}
