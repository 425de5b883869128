/**
 * npm run bench:cluster -- [--instances 30] [--messages 3000] [--concurrency 32] [--failovers 3] [--json]
 *
 * Several tucan nodes (child processes running src/main.ts) on one
 * PostgreSQL schema (TUCAN_TEST_POSTGRES_URL, else the local server), each
 * part on a fresh schema, dropped after:
 *
 * (a) failover: 3 nodes (lease 10 s, renew 1 s: the defaults), N sandbox
 *     instances spread evenly; SIGKILL the node running the most, and time
 *     until every instance is connected on a live node, as each new owner
 *     reports it (polled every 100 ms). Repeated --failovers times: after
 *     each kill a fresh node joins and the spread evens out again.
 * (b) pipeline throughput: M messages injected through the sandbox route
 *     (POST /v1/instances/{id}/sandbox/messages: stored, decided, the reply
 *     sent through the outbox and the sandbox engine before the answer), a
 *     different sender each, round robin over the N instances, with bounded
 *     concurrency; messages/s from the first request to the last answer.
 *     With 1 node, and with 3 nodes: each message to a random node (two in
 *     three are carried to the owner), and to the owner directly.
 *
 * Pacing is off (TUCAN_PACING_ENABLED=false), as in bench:outbox.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { postgresUrl } from '../src/test-support/store-backends.js';
import { TestCluster } from '../src/test-support/cluster/test-cluster.js';

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '30' },
    messages: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '32' },
    failovers: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
const INSTANCES = Number(values.instances);
const MESSAGES = Number(values.messages);
const CONCURRENCY = Number(values.concurrency);
const FAILOVERS = Number(values.failovers);
for (const [name, v] of Object.entries({ instances: INSTANCES, messages: MESSAGES, concurrency: CONCURRENCY, failovers: FAILOVERS })) {
  if (!Number.isInteger(v) || v < (name === 'failovers' ? 0 : 1)) {
    console.error(`--${name} must be a ${name === 'failovers' ? 'non-negative' : 'positive'} integer`);
    process.exit(2);
  }
}
const log = (line: string) => {
  if (!values.json) console.log(line);
};

const pg = postgresUrl();
if (!pg.ok) {
  console.error(`bench:cluster needs PostgreSQL: ${pg.reason} (set TUCAN_TEST_POSTGRES_URL)`);
  process.exit(1);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until every instance is connected and no node runs more than one instance more than another. */
async function evenSpread(cluster: TestCluster, token: string, ids: string[], timeoutMs = 90_000): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const owners = await cluster.allConnected(token, ids, { timeoutMs: 30_000 });
    const spread = TestCluster.spread(owners);
    const counts = cluster.answering().map((n) => spread[n.id] ?? 0);
    if (Math.max(...counts) - Math.min(...counts) <= 1) return spread;
    if (Date.now() > deadline) throw new Error(`no even spread after ${timeoutMs} ms: ${JSON.stringify(spread)}`);
    await sleep(500);
  }
}

interface FailoverRun {
  killed: string;
  moved: number;
  ms: number;
  spreadBefore: Record<string, number>;
  spreadAfter: Record<string, number>;
}

async function failover(): Promise<FailoverRun[]> {
  const cluster = await TestCluster.start({ pgUrl: pg.ok ? pg.url : '', nodes: 3, name: 'bench_failover' });
  const runs: FailoverRun[] = [];
  try {
    const token = await cluster.owner();
    const ids = await cluster.sandboxInstances(token, INSTANCES, () => ({}), { concurrency: 8 });
    for (let run = 0; run < FAILOVERS; run++) {
      if (run > 0) await cluster.addNode();
      const spreadBefore = await evenSpread(cluster, token, ids);
      const [killed, moved] = Object.entries(spreadBefore).sort(([, a], [, b]) => b - a)[0];
      cluster.kill(killed);
      const killedAt = performance.now();
      const owners = await cluster.allConnected(token, ids, { timeoutMs: 60_000, everyMs: 100 });
      const ms = Math.round(performance.now() - killedAt);
      const spreadAfter = TestCluster.spread(owners);
      runs.push({ killed, moved, ms, spreadBefore, spreadAfter });
      log(`  failover ${run + 1}: killed ${killed} (${moved} instances of ${JSON.stringify(spreadBefore)}); all connected on live nodes after ${ms} ms: ${JSON.stringify(spreadAfter)}`);
    }
  } catch (err) {
    console.error(cluster.clusterLog());
    console.error(cluster.problems());
    throw err;
  } finally {
    await cluster.close();
  }
  return runs;
}

interface ThroughputRun {
  nodes: number;
  routing: 'random node' | 'owner node';
  messages: number;
  seconds: number;
  perSecond: number;
  forwarded: number;
  p50ms: number;
  p99ms: number;
}

/** Injects `count` messages, `CONCURRENCY` at a time; each to a random node, or to the instance's owner. */
async function inject(cluster: TestCluster, token: string, ids: string[], count: number, first: number, routing: ThroughputRun['routing']) {
  const owners = routing === 'owner node' ? await cluster.owners(token, ids) : null;
  const latencies: number[] = [];
  let forwarded = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < count; i = next++) {
        const instance = ids[i % ids.length];
        const t = performance.now();
        const res = await cluster.retrying('POST', `/v1/instances/${instance}/sandbox/messages`, {
          token,
          node: owners?.get(instance)?.node ?? undefined,
          json: { id: `B${String(first + i).padStart(12, '0')}`, from: `5917${String(1_000_000 + first + i)}`, text: i % 2 === 0 ? 'precio por favor' : 'hola, una consulta' },
        });
        if (res.status !== 201) throw new Error(`sandbox message: ${res.status} ${res.text}`);
        latencies.push(performance.now() - t);
        if (res.headers.get('x-tucan-node')) forwarded++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { seconds, forwarded, p50ms: Math.round(latencies[Math.floor(latencies.length * 0.5)]), p99ms: Math.round(latencies[Math.floor(latencies.length * 0.99)]) };
}

async function throughput(nodes: number, routings: ThroughputRun['routing'][]): Promise<ThroughputRun[]> {
  const cluster = await TestCluster.start({ pgUrl: pg.ok ? pg.url : '', nodes, name: `bench_pipe${nodes}` });
  const out: ThroughputRun[] = [];
  try {
    const token = await cluster.owner();
    const ids = await cluster.sandboxInstances(token, INSTANCES, (n) => ({ name: `bench ${n}` }), { concurrency: 8 });
    for (const id of ids) {
      const rule = await cluster.retrying('POST', `/v1/instances/${id}/rules`, { token, json: { name: 'Prices', keywords: ['precio'], reply: { text: 'Our prices' } } });
      if (rule.status !== 201) throw new Error(`rule: ${rule.status} ${rule.text}`);
    }
    await evenSpread(cluster, token, ids);
    let first = 0;
    // warm-up: JIT, caches, connection pools
    await inject(cluster, token, ids, Math.min(300, MESSAGES), first, 'random node');
    first += 1_000_000;
    for (const routing of routings) {
      const r = await inject(cluster, token, ids, MESSAGES, first, routing);
      first += 1_000_000;
      const run: ThroughputRun = { nodes, routing, messages: MESSAGES, seconds: Number(r.seconds.toFixed(2)), perSecond: Math.round(MESSAGES / r.seconds), forwarded: r.forwarded, p50ms: r.p50ms, p99ms: r.p99ms };
      out.push(run);
      log(`  ${nodes} node${nodes > 1 ? 's' : ''}, ${routing}: ${MESSAGES} messages in ${run.seconds} s = ${run.perSecond}/s (${r.forwarded} carried to the owner; latency p50 ${r.p50ms} ms, p99 ${r.p99ms} ms)`);
    }
    // every message answered once: the sandbox phones got one reply per sender
    const sent = (await Promise.all(ids.map((id) => cluster.sandboxSent(id)))).reduce((n, list) => n + list.length, 0);
    const expected = Math.min(300, MESSAGES) + routings.length * MESSAGES;
    if (sent !== expected) throw new Error(`the sandbox phones got ${sent} replies, expected ${expected}`);
  } finally {
    await cluster.close();
  }
  return out;
}

log(`bench:cluster on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), PostgreSQL at ${new URL(pg.url).host}; ${INSTANCES} sandbox instances, ${MESSAGES} messages, concurrency ${CONCURRENCY}`);
log(`(a) failover, 3 nodes, lease 10 s, renew 1 s (the defaults):`);
const failovers = FAILOVERS > 0 ? await failover() : [];
log(`(b) pipeline through the sandbox route:`);
const pipeline = [...(await throughput(1, ['random node'])), ...(await throughput(3, ['random node', 'owner node']))];

if (values.json) {
  console.log(JSON.stringify({ cores: os.cpus().length, instances: INSTANCES, messages: MESSAGES, concurrency: CONCURRENCY, failovers, pipeline }, null, 2));
} else {
  const ms = failovers.map((f) => f.ms);
  console.log('');
  console.log('| measure | figure |');
  console.log('|---|---|');
  if (ms.length) console.log(`| failover (kill → all ${INSTANCES} connected on live nodes) | ${Math.min(...ms)}–${Math.max(...ms)} ms over ${ms.length} kills (${ms.join(', ')}) |`);
  for (const p of pipeline) console.log(`| pipeline, ${p.nodes} node${p.nodes > 1 ? 's' : ''}${p.nodes > 1 ? `, ${p.routing}` : ''} | ${p.perSecond} messages/s (p50 ${p.p50ms} ms, p99 ${p.p99ms} ms) |`);
}
