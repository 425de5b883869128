/**
 * Webhook events a message still owes long after it was stored: its node
 * died between storing it and publishing them, and no redelivery came to
 * publish them (WhatsApp had its acknowledgement). The node running the
 * instance publishes them; a receiver may then see an event twice, never
 * zero times. Only stores without turn commit keep owed events.
 */
import type { Logger } from '../logger.js';
import type { InboundPipeline } from './inbound-pipeline.js';
import { intervalWorker, type Worker } from './interval-worker.js';
import type { ConversationRecord } from './ports.js';

/** Owed for this long, the node that stored it is taken for dead (a live one publishes within milliseconds). */
const OWED_FOR_MS = 30_000;
const BATCH = 100;

export function owedEventsWorker(record: ConversationRecord, pipeline: InboundPipeline, runsHere: (instanceId: string) => boolean, clock: () => number, log: Logger, everyMs = 10_000): Worker & { runOnce(): Promise<number> } {
  async function runOnce(): Promise<number> {
    const owed = (await record.owing(clock() - OWED_FOR_MS, BATCH)).filter((m) => runsHere(m.instanceId));
    for (const m of owed) await pipeline.publishOwed(m.instanceId, m.waMessageId);
    if (owed.length > 0) log.info({ messages: owed.length }, 'published webhook events that messages stored by a node that died still owed');
    return owed.length;
  }
  return { ...intervalWorker('owed-webhook-events', everyMs, runOnce, log), runOnce };
}
