/**
 * Several tucan nodes (child processes running src/main.ts) on one fresh
 * PostgreSQL schema, for the cluster tests and bench:cluster: start, kill,
 * freeze and resume nodes, call any live node, retry as a client should
 * (503 with Retry-After, connection refused), watch GET /v1/cluster, and
 * read the shared database directly to count what was sent. Talks only to
 * 127.0.0.1. close() kills every node and drops the schema.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SandboxRecord, type SandboxSentDoc } from '../../engines/sandbox/sandbox-record.js';
import { PgStore } from '../../store/postgres/pg-store.js';
import type { Doc, Filter } from '../../store/port.js';
import { NodeProcess, onInterrupt } from './node-process.js';

export const OPERATOR_TOKEN = 'operator-token-of-the-cluster-tests';
const JWT_SECRET = 'a-shared-jwt-secret-of-the-cluster-tests-0123456789';
const PASSWORD = 'a long password';

export interface ClusterOptions {
  /** The PostgreSQL server (no schema): postgresUrl().url. */
  pgUrl: string;
  nodes: number;
  /** TUCAN_CLUSTER_LEASE_MS and TUCAN_CLUSTER_RENEW_MS; the server's defaults (10 s, 1 s) when left out. */
  leaseMs?: number;
  renewMs?: number;
  /** Added to every node's environment. */
  env?: Record<string, string>;
  /** A prefix for the schema's name. */
  name?: string;
}

export interface Res<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
  /** The node the (last) attempt went to. */
  node: string;
}

export interface CallOptions {
  token?: string;
  json?: unknown;
  headers?: Record<string, string>;
  /** This node instead of a random answering one. */
  node?: string;
}

export interface RetryOptions extends CallOptions {
  /** Give up (throw) after this long; default 60 s. */
  deadlineMs?: number;
  /** The first try goes to this node, the later ones to random answering nodes. */
  firstNode?: string;
}

/** What the retrying client had to do. */
export interface RetryStats {
  calls: number;
  retried503: number;
  retriedConnection: number;
}

export interface ClusterView {
  node: string;
  nodes: { id: string; url: string; started_at: string; heartbeat_at: string; alive: boolean; instances: number }[];
  instances: { wanting_connection: number; owned: number; unowned: number };
}

export interface InstanceStatus {
  status: string;
  node: string | null;
  [key: string]: unknown;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class TestCluster {
  readonly nodes: NodeProcess[] = [];
  readonly schema: string;
  readonly databaseUrl: string;
  readonly stats: RetryStats = { calls: 0, retried503: 0, retriedConnection: 0 };
  private readonly dataDirs: string[] = [];
  private store: PgStore | null = null;
  private record: SandboxRecord | null = null;
  private closed = false;
  private readonly forgetInterrupt: () => void;

  private constructor(private readonly o: ClusterOptions) {
    this.schema = `${o.name ?? 'cluster'}_${process.pid}_${Date.now()}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
    this.databaseUrl = `${o.pgUrl}${o.pgUrl.includes('?') ? '&' : '?'}schema=${this.schema}`;
    // interrupted before close(): the nodes are killed by node-process.ts, the schema is dropped here, with psql
    this.forgetInterrupt = onInterrupt(() => {
      spawnSync('psql', [o.pgUrl, '-qc', `DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`], { timeout: 5000, stdio: 'ignore' });
    });
  }

  /** Starts `nodes` nodes (n1, n2, …) together; if one fails, the others are killed and the schema dropped. */
  static async start(o: ClusterOptions): Promise<TestCluster> {
    const cluster = new TestCluster(o);
    try {
      // the first node creates the schema and its tables alone: several nodes creating them at once would race
      await cluster.addNode();
      await Promise.all(Array.from({ length: o.nodes - 1 }, () => cluster.addNode()));
      return cluster;
    } catch (err) {
      await cluster.close();
      throw err;
    }
  }

  /** Starts one more node on the same schema (id n<k>). */
  async addNode(): Promise<NodeProcess> {
    const id = `n${this.nodes.length + 1}`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `tucan-${id}-`));
    this.dataDirs.push(dataDir);
    const env: Record<string, string> = {
      DATABASE_URL: this.databaseUrl,
      TUCAN_DATA_DIR: dataDir,
      TUCAN_OPERATOR_TOKEN: OPERATOR_TOKEN,
      TUCAN_JWT_SECRET: JWT_SECRET,
      TUCAN_ALLOW_LOOPBACK_URLS: 'true',
      // one client (this test) makes every call from 127.0.0.1
      TUCAN_RATE_LIMIT_MAX: '100000000',
      TUCAN_AUTH_RATE_LIMIT_MAX: '100000',
      // replies and scheduled sends go out when due, not spaced by seconds
      TUCAN_PACING_ENABLED: 'false',
      LOG_LEVEL: 'info',
      ...(this.o.leaseMs ? { TUCAN_CLUSTER_LEASE_MS: String(this.o.leaseMs) } : {}),
      ...(this.o.renewMs ? { TUCAN_CLUSTER_RENEW_MS: String(this.o.renewMs) } : {}),
      ...this.o.env,
    };
    const node = new NodeProcess(id, env);
    this.nodes.push(node);
    await node.start();
    return node;
  }

  node(id: string): NodeProcess {
    const node = this.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  /** Nodes that run and are not frozen. */
  answering(): NodeProcess[] {
    return this.nodes.filter((n) => n.answering);
  }

  randomAnswering(): NodeProcess {
    const live = this.answering();
    if (live.length === 0) throw new Error('no node is answering');
    return live[Math.floor(Math.random() * live.length)];
  }

  kill(id: string): void {
    this.node(id).kill();
  }

  freeze(id: string): void {
    this.node(id).freeze();
  }

  resume(id: string): void {
    this.node(id).resume();
  }

  /** One request to one node (a random answering one unless `o.node`); no retry. Throws on a network error. */
  async call<T = any>(method: string, p: string, o: CallOptions = {}, timeoutMs = 30_000): Promise<Res<T>> {
    const node = o.node ? this.node(o.node) : this.randomAnswering();
    const res = await fetch(node.url + p, {
      method,
      headers: { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...(o.json !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers },
      body: o.json !== undefined ? JSON.stringify(o.json) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: res.status, body: body as T, text, headers: res.headers, node: node.id };
  }

  /**
   * A request as a well-behaved client makes it: on 503 it waits Retry-After
   * (1 s when absent) and tries again, on a refused or reset connection it
   * tries another answering node; each try goes to a random answering node
   * unless `o.node`. Only safe for requests that are idempotent or carry
   * their own id (sandbox messages with `id`, sends with Idempotency-Key).
   */
  async retrying<T = any>(method: string, p: string, o: RetryOptions = {}): Promise<Res<T>> {
    const deadline = Date.now() + (o.deadlineMs ?? 60_000);
    this.stats.calls++;
    let last = '';
    for (let attempt = 0; ; attempt++) {
      if (Date.now() > deadline) throw new Error(`${method} ${p} gave no answer but 503 or a network error until the deadline; last: ${last}`);
      let res: Res<T>;
      try {
        const node = attempt === 0 && o.firstNode ? o.firstNode : o.node;
        res = await this.call<T>(method, p, { ...o, node }, Math.max(1000, Math.min(30_000, deadline - Date.now())));
      } catch (err) {
        last = String((err as Error & { cause?: unknown }).cause ?? err);
        this.stats.retriedConnection++;
        await sleep(200);
        continue;
      }
      if (res.status !== 503) return res;
      last = `503 from ${res.node}: ${res.text.slice(0, 200)}`;
      this.stats.retried503++;
      const after = Number(res.headers.get('retry-after'));
      await sleep(Number.isFinite(after) && after > 0 ? Math.min(after, 10) * 1000 : 1000);
    }
  }

  /** Registers an owner through a node and logs in; returns the owner's token. */
  async owner(name = 'ops'): Promise<string> {
    const username = `${name}${process.pid}${Date.now() % 100000}`;
    const reg = await this.retrying('POST', '/v1/auth/register', { json: { name, phone: '+59171234567', email: `${username}@example.com`, username, password: PASSWORD } });
    if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${reg.text}`);
    const login = await this.retrying('POST', '/v1/auth/login', { json: { username, password: PASSWORD } });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
    return login.body.token as string;
  }

  /**
   * Creates `count` sandbox instances and connects them, `concurrency` at a
   * time, each through `via` (a node id) or a random answering node.
   */
  async sandboxInstances(token: string, count: number, body: (n: number) => Record<string, unknown> = () => ({}), o: { via?: string; concurrency?: number } = {}): Promise<string[]> {
    const ids: string[] = new Array(count);
    let next = 0;
    const worker = async () => {
      for (let n = next++; n < count; n = next++) {
        const created = await this.retrying('POST', '/v1/instances', { token, node: o.via, json: { name: `bot ${n + 1}`, engine: 'sandbox', ...body(n) } });
        if (created.status !== 201) throw new Error(`create instance failed: ${created.status} ${created.text}`);
        const connected = await this.retrying('POST', `/v1/instances/${created.body.id}/connect`, { token, node: o.via });
        if (connected.status !== 202) throw new Error(`connect failed: ${connected.status} ${connected.text}`);
        ids[n] = created.body.id as string;
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 4, count) }, worker));
    return ids;
  }

  /** GET /v1/cluster on one node (a random answering one unless given). */
  async view(node?: string): Promise<ClusterView> {
    const res = await this.call<ClusterView>('GET', '/v1/cluster', { node, headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
    if (res.status !== 200) throw new Error(`GET /v1/cluster: ${res.status} ${res.text}`);
    return res.body;
  }

  /** The status as the node running the instance reports it (its engine's own state), or as any node does when no answering node runs it. */
  async ownerStatus(token: string, instanceId: string): Promise<InstanceStatus> {
    const seen = await this.retrying<InstanceStatus>('GET', `/v1/instances/${instanceId}/status`, { token, deadlineMs: 10_000 });
    const owner = seen.body.node ? this.nodes.find((n) => n.id === seen.body.node && n.answering) : undefined;
    if (!owner || owner.id === seen.node) return seen.body;
    const asked = await this.call<InstanceStatus>('GET', `/v1/instances/${instanceId}/status`, { token, node: owner.id }, 10_000);
    return asked.status === 200 ? asked.body : seen.body;
  }

  /** Who runs each instance: instance id → node id (or null), each as its owner reports it. */
  async owners(token: string, ids: string[]): Promise<Map<string, InstanceStatus>> {
    const out = new Map<string, InstanceStatus>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = next++; i < ids.length; i = next++) out.set(ids[i], await this.ownerStatus(token, ids[i]));
      }),
    );
    return out;
  }

  /**
   * Polls until every instance is connected and run by one of `on` (node ids;
   * default: the answering nodes), each as its owner reports it. Resolves with
   * the owners; throws with the stragglers after `timeoutMs`.
   */
  async allConnected(token: string, ids: string[], o: { on?: string[]; timeoutMs?: number; everyMs?: number } = {}): Promise<Map<string, InstanceStatus>> {
    const deadline = Date.now() + (o.timeoutMs ?? 15_000);
    for (;;) {
      const allowed = new Set(o.on ?? this.answering().map((n) => n.id));
      const owners = await this.owners(token, ids);
      const stragglers = [...owners].filter(([, s]) => s.status !== 'connected' || !s.node || !allowed.has(s.node));
      if (stragglers.length === 0) return owners;
      if (Date.now() > deadline) {
        // what the database says of them: whether they still want a connection, and whose lease they carry
        const docs = await this.find('instances', { _id: { $in: stragglers.slice(0, 5).map(([id]) => id) } });
        const stored = docs.map((d) => `${d._id}: desired ${d.desired_state}, status ${d.status}, owner ${d.owner_node ?? null} until ${d.owner_until ? `${d.owner_until - Date.now()} ms from now` : '-'}`);
        const view = await this.view().catch((err: unknown) => String(err));
        throw new Error(
          `${stragglers.length} instances not connected on ${[...allowed].join(',')}: ${stragglers
            .slice(0, 5)
            .map(([id, s]) => `${id} ${s.status}@${s.node}`)
            .join('; ')}; stored: ${stored.join('; ')}; cluster: ${JSON.stringify(view)}`,
        );
      }
      await sleep(o.everyMs ?? 250);
    }
  }

  /** How many of `ids` each node runs, from the statuses. */
  static spread(owners: Map<string, InstanceStatus>): Record<string, number> {
    const spread: Record<string, number> = {};
    for (const s of owners.values()) {
      const key = s.node ?? 'none';
      spread[key] = (spread[key] ?? 0) + 1;
    }
    return Object.fromEntries(Object.entries(spread).sort(([a], [b]) => a.localeCompare(b)));
  }

  /** A connection of the test's own to the shared schema, to count what the nodes stored and sent. */
  async db(): Promise<PgStore> {
    this.store ??= await PgStore.connect(this.databaseUrl);
    return this.store;
  }

  /** The documents of a collection matching `filter`, read straight from the database. */
  async find<T extends Doc = Doc & Record<string, any>>(collection: string, filter: Filter): Promise<T[]> {
    return (await this.db()).collection<T>(collection).find(filter);
  }

  /** What the sandbox "phones" of an instance received from the bot (every send, with its delivery count). */
  async sandboxSent(instanceId: string): Promise<SandboxSentDoc[]> {
    this.record ??= new SandboxRecord(await this.db());
    return this.record.listSent(instanceId);
  }

  /** Every node's `cluster: …` log lines (takeovers, hand-overs, lost leases), oldest first. */
  clusterLog(): string {
    const lines = this.nodes.flatMap((n) =>
      n.logs.filter((e) => typeof e.msg === 'string' && e.msg.startsWith('cluster')).map((e) => ({ time: e.time ?? 0, line: `${new Date(e.time ?? 0).toISOString()} ${n.id} ${e.msg} ${JSON.stringify(e.instances ?? '')}` })),
    );
    return lines
      .sort((a, b) => a.time - b.time)
      .map((l) => l.line)
      .join('\n');
  }

  /** The last warnings and errors of every node, for a failure message. */
  problems(limit = 10): string {
    return this.nodes.map((n) => `--- ${n.id} (${n.state})\n${n.problems(limit).join('\n')}`).join('\n');
  }

  /** Kills every node (SIGKILL; a frozen one too), waits for them to exit, drops the schema. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.forgetInterrupt();
    for (const n of this.nodes) n.kill();
    await Promise.race([Promise.all(this.nodes.map((n) => n.exited())), sleep(10_000)]);
    for (const dir of this.dataDirs) fs.rmSync(dir, { recursive: true, force: true });
    try {
      const store = this.store ?? (await PgStore.connect(this.databaseUrl));
      this.store = null;
      await store.dropSchema();
      await store.close();
    } catch (err) {
      console.error(`could not drop the schema ${this.schema}: ${String(err)}`);
    }
  }
}
