/**
 * Prometheus metrics (prom-client) in a registry of this app's own, so
 * several apps in one process (tests) never share counters. Labels carry
 * route templates, statuses and outcomes only: no instance ids, numbers,
 * names or URLs. Gauges that describe state (outbox depth, engine
 * connections) are read when scraped.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Observer } from './observer.js';

export interface MetricsSources {
  /** Outbound messages waiting, by status (queued, scheduled, sending). */
  outboxDepth(): Promise<Record<string, number>>;
  /** Live engines, by connection status. */
  engineStatuses(): Record<string, number>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5];

export class Metrics implements Observer {
  readonly registry = new Registry();
  private readonly httpRequests = new Counter({ name: 'tucan_http_requests_total', help: 'HTTP requests by route template and status', labelNames: ['method', 'route', 'status'], registers: [this.registry] });
  private readonly httpDuration = new Histogram({ name: 'tucan_http_request_duration_seconds', help: 'HTTP request latency by route template and status', labelNames: ['method', 'route', 'status'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  private readonly inboundMessages = new Counter({ name: 'tucan_inbound_messages_total', help: 'Inbound WhatsApp messages handed to the bot pipeline', registers: [this.registry] });
  // per-message counts stay plain numbers until scraped: no label hashing on the hot path
  private readonly decisionCounts = new Map<string, number>();
  private readonly sendCounts = new Map<string, number>();
  private readonly webhookAttempts = new Counter({ name: 'tucan_webhook_deliveries_total', help: 'Webhook delivery attempts by result (delivered, retry, dead, gone)', labelNames: ['result'], registers: [this.registry] });
  private readonly webhookLatency = new Histogram({ name: 'tucan_webhook_delivery_duration_seconds', help: 'Webhook endpoint answer time by result', labelNames: ['result'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  private readonly storeDuration = new Histogram({ name: 'tucan_store_operation_duration_seconds', help: 'Store operation latency by operation and collection', labelNames: ['operation', 'collection'], buckets: STORE_BUCKETS, registers: [this.registry] });
  private sources: MetricsSources | null = null;

  constructor() {
    // event-loop lag, memory, CPU, handles: prom-client's process metrics, in this registry
    collectDefaultMetrics({ register: this.registry, prefix: 'tucan_', eventLoopMonitoringPrecision: 20 });
    const self = this;
    countedOnScrape(this.registry, 'tucan_decisions_total', 'Bot decisions by outcome (a stop reason, or replied_rule / replied_default)', 'outcome', this.decisionCounts);
    countedOnScrape(this.registry, 'tucan_outbox_send_results_total', 'Outbound messages by final send result', 'result', this.sendCounts);
    new Gauge({
      name: 'tucan_outbox_depth',
      help: 'Outbound messages not sent yet, by status',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        if (!self.sources) return;
        this.reset();
        for (const [status, n] of Object.entries(await self.sources.outboxDepth())) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'tucan_engine_connections',
      help: 'Live WhatsApp engines by connection status',
      labelNames: ['status'],
      registers: [this.registry],
      collect() {
        if (!self.sources) return;
        this.reset();
        for (const [status, n] of Object.entries(self.sources.engineStatuses())) this.set({ status }, n);
      },
    });
  }

  /** Where the state gauges read from, once the modules that hold it exist. */
  readFrom(sources: MetricsSources): void {
    this.sources = sources;
  }

  request(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  /** A timer for one store operation kind on one collection (bound once: the hot path only observes). */
  storeTimer(operation: string, collection: string): (seconds: number) => void {
    const child = this.storeDuration.labels(operation, collection);
    return (seconds) => child.observe(seconds);
  }

  inbound(count: number): void {
    this.inboundMessages.inc(count);
  }

  decision(outcome: string): void {
    this.decisionCounts.set(outcome, (this.decisionCounts.get(outcome) ?? 0) + 1);
  }

  sendResult(result: 'sent' | 'failed' | 'cancelled'): void {
    this.sendCounts.set(result, (this.sendCounts.get(result) ?? 0) + 1);
  }

  webhookAttempt(result: string, seconds: number): void {
    this.webhookAttempts.inc({ result });
    this.webhookLatency.observe({ result }, seconds);
  }

  /** The text exposition and its content type. */
  async scrape(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}

/** A counter whose values are kept in `counts` (bounded words only) and copied in when scraped. */
function countedOnScrape(registry: Registry, name: string, help: string, label: string, counts: Map<string, number>): void {
  new Counter({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      this.reset();
      for (const [value, n] of counts) this.inc({ [label]: value }, n);
    },
  });
}
