/**
 * Fires recurring sends. One timer, set to the earliest next_run_at (an
 * indexed lookup), so nothing runs while nothing is due.
 *
 * Each run creates one outbox message keyed by (recurring id, occurrence)
 * under a unique index before the send advances, so a crash between the two
 * cannot produce a second copy of that occurrence. After downtime, missed
 * occurrences collapse into one catch-up message: ten reminders at once
 * would help nobody.
 */
import type { Logger } from '../../logger.js';
import { withMedia, type Content, type StoredMedia } from '../../domain/content.js';
import { nextOccurrence } from '../../domain/recurrence.js';
import { DuplicateKeyError, newId } from '../../store/port.js';
import type { InstancesRepo } from '../../store/repositories/instances.js';
import type { OutboxMessageDoc } from '../../store/repositories/outbox.js';
import type { RecurringDoc, RecurringRepo } from '../../store/repositories/recurring.js';
import { ServiceError } from '../errors.js';
import type { Worker } from '../interval-worker.js';
import type { OutboxOutcomes } from './outcomes.js';
import { newOutboxDoc, type OutboxService } from './outbox-service.js';
import type { ContentPreparer } from './preparer.js';
import { botZone } from './recurring-service.js';

const MAX_SLEEP_MS = 3600_000;
const BATCH = 100;

export class RecurringScheduler implements Worker {
  readonly name = 'recurring-sends';
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(
    private readonly repo: RecurringRepo,
    private readonly instances: InstancesRepo,
    private readonly outbox: OutboxService,
    private readonly preparer: ContentPreparer,
    private readonly outcomes: OutboxOutcomes,
    /** Other processes share the store and may add sends without waking this one. */
    private readonly sharedStore: boolean,
    private readonly clock: () => number,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    void this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Runs what is due and re-arms the timer (also called when sends change); resolves when that run is done. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      // `running` is replaced by the follow-up run before this callback runs
      return this.running.then(() => this.running ?? undefined);
    }
    this.running = this.tick().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        void this.kick();
      }
    });
    return this.running;
  }

  private async tick(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      // bounded: a send whose advance keeps failing must not spin this loop
      for (let round = 0; round < 100; round++) {
        const due = await this.repo.due(this.clock(), BATCH);
        for (const doc of due) await this.runOne(doc);
        if (due.length < BATCH) break;
      }
      const next = await this.repo.nextDue();
      // a shared store may get sends from other processes: look again at least every minute
      const cap = this.sharedStore ? 60_000 : MAX_SLEEP_MS;
      const wait = next === null ? cap : Math.min(Math.max(0, next - this.clock()), cap);
      if (!this.stopped) {
        this.timer = setTimeout(() => void this.kick(), wait);
        this.timer.unref();
      }
    } catch (err) {
      this.log.error({ err }, 'recurring scheduler failed; retrying in 5 s');
      if (!this.stopped) {
        this.timer = setTimeout(() => void this.kick(), 5000);
        this.timer.unref();
      }
    }
  }

  private async runOne(doc: RecurringDoc): Promise<void> {
    const occurrence = doc.next_run_at!;
    const instance = await this.instances.byId(doc.instance_id);
    if (!instance) {
      await this.repo.remove(doc.instance_id, doc._id);
      return;
    }
    const now = this.clock();
    const message = await this.buildMessage(doc, occurrence, now);
    let created: OutboxMessageDoc | null = message;
    try {
      await this.outbox.enqueue([message]);
    } catch (err) {
      if (!(err instanceof DuplicateKeyError)) throw err;
      created = null; // this occurrence was already created before a crash
    }
    const next = nextOccurrence(doc.cron, botZone(instance), Math.max(now, occurrence));
    await this.repo.advance(doc._id, occurrence, next, created?._id ?? null, now);
    if (created?.status === 'failed') this.outcomes.failed(created);
  }

  /** The occurrence's message; when its media cannot be fetched, a visibly failed one. */
  private async buildMessage(doc: RecurringDoc, occurrence: number, now: number): Promise<OutboxMessageDoc> {
    const base = {
      id: newId(),
      instanceId: doc.instance_id,
      recipient: { jid: doc.chat_jid, phone: doc.phone },
      quoted: null,
      source: 'recurring' as const,
      now,
      extra: { recurring_id: doc._id, occurrence },
    };
    try {
      const content = await this.preparer.prepare(doc.instance_id, doc.content, 'content');
      return newOutboxDoc({ ...base, content });
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      const failed = newOutboxDoc({ ...base, content: withMedia(doc.content, null) as Content<StoredMedia> });
      delete failed.dispatch_at;
      return { ...failed, status: 'failed', error: `this run could not be prepared: ${err.message}`, error_code: 'unsendable' };
    }
  }
}
