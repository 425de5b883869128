/**
 * Outbox throughput, end to end on the embedded store: messages accepted
 * through the HTTP API (bulk jobs, then single sends), persisted, claimed,
 * handed to the sandbox engine, recorded by it, marked sent and advanced by
 * its delivery receipts. Pacing is off (with pacing on, throughput is one
 * message per interval by design).
 *
 *   npm run bench:outbox                 # 50,000 messages through bulk jobs + 2,000 single sends
 *   BENCH_MESSAGES=100000 npm run bench:outbox
 */
import type { EngineFactory, EngineKind } from '../src/engines/engine.js';
import { SandboxEngine } from '../src/engines/sandbox/sandbox-engine.js';
import type { SandboxRecord } from '../src/engines/sandbox/sandbox-record.js';
import { startTestServer } from '../src/test-support/test-server.js';

const TOTAL = Number(process.env.BENCH_MESSAGES ?? 50_000);
const SINGLE = Number(process.env.BENCH_SINGLE ?? 2000);
const JOB_SIZE = 10_000;

function phone(i: number): string {
  return `57300${String(i).padStart(7, '0')}`;
}

/** Counts sends handed to the sandbox engine in memory, so measuring does not load the store. */
let handed = 0;
function countingSandbox(): Partial<Record<EngineKind, EngineFactory>> {
  return {
    sandbox: (ctx) => {
      const engine = new SandboxEngine({ ...ctx, record: shared.record! });
      const send = engine.send.bind(engine);
      engine.send = async (request) => {
        const result = await send(request);
        handed++;
        return result;
      };
      return engine;
    },
  };
}
const shared: { record: SandboxRecord | null } = { record: null };

async function waitForCount(target: number): Promise<void> {
  while (handed < target) await new Promise((r) => setTimeout(r, 5));
}

async function main(): Promise<void> {
  const t = await startTestServer({ app: { engineFactories: countingSandbox() } });
  shared.record = t.app.modules.engines.sandbox;
  try {
    const { token } = await t.owner('bench');
    const instance = await t.sandboxInstance(token);

    // --- bulk: enqueue through the API, dispatch to the sandbox ---
    const started = performance.now();
    let enqueued = 0;
    for (let offset = 0; offset < TOTAL; offset += JOB_SIZE) {
      const recipients = Array.from({ length: Math.min(JOB_SIZE, TOTAL - offset) }, (_, i) => ({ to: phone(offset + i), name: `Customer ${offset + i}` }));
      const res = await t.request('POST', `/v1/instances/${instance.id}/messages/bulk`, { token, json: { recipients, content: { text: 'Hello [name], your order is ready.' } } });
      if (res.status !== 202) throw new Error(`bulk failed: ${res.status} ${res.text}`);
      enqueued += recipients.length;
    }
    const enqueuedAt = performance.now();
    await waitForCount(TOTAL);
    const done = performance.now();
    const seconds = (done - started) / 1000;
    console.log(`bulk:   ${TOTAL} messages enqueued in ${((enqueuedAt - started) / 1000).toFixed(2)} s, all handed to the engine after ${seconds.toFixed(2)} s`);
    console.log(`        → ${Math.round(TOTAL / seconds).toLocaleString('en')} messages/s end to end`);

    // --- single sends: one POST per message, each waiting for the engine's answer ---
    const before = handed;
    const singleStart = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < SINGLE) {
        const i = next++;
        const res = await t.request('POST', `/v1/instances/${instance.id}/messages`, { token, json: { to: phone(900_000 + i), text: `single ${i}` } });
        if (res.status !== 201) throw new Error(`send failed: ${res.status} ${res.text}`);
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
    const singleSeconds = (performance.now() - singleStart) / 1000;
    const after = handed;
    console.log(`single: ${after - before} POST /messages (64 concurrent clients, each answered 201 after the engine accepted) in ${singleSeconds.toFixed(2)} s`);
    console.log(`        → ${Math.round(SINGLE / singleSeconds).toLocaleString('en')} messages/s`);
    void enqueued;
  } finally {
    await t.close({ cleanup: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
