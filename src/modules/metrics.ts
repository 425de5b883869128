/**
 * Metrics: a Prometheus registry of this app's own. Built first, so the
 * store can be measured and every later module handed the observer; the
 * state gauges read from the modules once they exist (readFrom).
 */
import { measuredStore } from '../services/metrics/measured-store.js';
import { Metrics } from '../services/metrics/metrics.js';
import type { Store } from '../store/port.js';

export function metricsModule() {
  const metrics = new Metrics();
  return {
    metrics,
    /** The store with every collection operation timed. */
    measure: (store: Store): Store => measuredStore(store, (operation, collection) => metrics.storeTimer(operation, collection)),
  };
}
