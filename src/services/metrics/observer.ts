/**
 * What services report for the metrics, as plain calls: the services know
 * nothing of Prometheus, and a service built without an observer reports
 * to NO_OBSERVER. Every argument is a bounded word (an outcome, a result),
 * never tenant data.
 */

export interface Observer {
  /** Inbound messages handed to the pipeline. */
  inbound(count: number): void;
  /** One decision: the stop reason, or how the bot replied. */
  decision(outcome: string): void;
  /** An outbound message reached a final send result. */
  sendResult(result: 'sent' | 'failed' | 'cancelled'): void;
  /** One webhook delivery attempt and how long the endpoint took. */
  webhookAttempt(result: string, seconds: number): void;
}

export const NO_OBSERVER: Observer = {
  inbound: () => {},
  decision: () => {},
  sendResult: () => {},
  webhookAttempt: () => {},
};
