/**
 * Schedules: 100,000 messages scheduled for the same second (ten bulk jobs
 * of 10,000 with one schedule_at), then
 * - the CPU the idle server uses while nothing is due (it should sleep on
 *   one timer, not poll), and
 * - how long after that second the last of them is handed to the engine
 *   (target: within 10 s).
 * Embedded store, sandbox engine, pacing off.
 *
 *   npm run bench:schedule
 *   BENCH_MESSAGES=20000 npm run bench:schedule
 */
import type { EngineFactory, EngineKind } from '../src/engines/engine.js';
import { SandboxEngine } from '../src/engines/sandbox/sandbox-engine.js';
import type { SandboxRecord } from '../src/engines/sandbox/sandbox-record.js';
import { startTestServer } from '../src/test-support/test-server.js';

const TOTAL = Number(process.env.BENCH_MESSAGES ?? 100_000);
const JOB_SIZE = 10_000;
const IDLE_WINDOW_MS = 5000;

let handed = 0;
let lastHandedAt = 0;
let firstHandedAt = 0;
const shared: { record: SandboxRecord | null } = { record: null };

/** The sandbox engine, noting when each send is handed over (in memory, so measuring costs nothing). */
function countingSandbox(): Partial<Record<EngineKind, EngineFactory>> {
  return {
    sandbox: (ctx) => {
      const engine = new SandboxEngine({ ...ctx, record: shared.record! });
      const send = engine.send.bind(engine);
      engine.send = (request) => {
        const now = Date.now();
        if (handed === 0) firstHandedAt = now;
        handed++;
        lastHandedAt = now;
        return send(request);
      };
      return engine;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const t = await startTestServer({ app: { engineFactories: countingSandbox() } });
  shared.record = t.app.modules.engines.sandbox;
  try {
    const { token } = await t.owner('bench');
    const instance = await t.sandboxInstance(token);

    // leave room to store everything before the second comes
    const perJobSeconds = 2.5;
    const due = Math.ceil((Date.now() + 11_000 + (TOTAL / JOB_SIZE) * perJobSeconds * 1000 + IDLE_WINDOW_MS) / 1000) * 1000;
    const scheduleAt = new Date(due).toISOString();
    const storing = performance.now();
    for (let offset = 0; offset < TOTAL; offset += JOB_SIZE) {
      const recipients = Array.from({ length: Math.min(JOB_SIZE, TOTAL - offset) }, (_, i) => `57300${String(offset + i).padStart(7, '0')}`);
      const res = await t.request('POST', `/v1/instances/${instance.id}/messages/bulk`, { token, json: { recipients, content: { text: 'Scheduled hello' }, schedule_at: scheduleAt } });
      if (res.status !== 202) throw new Error(`bulk failed: ${res.status} ${res.text}`);
    }
    console.log(`stored ${TOTAL.toLocaleString('en')} messages scheduled for ${scheduleAt} in ${((performance.now() - storing) / 1000).toFixed(1)} s`);
    if (Date.now() + IDLE_WINDOW_MS + 1000 > due) throw new Error('storing took longer than planned; raise perJobSeconds');

    // idle: nothing due until `due` (after a moment for the garbage of storing to be collected)
    await sleep(2000);
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    await sleep(IDLE_WINDOW_MS);
    const cpu = process.cpuUsage(cpu0);
    const idleMs = (cpu.user + cpu.system) / 1000;
    console.log(`idle:   ${idleMs.toFixed(1)} ms CPU in ${((performance.now() - wall0) / 1000).toFixed(1)} s with nothing due (${((100 * idleMs) / (performance.now() - wall0)).toFixed(2)} % of one core), ${handed} sent early`);

    const cpuDue = process.cpuUsage();
    while (handed < TOTAL) {
      if (Date.now() > due + 120_000) throw new Error(`only ${handed} of ${TOTAL} handed over two minutes after the due second`);
      await sleep(20);
    }
    console.log(`due:    first handed to the engine ${firstHandedAt - due} ms after the due second, all ${TOTAL.toLocaleString('en')} after ${((lastHandedAt - due) / 1000).toFixed(2)} s (target: within 10 s)`);
    const busy = process.cpuUsage(cpuDue);
    const cpuSeconds = (busy.user + busy.system) / 1e6;
    console.log(`        → ${Math.round(TOTAL / ((lastHandedAt - firstHandedAt) / 1000)).toLocaleString('en')} messages/s handed over; ${cpuSeconds.toFixed(2)} s of CPU (${((cpuSeconds * 1e6) / TOTAL).toFixed(0)} µs per message)`);
  } finally {
    await t.close({ cleanup: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
