/**
 * Callers waiting for the next change of something (an instance's
 * connection, a bulk job), each until the change or a timeout, whichever
 * comes first. Nothing is kept for a key nobody waits on.
 */
export class KeyedWaiters {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Resolves at the key's next wake(), or after `ms`; cancel() resolves it at once. */
  next(key: string, ms: number): { done: Promise<void>; cancel: () => void } {
    let cancel = () => {};
    const done = new Promise<void>((resolve) => {
      const set = this.waiters.get(key) ?? new Set<() => void>();
      this.waiters.set(key, set);
      const wake = () => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(key) === set) this.waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      cancel = wake;
      set.add(wake);
    });
    return { done, cancel };
  }

  wake(key: string): void {
    for (const wake of [...(this.waiters.get(key) ?? [])]) wake();
  }
}
