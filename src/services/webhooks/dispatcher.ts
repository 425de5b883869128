/**
 * The webhook dispatcher: takes due deliveries from the durable outbox and
 * attempts them.
 *
 * Isolation: each endpoint (subscription) has its own queue and at most
 * `perEndpoint` attempts in flight; all endpoints share a global pool of
 * `maxConcurrency`, handed out round-robin. A slow or dead endpoint can only
 * ever tie up its own few slots, so it never delays other endpoints or
 * instances.
 *
 * Sources of work: submit() stores fresh deliveries already claimed by this
 * process (lease + fencing token in the same insert, see store/lease.ts)
 * and queues them with their body once committed: the low-latency path,
 * with no extra write or read. A poller finds everything else in the store:
 * scheduled retries, deliveries written unclaimed because an endpoint's
 * queue was full, deliveries of a crashed process (expired leases) and
 * redeliveries; those are claimed atomically before each attempt. The
 * store, not memory, is the source of truth, and every outcome is written
 * under the claim's token.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from '../../logger.js';
import type { Random } from '../../domain/random.js';
import { applyLease, DELIVERY_LEASE, fencingToken, newLease, type Lease } from '../../store/lease.js';
import type { DeliveryAttempt, WebhookDeliveriesRepo, WebhookDeliveryDoc } from '../../store/repositories/webhook-deliveries.js';
import type { WebhookEventsRepo } from '../../store/repositories/webhook-events.js';
import type { WebhookSubscriptionDoc } from '../../store/repositories/webhook-subscriptions.js';
import type { SafeHttp } from '../net/safe-http.js';
import type { Observer } from '../metrics/observer.js';
import { isSuccess, judge, type Verdict } from './retry-policy.js';
import { sendAttempt, type SentAttempt } from './sender.js';
import type { WebhookSubscriptions } from './subscriptions.js';
import { WriteCoalescer } from './write-coalescer.js';

export interface DispatcherOptions {
  retryScheduleSeconds: number[];
  perEndpoint: number;
  maxConcurrency: number;
  pollMs: number;
  clock: () => number;
  random: Random;
  log: Logger;
  /** Attempts and their latency, for the metrics. */
  observer?: Observer;
}

/** A delivery to attempt. Fresh ones come claimed and with their body, so the hot path reads nothing back. */
export interface Hint {
  _id: string;
  subscription_id: string;
  lease?: Lease;
  event?: { id: string; body: string };
}

/** A delivery about to be stored, with its subscription and the event's exact body. */
export interface FreshDelivery {
  doc: WebhookDeliveryDoc;
  sub: WebhookSubscriptionDoc;
  event: { id: string; body: string };
}

/** What an attempt needs to know about its delivery. */
export interface Job {
  id: string;
  subscriptionId: string;
  eventId: string;
  body: string;
  roundAttempts: number;
  attemptCount: number;
  test: boolean;
}

interface EndpointQueue {
  hints: Hint[];
  inflight: number;
  /** Hints were dropped because the queue was full; the poller finds those rows once it drains. */
  overflowed: boolean;
}

const MAX_QUEUED_PER_ENDPOINT = 5000;
const POLL_BATCH = 500;
/** A claim outlives the attempt's own timeout by this much before another worker may take it over. */
const LEASE_MARGIN_MS = 10_000;
/** How long attempt outcomes wait to be written together (see WriteCoalescer). */
const OUTCOME_WINDOW_MS = 5;

export function jobOf(d: WebhookDeliveryDoc, body: string): Job {
  return { id: d._id, subscriptionId: d.subscription_id, eventId: d.event_id, body, roundAttempts: d.round_attempts, attemptCount: d.attempts.length, test: d.test };
}

export class WebhookDispatcher {
  private readonly queues = new Map<string, EndpointQueue>();
  /** Delivery ids queued or in flight here, so the poller never queues one twice. */
  private readonly known = new Set<string>();
  private readonly active = new Set<Promise<void>>();
  private inflight = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | null = null;
  private abort = new AbortController();
  private readonly outcomes = new WriteCoalescer(OUTCOME_WINDOW_MS);

  constructor(
    private readonly deliveries: WebhookDeliveriesRepo,
    private readonly events: WebhookEventsRepo,
    private readonly subs: WebhookSubscriptions,
    private readonly http: SafeHttp,
    private readonly options: DispatcherOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    // every attempt in flight listens on it; there may be hundreds
    setMaxListeners(0, this.abort.signal);
    this.timer = setInterval(() => this.poke(), this.options.pollMs);
    this.timer.unref();
    this.poke();
  }

  /** Stops taking work and aborts attempts in flight; their claims stay and are recovered on the next start. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.timer);
    this.abort.abort();
    this.outcomes.flush();
    await this.polling;
    await Promise.allSettled([...this.active]);
    this.outcomes.flush();
    this.queues.clear();
    this.known.clear();
  }

  /**
   * Stores fresh deliveries with `write`, and attempts them. Those this
   * process can take at once (running, the endpoint's queue not full) are
   * written already claimed, and queued with their body once stored; the
   * others are written pending, for the poller. The lease covers a wait in
   * the queue; an attempt renews it first if little is left. `write` runs
   * in the caller's event-loop turn.
   */
  submit(fresh: FreshDelivery[], write: () => Promise<unknown>): Promise<void> {
    const hints: Hint[] = [];
    if (this.running) {
      const now = this.options.clock();
      for (const { doc, sub, event } of fresh) {
        if ((this.queues.get(sub._id)?.hints.length ?? 0) >= MAX_QUEUED_PER_ENDPOINT) continue;
        const lease = newLease(now, 2 * (sub.timeout_ms + LEASE_MARGIN_MS));
        applyLease(doc, DELIVERY_LEASE, lease);
        hints.push({ _id: doc._id, subscription_id: sub._id, lease, event });
      }
    }
    return write().then(() => this.enqueue(hints));
  }

  /** Deliveries that are due now (just published, redelivered or resumed). */
  enqueue(hints: Hint[]): void {
    if (!this.running) return;
    for (const hint of hints) {
      if (this.known.has(hint._id)) continue;
      let queue = this.queues.get(hint.subscription_id);
      if (!queue) {
        queue = { hints: [], inflight: 0, overflowed: false };
        this.queues.set(hint.subscription_id, queue);
      }
      // claimed hints are always taken: their rows wait for no one else until the lease ends
      if (!hint.lease && queue.hints.length >= MAX_QUEUED_PER_ENDPOINT) {
        queue.overflowed = true;
        continue;
      }
      this.known.add(hint._id);
      queue.hints.push(hint);
    }
    this.pump();
  }

  /** Looks for due work in the store now rather than at the next tick. */
  poke(): void {
    if (!this.running || this.polling) return;
    this.polling = this.poll()
      .catch((err) => this.options.log.warn({ err }, 'webhook poll failed'))
      .finally(() => (this.polling = null));
  }

  /** Attempts a delivery this caller has already claimed (test pings), outside the pool. */
  async attemptClaimed(job: Job, fence: string): Promise<void> {
    const sub = this.subs.cache.get(job.subscriptionId);
    if (sub) await (await this.attempt(job, fence, sub))?.recorded;
  }

  private async poll(): Promise<void> {
    const now = this.options.clock();
    // endpoints with queued or saturated work are served from memory; leaving them out keeps one
    // endpoint's backlog from filling every batch and hiding the other endpoints' due retries
    const busy: string[] = [];
    for (const [id, q] of this.queues) if (q.hints.length > 0 || q.inflight >= this.options.perEndpoint) busy.push(id);
    const due = await this.deliveries.due(now, busy, POLL_BATCH);
    const expired = await this.deliveries.expired(now, POLL_BATCH);
    this.enqueue([...due, ...expired]);
  }

  private pump(): void {
    const { perEndpoint, maxConcurrency } = this.options;
    let progressed = true;
    while (this.running && progressed && this.inflight < maxConcurrency) {
      progressed = false;
      for (const [subId, queue] of this.queues) {
        if (this.inflight >= maxConcurrency) break;
        if (queue.inflight >= perEndpoint || queue.hints.length === 0) continue;
        const hint = queue.hints.shift()!;
        queue.inflight++;
        this.inflight++;
        progressed = true;
        // round-robin: this endpoint moves to the back, so the next free slot goes to another one
        this.queues.delete(subId);
        this.queues.set(subId, queue);
        const task = this.run(subId, hint, queue);
        this.active.add(task);
        void task.finally(() => this.active.delete(task));
      }
    }
  }

  private async run(subId: string, hint: Hint, queue: EndpointQueue): Promise<void> {
    let recorded: Promise<void> | null = null;
    try {
      const sub = this.subs.cache.get(subId) ?? (await this.subs.reload(subId));
      if (!sub) {
        // the subscription is gone; its deliveries go with it
        await this.deliveries.removeForSubscription(subId);
        return;
      }
      const taken = await this.take(hint, sub);
      if (taken) recorded = (await this.attempt(taken.job, taken.token, sub))?.recorded ?? null;
    } catch (err) {
      this.options.log.error({ err, delivery_id: hint._id }, 'webhook delivery failed unexpectedly');
    } finally {
      // the endpoint's slot is free as soon as it has answered; recording the outcome does not need it
      queue.inflight--;
      this.inflight--;
      if (queue.inflight === 0 && queue.hints.length === 0 && this.queues.get(subId) === queue) {
        this.queues.delete(subId);
        if (queue.overflowed) this.poke();
      }
      this.pump();
      await recorded?.catch((err) => this.options.log.error({ err, delivery_id: hint._id }, 'could not record a webhook attempt'));
      this.known.delete(hint._id);
    }
  }

  /** The claim (renewed if it is running out, or taken now) and what the attempt needs; null if another worker has it. */
  private async take(hint: Hint, sub: WebhookSubscriptionDoc): Promise<{ job: Job; token: string } | null> {
    const now = this.options.clock();
    const leaseMs = sub.timeout_ms + LEASE_MARGIN_MS;
    if (hint.lease && hint.event) {
      if (hint.lease.until - now < leaseMs && !(await this.deliveries.renew(hint._id, hint.lease.token, now, leaseMs))) return null;
      const job: Job = { id: hint._id, subscriptionId: sub._id, eventId: hint.event.id, body: hint.event.body, roundAttempts: 0, attemptCount: 0, test: false };
      return { job, token: hint.lease.token };
    }
    const fence = fencingToken();
    const claimed = await this.deliveries.claim(hint._id, fence, now, leaseMs);
    if (!claimed) return null;
    const event = await this.events.byId(claimed.event_id);
    if (!event) {
      await this.deliveries.finish(claimed._id, fence, { status: 'dead', last_error: 'the event is past the retention period' }, null, now);
      return null;
    }
    return { job: jobOf(claimed, event.body), token: fence };
  }

  /** Sends one attempt; resolves once the endpoint has answered, with the recording of the outcome under way. */
  private async attempt(job: Job, fence: string, sub: WebhookSubscriptionDoc): Promise<{ recorded: Promise<void> } | null> {
    const now = this.options.clock();
    if (!sub.enabled && !job.test) {
      await this.deliveries.finish(job.id, fence, { status: 'paused' }, null, now);
      return null;
    }
    const result = await sendAttempt(this.http, sub, this.subs.signingSecrets(sub, now), job.eventId, job.body, now, this.abort.signal);
    // shutting down: the claim stays, and the delivery is attempted again after the restart
    if (this.abort.signal.aborted) return null;
    // wrapped: an async function returning a bare promise would wait for it
    return { recorded: this.record(job, fence, sub, result) };
  }

  /** Writes the attempt and the delivery's next state under the claim, then updates the subscription's health. */
  private async record(job: Job, fence: string, sub: WebhookSubscriptionDoc, result: SentAttempt): Promise<void> {
    const at = this.options.clock();
    const verdict: Verdict = job.test
      ? { kind: isSuccess(result.status) ? 'delivered' : 'dead' }
      : judge(result, job.roundAttempts + 1, this.options.retryScheduleSeconds, at, this.options.random);
    // disabled while this attempt was in flight: park it instead of scheduling a retry
    const stillEnabled = this.subs.cache.get(sub._id)?.enabled ?? false;
    const retrying = verdict.kind === 'retry' && stillEnabled;
    this.options.observer?.webhookAttempt(verdict.kind, result.latencyMs / 1000);
    const attempt: DeliveryAttempt = {
      n: job.attemptCount + 1,
      at,
      status_code: result.status,
      latency_ms: result.latencyMs,
      error: result.error,
      next_retry_at: retrying ? (verdict as { at: number }).at : null,
      response: result.response,
    };
    const common = { last_status_code: result.status, last_error: result.error };
    const fields: Partial<WebhookDeliveryDoc> =
      verdict.kind === 'delivered'
        ? { ...common, status: 'delivered', delivered_at: at, run_at: at }
        : verdict.kind === 'retry'
          ? { ...common, status: retrying ? 'pending' : 'paused', run_at: verdict.at }
          : { ...common, status: verdict.kind === 'gone' ? 'paused' : 'dead', run_at: at };
    const owned = await this.outcomes.run(() => this.deliveries.finish(job.id, fence, fields, attempt, at));
    if (!owned) {
      this.options.log.info({ delivery_id: job.id }, 'webhook lease expired during the attempt; a newer claim owns the outcome');
      return;
    }
    if (job.test) return;
    if (verdict.kind === 'delivered') await this.subs.noteSuccess(sub._id);
    else if (verdict.kind === 'gone') {
      const current = this.subs.cache.get(sub._id);
      if (current?.enabled) await this.subs.setEnabled(current, false, 'gone', `${sub.url} answered 410 Gone`);
    } else await this.subs.noteFailure(sub._id, at);
  }
}
