/**
 * What to do when a Baileys socket closes, as a pure function of the close
 * code and the attempt count. The engine only executes the decision, so every
 * DisconnectReason's handling is testable without a socket or a clock.
 *
 * The table follows the fact sheet (reference/baileys-7.md §3): 515 after a
 * scan reconnects at once; 401 and 411 need a new link; 440 and 403 must not
 * be retried (another session owns the number, or the number is banned);
 * everything else is transient (a network outage, WhatsApp's 408, 428, 500,
 * 503, 405): it backs off with jitter, and past `maxAttempts` keeps retrying
 * every `maxMs`. A link is never given up over an outage: `failed` is only
 * for 403 and 440, which no retry can fix.
 */
import { DisconnectReason } from '@whiskeysockets/baileys';
import type { Random } from '../../domain/random.js';

export interface ReconnectPolicy {
  /** Attempts with growing delays; after them, one attempt every maxMs. */
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

export interface CloseContext {
  /** The Boom status code of `lastDisconnect.error`, or null when the close carried none. */
  code: number | null;
  /** The error message, for the reason shown to the owner. */
  message: string | null;
  /** Consecutive reconnects already made since the last successful open. */
  attempts: number;
  /** Whether the device is linked (creds.registered). */
  registered: boolean;
  /** Whether the closing socket had shown a QR code (it reached WhatsApp and was waiting for a scan). */
  sawQr: boolean;
}

export type CloseDecision =
  | { action: 'reconnect'; delayMs: number; attempt: number; reason: string }
  /** Unlinked: delete the auth state; a new scan is needed. */
  | { action: 'logged_out'; reason: string }
  /** Stop without retrying; `status` says how the owner sees it. */
  | { action: 'stop'; status: 'failed' | 'disconnected'; reason: string };

const NAMES: Record<number, string> = {
  [DisconnectReason.connectionClosed]: 'connection closed',
  [DisconnectReason.connectionLost]: 'connection lost or timed out',
  [DisconnectReason.connectionReplaced]: 'connection replaced',
  [DisconnectReason.loggedOut]: 'logged out',
  [DisconnectReason.badSession]: 'bad session',
  [DisconnectReason.restartRequired]: 'restart required',
  [DisconnectReason.multideviceMismatch]: 'multi-device mismatch',
  [DisconnectReason.forbidden]: 'forbidden',
  [DisconnectReason.unavailableService]: 'service unavailable',
};

export function describeClose(code: number | null, message: string | null): string {
  const name = code === null ? 'closed without a status code' : (NAMES[code] ?? `closed with status ${code}`);
  return code === null ? name : `${name} (${code})${message && !NAMES[code] ? `: ${message}` : ''}`;
}

/** Exponential backoff capped at maxMs, with "equal jitter": half fixed, half random, so many instances don't reconnect in lockstep. */
export function backoffDelay(attempt: number, policy: ReconnectPolicy, random: Random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (exp / 2) * random());
}

export function decideOnClose(ctx: CloseContext, policy: ReconnectPolicy, random: Random): CloseDecision {
  const reason = describeClose(ctx.code, ctx.message);
  const attempt = ctx.attempts + 1;
  switch (ctx.code) {
    case DisconnectReason.loggedOut:
      // includes "conflict device_removed": the phone unlinked this device
      return { action: 'logged_out', reason: 'logged out: the device was unlinked from the phone' };
    case DisconnectReason.multideviceMismatch:
      return { action: 'logged_out', reason: `${reason}: link the device again` };
    case DisconnectReason.connectionReplaced:
      return { action: 'stop', status: 'failed', reason: `${reason}: another WhatsApp Web session took over this number; close it, then connect again` };
    case DisconnectReason.forbidden:
      return { action: 'stop', status: 'failed', reason: `${reason}: WhatsApp refused this number (it may be banned)` };
    case DisconnectReason.restartRequired:
      // normal right after a scan; still counted, so a server that keeps asking is asked again only every maxMs
      if (attempt > policy.maxAttempts) return atTheCap(reason, attempt, policy);
      return { action: 'reconnect', delayMs: 0, attempt, reason };
  }
  if (ctx.sawQr && !ctx.registered && ctx.code === DisconnectReason.timedOut) {
    // the QR codes ran out without a scan: reconnecting would show QR codes to nobody, forever
    return { action: 'stop', status: 'disconnected', reason: 'the QR code expired without a scan; connect again for a new one' };
  }
  if (attempt > policy.maxAttempts) return atTheCap(reason, attempt, policy);
  return { action: 'reconnect', delayMs: backoffDelay(attempt, policy, random), attempt, reason };
}

function atTheCap(reason: string, attempt: number, policy: ReconnectPolicy): CloseDecision {
  return { action: 'reconnect', delayMs: policy.maxMs, attempt, reason: `${reason}; still retrying every ${policy.maxMs >= 1000 ? `${Math.round(policy.maxMs / 1000)} s` : `${policy.maxMs} ms`}` };
}

/** The status code Baileys attached to a close (a Boom's output.statusCode), or null. */
export function closeCode(error: unknown): number | null {
  const output = (error as { output?: { statusCode?: unknown } } | undefined)?.output;
  return typeof output?.statusCode === 'number' ? output.statusCode : null;
}
