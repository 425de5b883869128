/**
 * At most `limit` tasks at once, a bounded line of waiters behind them, and
 * a refusal for the rest: password hashing is deliberately slow, so a flood
 * of logins would otherwise queue real ones behind thousands of hashes.
 */
import { TooManyRequestsError } from './errors.js';

export interface GateOptions {
  limit: number;
  /** Waiters beyond the running tasks; one more is refused at once. */
  queue: number;
  /** Seconds a refused caller is told to wait. */
  retryAfterSeconds: number;
  /** What is refused, for the message. */
  what: string;
}

export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: GateOptions) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.options.limit) {
      if (this.waiting.length >= this.options.queue) {
        throw new TooManyRequestsError(this.options.retryAfterSeconds, `too many ${this.options.what} at once; retry in ${this.options.retryAfterSeconds} s`);
      }
      // the finishing task hands its slot over directly
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Running tasks and waiters, for tests and metrics. */
  load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
