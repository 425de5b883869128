/**
 * Starts the real app on an ephemeral port with the embedded store in a
 * temporary directory, for HTTP tests. Not a test file itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createApp, type App, type AppOptions } from '../app.js';
import { loadConfig, type Config, type DeepPartial } from '../config.js';

export interface TestServer {
  app: App;
  url: string;
  dataDir: string;
  config: Config;
  /** fetch against the server with JSON helpers. */
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  /** Registers and logs in a fresh owner; returns its JWT. */
  owner(name?: string): Promise<{ token: string; id: string; username: string }>;
  /** Creates (and connects) a sandbox instance for the owner. */
  sandboxInstance(ownerToken: string, body?: Record<string, unknown>): Promise<{ id: string; token: string }>;
  /** Stops the server; keeps the data directory unless `cleanup`. */
  close(options?: { cleanup?: boolean }): Promise<void>;
}

export interface RequestOptions {
  token?: string;
  apiKey?: string;
  json?: unknown;
  body?: RequestInit['body'];
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** Test defaults: fast password hashing, generous rate limits, silent logs. */
export function testConfig(dataDir: string, overrides: DeepPartial<Config> = {}): Config {
  const base: DeepPartial<Config> = {
    server: { port: 0, host: '127.0.0.1' },
    store: { dataDir, mongodbUri: null },
    log: { level: 'silent', pretty: false },
    auth: { scrypt: { N: 1024, r: 8, p: 1 } },
    http: {
      rateLimit: { windowSeconds: 60, max: 100_000 },
      authRateLimit: { windowSeconds: 60, max: 100_000 },
      seedApiRateLimit: { windowSeconds: 60, max: 100_000 },
    },
    outbox: { pacing: { enabled: false, minIntervalMs: 0, jitterMs: 0, typing: false } },
    // tests never reach web.whatsapp.com: the configured WhatsApp Web version
    baileys: { fetchVersion: false },
  };
  return loadConfig({}, deepMergePartial(base, overrides));
}

function deepMergePartial<T>(a: T, b: DeepPartial<T>): T {
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [k, v] of Object.entries(b as Record<string, unknown>)) {
    const cur = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' ? deepMergePartial(cur, v) : v;
  }
  return out as T;
}

let counter = 0;

export async function startTestServer(
  options: { dataDir?: string; config?: DeepPartial<Config>; app?: AppOptions } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-test-'));
  const config = testConfig(dataDir, options.config);
  const app = await createApp(config, { logger: pino({ level: 'silent' }), ...options.app });
  await app.listen();
  const url = app.url;

  const request = async (method: string, p: string, o: RequestOptions = {}): Promise<TestResponse> => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.apiKey) headers['x-api-key'] = o.apiKey;
    let body = o.body;
    if (o.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof o.json === 'string' ? o.json : JSON.stringify(o.json);
    }
    const res = await fetch(url + p, { method, headers, body, redirect: 'manual' });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  };

  const server: TestServer = {
    app,
    url,
    dataDir,
    config,
    request,
    async owner(name = 'owner') {
      const username = `${name}${++counter}${process.pid}`;
      const reg = await request('POST', '/v1/auth/register', {
        json: { name, phone: '+59171234567', email: `${username}@example.com`, username, password: 'a long password' },
      });
      if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${reg.text}`);
      const login = await request('POST', '/v1/auth/login', { json: { username, password: 'a long password' } });
      if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
      return { token: login.body.token, id: reg.body.user.id, username };
    },
    async sandboxInstance(ownerToken, body = {}) {
      const created = await request('POST', '/v1/instances', { token: ownerToken, json: { engine: 'sandbox', ...body } });
      if (created.status !== 201) throw new Error(`create instance failed: ${created.status} ${created.text}`);
      const connected = await request('POST', `/v1/instances/${created.body.id}/connect`, { token: ownerToken });
      if (connected.status !== 202) throw new Error(`connect failed: ${connected.status} ${connected.text}`);
      return { id: created.body.id, token: created.body.access_token };
    },
    async close(o = {}) {
      await app.close();
      if (o.cleanup) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
