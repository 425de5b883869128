/**
 * Bulk sends: one template, many recipients. Every recipient is validated
 * before anything is stored (one bad number rejects the request, naming it),
 * media is taken in once and shared, and each copy is personalised
 * ([name], [phone], custom variables) and optionally varied
 * (aiModifications) with a seed derived from the job and the recipient, so a
 * copy is reproducible. All copies are persisted with the job before the
 * answer; the dispatcher then sends them with the instance's pacing plus
 * the job's own delay between messages.
 */
import { fillPlaceholders, mapMainText, missingVariables, recipientValues } from '../../domain/bulk.js';
import { contentToJson, type Content, type MediaInput, type StoredMedia } from '../../domain/content.js';
import { seededRandom, seedFrom } from '../../domain/random.js';
import { parseRecipient, type CodePhone, type Recipient } from '../../domain/recipient.js';
import { parseScheduleAt } from '../../domain/schedule-at.js';
import { newId } from '../../store/port.js';
import type { InstanceDoc } from '../../store/repositories/instances.js';
import type { JobDoc, JobsRepo } from '../../store/repositories/jobs.js';
import type { OutboxMessageDoc, OutboxRepo } from '../../store/repositories/outbox.js';
import { ConflictError, NotFoundError, ValidationError, type FieldProblem } from '../errors.js';
import type { TextVariationOptions, TextVariator } from '../ports.js';
import { connectedEngine } from '../contacts/engine-access.js';
import type { EngineManager } from '../engine-manager.js';
import type { JobCounts, JobProgress } from './job-progress.js';
import { newOutboxDoc, type OutboxService } from './outbox-service.js';
import type { ContentPreparer } from './preparer.js';

export const MAX_BULK_RECIPIENTS = 10_000;

export type BulkRecipientInput = string | CodePhone | { to: string | CodePhone; name?: string; variables?: Record<string, string> };

export interface BulkInput {
  recipients: BulkRecipientInput[];
  content: Content<MediaInput>;
  delay_ms: number;
  ai_modifications?: TextVariationOptions;
  /** Fixes the variation of every copy (tests, reproducible campaigns); defaults to the job id. */
  variation_seed?: number;
  schedule_at?: string;
}

export interface BulkDeps {
  jobs: JobsRepo;
  engines: EngineManager;
  outboxRepo: OutboxRepo;
  outbox: OutboxService;
  preparer: ContentPreparer;
  progress: JobProgress;
  variator: TextVariator;
  pacingEnabled: boolean;
  /** Stored media expires after this long unless retained. */
  mediaTtlMs: number;
  clock: () => number;
}

/** waitUntilSettled re-reads the job this often even without a change notice (messages settled by another process, cancellations). */
const SETTLE_RECHECK_MS = 1000;

interface ParsedRecipient {
  index: number;
  recipient: Recipient;
  name: string | null;
  variables: Record<string, string>;
}

export class BulkJobsService {
  constructor(private readonly d: BulkDeps) {}

  async create(instance: InstanceDoc, input: BulkInput, jobId: string = newId()): Promise<{ job: JobDoc; counts: JobCounts; warnings: string[] }> {
    const now = this.d.clock();
    const warnings: string[] = [];
    const recipients = this.recipients(input.recipients, warnings);
    const missing = missingVariables(input.content, recipients.map((r) => ({ variables: r.variables })));
    if (missing.length > 0) {
      throw ValidationError.many(missing.slice(0, 20).map(([i, v]) => ({ field: `body.recipients.${recipients[i].index}.variables.${v}`, message: `is used as [${v}] in the content but missing for this recipient` })));
    }
    if (input.content.reply_to) throw new ValidationError('body.content.reply_to', 'a quoted reply belongs to one chat and is not available for bulk sends');
    let scheduleAt: number | null = null;
    if (input.schedule_at !== undefined) {
      const parsed = parseScheduleAt(input.schedule_at, now);
      if (!parsed.ok) throw new ValidationError('body.schedule_at', parsed.reason);
      scheduleAt = parsed.at;
    }
    const variation = input.ai_modifications && Object.values(input.ai_modifications).some(Boolean) ? input.ai_modifications : null;
    const template = await this.d.preparer.prepare(instance._id, input.content, 'body.content');

    const seed = String(input.variation_seed ?? jobId);
    const start = scheduleAt ?? now;
    const last = start + (recipients.length - 1) * input.delay_ms;
    await this.d.preparer.keepMedia(instance._id, template, last, now + this.d.mediaTtlMs, scheduleAt !== null ? 'body.schedule_at' : 'body.delay_ms');
    const docs: OutboxMessageDoc[] = recipients.map((r, i) => {
      let content: Content<StoredMedia> = template;
      if (variation) content = mapMainText(content, (text) => this.d.variator.vary(text, variation, seededRandom(seedFrom(`${seed}:${r.recipient.jid}`))));
      content = fillPlaceholders(content, recipientValues({ name: r.name, phone: r.recipient.phone, variables: r.variables }));
      return newOutboxDoc({
        instanceId: instance._id,
        recipient: r.recipient,
        content,
        quoted: null,
        source: 'bulk',
        now,
        scheduleAt,
        dispatchAt: start + i * input.delay_ms,
        extra: { job_id: jobId },
      });
    });

    const job: JobDoc = {
      _id: jobId,
      instance_id: instance._id,
      owner_id: instance.owner_id,
      status: 'creating',
      total: docs.length,
      content: contentToJson(template),
      delay_ms: input.delay_ms,
      ai_modifications: variation,
      schedule_at: scheduleAt,
      created_at: now,
      updated_at: now,
      completed_at: null,
      cancelled_at: null,
    };
    await this.d.jobs.insert(job);
    await this.d.outbox.enqueue(docs);
    const running = (await this.d.jobs.transition(jobId, ['creating'], 'running', this.d.clock())) ?? job;
    if (!this.d.pacingEnabled) warnings.push('pacing is disabled on this server: messages go out back to back, which WhatsApp may treat as spam');
    warnings.push('WhatsApp bans accounts that send unsolicited bulk messages; send only to people who expect to hear from you');
    return { job: running, counts: { total: docs.length, sent: 0, failed: 0, cancelled: 0, pending: docs.length }, warnings };
  }

  private recipients(inputs: BulkRecipientInput[], warnings: string[]): ParsedRecipient[] {
    const problems: FieldProblem[] = [];
    const seen = new Set<string>();
    const out: ParsedRecipient[] = [];
    let duplicates = 0;
    inputs.forEach((input, index) => {
      const bare = typeof input === 'string' || !('to' in input);
      const entry = bare ? { to: input, name: undefined, variables: undefined } : input;
      const parsed = parseRecipient(entry.to);
      if (!parsed.ok) {
        problems.push({ field: `body.recipients.${index}${bare ? '' : '.to'}`, message: parsed.reason });
        return;
      }
      if (seen.has(parsed.recipient.jid)) {
        duplicates++;
        return;
      }
      seen.add(parsed.recipient.jid);
      out.push({ index, recipient: parsed.recipient, name: entry.name ?? null, variables: entry.variables ?? {} });
    });
    if (problems.length > 0) throw ValidationError.many(problems.slice(0, 50));
    if (duplicates > 0) warnings.push(`${duplicates} duplicate recipient(s) skipped: each number receives one copy`);
    return out;
  }

  async get(instance: InstanceDoc, jobId: string, page: number, limit: number) {
    const job = await this.d.jobs.byId(instance._id, jobId);
    if (!job) throw new NotFoundError('job');
    const [counts, results] = await Promise.all([this.d.progress.counts(job), this.d.outboxRepo.jobMessages(jobId, page, limit)]);
    return { job, counts, results };
  }

  /**
   * Waits until no message of the job is pending any more (all sent, failed
   * or cancelled), up to `ms`. Resolves true when settled, false when the
   * time ran out — the job keeps running either way. For APIs whose callers
   * expect the answer to a bulk send to carry its results (seed 001).
   */
  async waitUntilSettled(instance: InstanceDoc, jobId: string, ms: number): Promise<boolean> {
    if (!(await this.d.jobs.byId(instance._id, jobId))) throw new NotFoundError('job');
    const deadline = Date.now() + ms;
    for (;;) {
      // subscribed before the check, so a message settling in between still wakes us
      const change = this.d.progress.nextChange(jobId, Math.min(SETTLE_RECHECK_MS, deadline - Date.now()));
      if (!(await this.d.outboxRepo.jobHasPending(jobId))) {
        change.cancel();
        return true;
      }
      if (Date.now() >= deadline) {
        change.cancel();
        return false;
      }
      await change.done;
    }
  }

  /**
   * A bulk send answered with its results (seed 001's send-bulk): refused
   * with 503 unless WhatsApp is connected now (a job would otherwise wait
   * for the connection), then created and waited for up to `waitMs`. The
   * job keeps running after that; `completed` says whether it was done.
   */
  async sendAndWait(instance: InstanceDoc, input: BulkInput, waitMs: number) {
    connectedEngine(this.d.engines, instance);
    const { job, warnings } = await this.create(instance, input);
    const completed = await this.waitUntilSettled(instance, job._id, waitMs);
    const { counts, results } = await this.get(instance, job._id, 1, job.total);
    return { job, completed, counts, results, warnings };
  }

  /** The job with this id, if the request created one (idempotent replays after a crash). */
  find(instance: InstanceDoc, jobId: string): Promise<JobDoc | null> {
    return this.d.jobs.byId(instance._id, jobId);
  }

  async list(instance: InstanceDoc, page: number, limit: number) {
    const [jobs, total] = await Promise.all([this.d.jobs.list(instance._id, page, limit), this.d.jobs.count(instance._id)]);
    return { jobs: await Promise.all(jobs.map(async (job) => ({ job, counts: await this.d.progress.counts(job) }))), total };
  }

  /** Cancels every message of the job not yet handed to the engine; those already sent stay sent. */
  async cancel(instance: InstanceDoc, jobId: string): Promise<{ job: JobDoc; counts: JobCounts }> {
    const job = await this.d.jobs.byId(instance._id, jobId);
    if (!job) throw new NotFoundError('job');
    if (job.status === 'completed') throw new ConflictError('the job has already completed; nothing is left to cancel', 'params.jobId');
    const now = this.d.clock();
    const cancelled = (await this.d.jobs.transition(jobId, ['running', 'creating'], 'cancelled', now)) ?? job;
    await this.d.outboxRepo.cancelJob(jobId, now, 'the bulk job was cancelled');
    const counts = await this.d.progress.counts(cancelled);
    await this.d.progress.publish(cancelled, 'cancelled', counts);
    return { job: cancelled, counts };
  }
}
