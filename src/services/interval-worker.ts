import type { Logger } from '../logger.js';

export interface Worker {
  name: string;
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

/** Runs `task` every `ms` (never overlapping itself); failures are logged and the loop goes on. */
export function intervalWorker(name: string, ms: number, task: () => Promise<unknown>, log: Logger): Worker {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | null = null;
  return {
    name,
    start() {
      timer = setInterval(() => {
        if (running) return;
        running = task()
          .catch((err) => log.warn({ err, worker: name }, 'worker run failed'))
          .finally(() => (running = null));
      }, ms);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
