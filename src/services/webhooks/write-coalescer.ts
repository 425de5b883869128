/**
 * Holds writes for a moment and issues them together, so they share one
 * store transaction (a store with turnCommit commits each event-loop turn's
 * writes at once, and a commit costs far more than the writes in it).
 * Used for recording attempt outcomes: the webhook has already arrived, so a
 * millisecond more before its bookkeeping is durable delays nobody, while at
 * thousands of deliveries per second it turns thousands of commits into
 * hundreds.
 */
export class WriteCoalescer {
  private queue: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly windowMs: number) {}

  run<T>(write: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push(() => void write().then(resolve, reject));
      this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    });
  }

  /** Issues everything queued now (also on shutdown, before the store closes). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const queue = this.queue;
    this.queue = [];
    for (const issue of queue) issue();
  }
}
