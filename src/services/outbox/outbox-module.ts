/**
 * Builds the outbound side — outbox, dispatchers, bulk jobs, recurring
 * sends, idempotency keys, the bot's reply sender — so the composition root
 * (src/app.ts) wires it with one call.
 */
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { TERMINAL, type OutboundStatus } from '../../domain/outbox.js';
import type { Random } from '../../domain/random.js';
import type { Store } from '../../store/port.js';
import { IdempotencyRepo } from '../../store/repositories/idempotency.js';
import type { InstancesRepo } from '../../store/repositories/instances.js';
import { JobsRepo } from '../../store/repositories/jobs.js';
import { OutboxRepo, type OutboxMessageDoc } from '../../store/repositories/outbox.js';
import { RecurringRepo } from '../../store/repositories/recurring.js';
import type { EngineHub } from '../engine-hub.js';
import type { EngineManager } from '../engine-manager.js';
import { intervalWorker, type Worker } from '../interval-worker.js';
import { BulkJobsService } from './bulk-jobs.js';
import { DispatchPool } from './dispatch-pool.js';
import { IdempotencyService } from './idempotency.js';
import { JobProgress } from './job-progress.js';
import { OutboxOutcomes } from './outcomes.js';
import type { OutboxPorts } from './outbox-ports.js';
import { OutboxService } from './outbox-service.js';
import { ContentPreparer } from './preparer.js';
import { RecurringScheduler } from './recurring-scheduler.js';
import { RecurringService } from './recurring-service.js';
import { OutboxReplySender } from './reply-sender.js';

export interface OutboxModuleDeps {
  config: Config;
  store: Store;
  instancesRepo: InstancesRepo;
  engines: EngineManager;
  hub: EngineHub;
  /** Filled by the composition root; read at use, so ports may be set after this is built. */
  ports: OutboxPorts;
  clock: () => number;
  random?: Random;
  log: Logger;
}

/** How long POST /messages waits for the engine before answering 202: under the usual 30 s client timeouts. */
const SEND_WAIT_MS = 20_000;

export async function createOutboxModule(d: OutboxModuleDeps) {
  const repo = new OutboxRepo(d.store);
  const jobsRepo = new JobsRepo(d.store);
  const recurringRepo = new RecurringRepo(d.store);
  const idempotencyRepo = new IdempotencyRepo(d.store);
  await Promise.all([repo.init(), jobsRepo.init(), recurringRepo.init(), idempotencyRepo.init()]);

  const random = d.random ?? Math.random;
  const { pacing, leaseMs, maxAttempts } = d.config.outbox;
  const outcomes = new OutboxOutcomes(d.ports, d.log);
  const pool = new DispatchPool({ store: d.store, repo, engines: d.engines, hub: d.hub, ports: d.ports, outcomes, pacing, leaseMs, maxAttempts, clock: d.clock, random, log: d.log });
  const preparer = new ContentPreparer(repo, d.ports);
  const outbox = new OutboxService({ repo, preparer, pool, outcomes, engines: d.engines, clock: d.clock, mediaTtlMs: d.config.media.ttlSeconds * 1000, waitMs: SEND_WAIT_MS });
  const progress = new JobProgress(repo, jobsRepo, d.ports, d.clock, d.log);
  outcomes.onJobChange((jobId) => progress.touch(jobId));
  const jobs = new BulkJobsService({ jobs: jobsRepo, outboxRepo: repo, outbox, preparer, progress, ports: d.ports, pacingEnabled: pacing.enabled, mediaTtlMs: d.config.media.ttlSeconds * 1000, clock: d.clock, outcomes });
  const recurring = new RecurringService(recurringRepo, preparer, d.clock);
  const scheduler = new RecurringScheduler(d.store, recurringRepo, d.instancesRepo, outbox, preparer, outcomes, d.clock, d.log);
  recurring.onChange(() => void scheduler.kick());
  const idempotency = new IdempotencyService(idempotencyRepo, d.clock);
  const replySender = new OutboxReplySender(outbox, preparer, outcomes, d.clock, d.log);

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

  return { outbox, jobs, recurring, scheduler, idempotency, replySender, pool, outboxRepo: repo, workers, forgetInstance, awaitOutcome };
}

export type OutboxModule = Awaited<ReturnType<typeof createOutboxModule>>;
