/**
 * Bulk job progress, counted from the job's messages. Changes are coalesced
 * so a 10,000-message job does not produce 10,000 webhook calls: whether a
 * job is done is checked at most once a second (one index probe), while
 * the full count behind a job.progress event — which reads every message
 * of the job — runs at most once a second per thousand messages (capped at
 * 30 s), and always at completion. At start-up, jobs left running are checked
 * again (their last messages may have settled just before a crash) and jobs
 * whose creation was interrupted are cancelled — the API never acknowledged
 * them, so none of their messages may go out.
 */
import type { Logger } from '../../logger.js';
import { PENDING, SENT_OR_LATER } from '../../domain/outbox.js';
import type { JobDoc, JobsRepo } from '../../store/repositories/jobs.js';
import type { OutboxRepo } from '../../store/repositories/outbox.js';
import type { Worker } from '../interval-worker.js';
import { KeyedWaiters } from '../keyed-waiters.js';
import type { EventSink } from '../ports.js';

export interface JobCounts {
  total: number;
  sent: number;
  failed: number;
  cancelled: number;
  pending: number;
}

const COALESCE_MS = 1000;

/** Time between progress events of a running job: bigger jobs are counted less often. */
export function progressIntervalMs(total: number): number {
  return Math.min(30_000, Math.max(COALESCE_MS, total));
}

export class JobProgress implements Worker {
  readonly name = 'bulk-job-progress';
  private readonly dirty = new Set<string>();
  private readonly lastPublished = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private stopped = false;
  private readonly changes = new KeyedWaiters();

  constructor(
    private readonly outbox: OutboxRepo,
    private readonly jobs: JobsRepo,
    private readonly events: EventSink,
    private readonly clock: () => number,
    private readonly log: Logger,
  ) {}

  async counts(job: JobDoc): Promise<JobCounts> {
    const [sent, failed, cancelled, pending] = await Promise.all([
      this.outbox.countByStatus(job._id, SENT_OR_LATER),
      this.outbox.countByStatus(job._id, ['failed']),
      this.outbox.countByStatus(job._id, ['cancelled']),
      this.outbox.countByStatus(job._id, PENDING),
    ]);
    return { total: job.total, sent, failed, cancelled, pending };
  }

  /** A message of the job settled: callers waiting for the job look again, and progress is published shortly. */
  touch(jobId: string): void {
    this.changes.wake(jobId);
    if (this.stopped) return;
    this.dirty.add(jobId);
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flushing = this.flush().finally(() => (this.flushing = null));
      }, COALESCE_MS);
      this.timer.unref();
    }
  }

  /** Resolves at the job's next change, or after `ms`; cancel() resolves it at once. */
  nextChange(jobId: string, ms: number): { done: Promise<void>; cancel: () => void } {
    return this.changes.next(jobId, ms);
  }

  async start(): Promise<void> {
    const now = this.clock();
    for (const job of await this.jobs.withStatus('creating')) {
      await this.outbox.cancelJob(job._id, now, 'the job was interrupted while it was being created');
      await this.jobs.transition(job._id, ['creating'], 'cancelled', now);
      this.log.warn({ job_id: job._id }, 'bulk job interrupted during creation was cancelled');
    }
    for (const job of await this.jobs.withStatus('running')) this.dirty.add(job._id);
    if (this.dirty.size > 0) await this.flush();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
  }

  /** Completes touched jobs with nothing pending and publishes their progress when it is due. */
  async flush(): Promise<void> {
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids) {
      try {
        const job = await this.jobs.byIdAnyInstance(id);
        if (!job || job.status === 'creating') continue;
        const now = this.clock();
        if (job.status === 'running' && !(await this.outbox.jobHasPending(id))) {
          if (await this.jobs.transition(id, ['running'], 'completed', now)) {
            this.lastPublished.delete(id);
            await this.publish(job, 'completed', await this.counts(job));
            continue;
          }
        }
        if (now - (this.lastPublished.get(id) ?? 0) < progressIntervalMs(job.total)) {
          // not yet: look again later (without this, the last change before a quiet spell would go unreported)
          this.touch(id);
          continue;
        }
        this.lastPublished.set(id, now);
        await this.publish(job, job.status === 'completed' ? 'completed' : job.status, await this.counts(job));
      } catch (err) {
        this.log.error({ err, job_id: id }, 'could not update bulk job progress');
      }
    }
  }

  async publish(job: JobDoc, status: 'running' | 'completed' | 'cancelled', counts: JobCounts): Promise<void> {
    const { total, sent, failed, pending } = counts;
    await this.events.publish(job.instance_id, [{ type: 'job.progress', data: { job_id: job._id, status, total, sent, failed, pending } }]);
  }
}
