/**
 * Paces WhatsApp lookups per instance. WhatsApp bans accounts that fire
 * bulk number checks unpaced, so every lookup of one instance (single and
 * bulk checks, contact info) waits its turn in one queue, with a minimum gap
 * plus jitter between calls, however many requests arrive at once. A cap on
 * queued work keeps requests from waiting minutes: past it the caller gets
 * 429 with a Retry-After.
 *
 * Pacing is per process; an instance's engine lives in exactly one process,
 * so this is pacing per linked phone.
 */
import { ServiceError } from '../errors.js';

export interface PacerOptions {
  /** Minimum gap between two lookups of one instance. */
  intervalMs: number;
  /** Random extra gap, 0..jitterMs, so the rhythm is not machine-regular. */
  jitterMs: number;
  /** Most lookup units (numbers) waiting per instance before new work is refused. */
  maxQueued: number;
}

export interface PacerDeps {
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

interface Lane {
  tail: Promise<void>;
  lastAt: number | null;
  queued: number;
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class LookupPacer {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly options: PacerOptions,
    private readonly deps: PacerDeps,
  ) {}

  /**
   * Reserves `units` (numbers) of queued work for the instance, or refuses
   * with 429 when its queue is full. Call the returned function when the
   * work is done (or failed), so later requests are admitted again.
   */
  admit(instanceId: string, units: number): () => void {
    const lane = this.lane(instanceId);
    if (lane.queued > 0 && lane.queued + units > this.options.maxQueued) {
      const perUnitMs = this.options.intervalMs + this.options.jitterMs / 2;
      const seconds = Math.max(1, Math.ceil((lane.queued * perUnitMs) / 1000));
      throw new ServiceError(429, 'Too many requests', `${lane.queued} WhatsApp lookups are already waiting for this instance (they are paced to avoid a ban); retry in ${seconds} s`, [], {
        'Retry-After': String(seconds),
      });
    }
    lane.queued += units;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      lane.queued -= units;
    };
  }

  /** Runs `call` in the instance's turn: after every earlier call, and at least the paced gap after the previous one. */
  async run<T>(instanceId: string, call: () => Promise<T>): Promise<T> {
    const lane = this.lane(instanceId);
    const previous = lane.tail;
    let release!: () => void;
    lane.tail = new Promise<void>((resolve) => (release = resolve));
    try {
      await previous;
      if (lane.lastAt !== null) {
        const gap = this.options.intervalMs + Math.floor(this.deps.random() * this.options.jitterMs);
        const wait = lane.lastAt + gap - this.deps.clock();
        if (wait > 0) await this.deps.sleep(wait);
      }
      return await call();
    } finally {
      lane.lastAt = this.deps.clock();
      release();
    }
  }

  private lane(instanceId: string): Lane {
    let lane = this.lanes.get(instanceId);
    if (!lane) {
      lane = { tail: Promise.resolve(), lastAt: null, queued: 0 };
      this.lanes.set(instanceId, lane);
    }
    return lane;
  }

  /** Forgets an instance's lane (instance deleted). */
  forget(instanceId: string): void {
    this.lanes.delete(instanceId);
  }
}
