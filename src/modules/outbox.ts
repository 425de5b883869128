/**
 * Outbound: the durable outbox and its dispatchers, bulk jobs, recurring
 * sends, idempotency keys, and the conversation record (inbound messages
 * stored with the bot's replies, which this queue sends).
 */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { TERMINAL, type OutboundStatus } from '../domain/outbox.js';
import type { Random } from '../domain/random.js';
import type { Store } from '../store/port.js';
import { IdempotencyRepo } from '../store/repositories/idempotency.js';
import { InboundMessagesRepo } from '../store/repositories/inbound-messages.js';
import type { InstancesRepo } from '../store/repositories/instances.js';
import { JobsRepo } from '../store/repositories/jobs.js';
import { LidMappingsRepo } from '../store/repositories/lid-mappings.js';
import { OutboxRepo, type OutboxMessageDoc } from '../store/repositories/outbox.js';
import { RecurringRepo } from '../store/repositories/recurring.js';
import type { EngineManager } from '../services/engine-manager.js';
import { intervalWorker, type Worker } from '../services/interval-worker.js';
import { BulkJobsService } from '../services/outbox/bulk-jobs.js';
import { ConversationRecorder } from '../services/outbox/conversation-recorder.js';
import { DispatchPool } from '../services/outbox/dispatch-pool.js';
import { IdempotencyService } from '../services/outbox/idempotency.js';
import { JobProgress } from '../services/outbox/job-progress.js';
import { OutboxOutcomes } from '../services/outbox/outcomes.js';
import type { Observer } from '../services/metrics/observer.js';
import type { OutboxPorts } from '../services/outbox/outbox-ports.js';
import { OutboxService } from '../services/outbox/outbox-service.js';
import { ContentPreparer } from '../services/outbox/preparer.js';
import { RecurringScheduler } from '../services/outbox/recurring-scheduler.js';
import { RecurringService } from '../services/outbox/recurring-service.js';

export interface OutboxModuleDeps {
  config: Config;
  store: Store;
  instancesRepo: InstancesRepo;
  engines: EngineManager;
  /** Media intake, saved contacts and text variation (the media module), and the webhook sink. */
  ports: OutboxPorts;
  clock: () => number;
  random?: Random;
  log: Logger;
  /** Send results, for the metrics. */
  observer?: Observer;
}

/** How long POST /messages waits for the engine before answering 202: under the usual 30 s client timeouts. */
const SEND_WAIT_MS = 20_000;

export async function outboxModule(d: OutboxModuleDeps) {
  const repo = new OutboxRepo(d.store);
  const jobsRepo = new JobsRepo(d.store);
  const recurringRepo = new RecurringRepo(d.store);
  const idempotencyRepo = new IdempotencyRepo(d.store);
  // the inbound index too: the conversation record stores messages with their replies, and it keeps them unique
  await Promise.all([repo.init(), jobsRepo.init(), recurringRepo.init(), idempotencyRepo.init(), new InboundMessagesRepo(d.store).init()]);

  const random = d.random ?? Math.random;
  const sharedStore = d.store.capabilities.sharedAcrossProcesses;
  const { pacing, leaseMs, maxAttempts } = d.config.outbox;
  const progress = new JobProgress(repo, jobsRepo, d.ports.events, d.clock, d.log);
  const outcomes = new OutboxOutcomes(d.ports.events, d.log, (jobId) => progress.touch(jobId), d.observer);
  const pool = new DispatchPool({ repo, engines: d.engines, media: d.ports.media, outcomes, pacing, leaseMs, maxAttempts, sharedStore, clock: d.clock, random, log: d.log });
  const preparer = new ContentPreparer(repo, d.ports);
  const outbox = new OutboxService({ repo, preparer, pool, outcomes, engines: d.engines, clock: d.clock, mediaTtlMs: d.config.media.ttlSeconds * 1000, waitMs: SEND_WAIT_MS, lids: new LidMappingsRepo(d.store) });
  const jobs = new BulkJobsService({ jobs: jobsRepo, engines: d.engines, outboxRepo: repo, outbox, preparer, progress, variator: d.ports.variator, pacingEnabled: pacing.enabled, mediaTtlMs: d.config.media.ttlSeconds * 1000, clock: d.clock });
  const scheduler = new RecurringScheduler(recurringRepo, d.instancesRepo, outbox, preparer, outcomes, sharedStore, d.clock, d.log);
  const recurring = new RecurringService(recurringRepo, preparer, d.clock, () => void scheduler.kick());
  const idempotency = new IdempotencyService(idempotencyRepo, d.clock);
  const conversations = new ConversationRecorder(repo, pool, preparer, outcomes, d.clock, d.log);

  // order matters: leases are recovered (pool) before jobs are re-checked and recurring runs are created
  const workers: Worker[] = [pool, progress, scheduler, intervalWorker('idempotency-key-sweeper', 3600_000, () => idempotency.purgeExpired(), d.log)];

  /** Removes the instance's outbound data when the instance is deleted. */
  async function forgetInstance(instanceId: string): Promise<void> {
    await pool.remove(instanceId);
    await Promise.all([repo.deleteForInstance(instanceId), jobsRepo.deleteForInstance(instanceId), recurringRepo.deleteForInstance(instanceId)]);
    void scheduler.kick();
  }

  /** The message once it is sent, failed or cancelled; or as it stands after `ms` (the test chat shows its replies' fate). */
  async function awaitOutcome(instanceId: string, id: string, ms: number): Promise<OutboxMessageDoc | null> {
    const wait = outcomes.waitFor(id, ms);
    const current = await repo.byId(instanceId, id);
    if (current && TERMINAL.includes(current.status as OutboundStatus)) return current;
    return (await wait) ?? (await repo.byId(instanceId, id));
  }

  return {
    outbox,
    /** Unsent messages by status, across instances (metrics). */
    depth: () => repo.depth(),
    jobs,
    recurring,
    scheduler,
    idempotency,
    /** The conversation record the inbound pipeline writes through. */
    conversations,
    /** Engine connections and receipts go to it. */
    pool,
    outboxRepo: repo,
    workers,
    forgetInstance,
    awaitOutcome,
  };
}

export type OutboxModule = Awaited<ReturnType<typeof outboxModule>>;
