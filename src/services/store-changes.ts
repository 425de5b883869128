/**
 * Calls `onChange` when the store reports a write to any of `collections`
 * (by this process or another), when it can (capabilities.changeNotification);
 * otherwise nothing is called and the callers' polls stay the only way to
 * notice other processes' changes. Returns the stop, for the module's close().
 */
import type { Store } from '../store/port.js';

export function onStoreChange(store: Store, collections: string[], onChange: () => void): () => void {
  if (!store.capabilities.changeNotification || !store.watch) return () => undefined;
  const stops = collections.map((collection) => store.watch!(collection, onChange));
  return () => {
    for (const stop of stops) stop();
  };
}

/**
 * Runs `task` now, or, when it is running, once more after it: a burst of
 * calls is one or two runs, never a pile of them. Failures go to `failed`.
 * `settled()` waits for the runs under way (before the store closes).
 */
export function coalesced(task: () => Promise<void>, failed: (err: unknown) => void): { run: () => void; settled: () => Promise<void> } {
  let current: Promise<void> | null = null;
  let again = false;
  const run = (): void => {
    if (current) {
      again = true;
      return;
    }
    current = task()
      .catch(failed)
      .finally(() => {
        current = null;
        if (again) {
          again = false;
          run();
        }
      });
  };
  const settled = async (): Promise<void> => {
    while (current) await current;
  };
  return { run, settled };
}
