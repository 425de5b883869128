/**
 * Typed configuration: config/default.json, then config/<NODE_ENV>.json if it
 * exists, then environment variables, then explicit overrides (tests). The
 * result is validated once; an invalid value stops start-up with a message
 * that names the setting.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const windowLimit = z.object({ windowSeconds: z.number().int().positive(), max: z.number().int().positive() }).strict();
const port = z.number().int().min(0).max(65535);
/** `*`, or an origin exactly as browsers send it: scheme, host and port, no path. */
const corsOrigin = z.string().refine((s) => s === '*' || /^https?:\/\/[^/?#\s]+$/.test(s), { message: "must be '*' or an origin such as https://app.example.com (no path)" });

export const ConfigSchema = z
  .object({
    server: z.object({ host: z.string().min(1), port, trustProxy: z.boolean(), publicUrl: z.url().nullable() }).strict(),
    store: z
      .object({
        dataDir: z.string().min(1),
        mongodbUri: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').nullable(),
        postgresUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://').nullable(),
        sync: z.enum(['normal', 'full']),
      })
      .strict(),
    log: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), pretty: z.boolean() }).strict(),
    auth: z
      .object({
        jwtSecret: z.string().min(32, 'must be at least 32 characters').nullable(),
        tokenTtlSeconds: z.number().int().positive(),
        cookieName: z.string().regex(/^[A-Za-z0-9_.-]+$/),
        cookieSecure: z.boolean(),
        scrypt: z.object({ N: z.number().int().min(1024), r: z.number().int().positive(), p: z.number().int().positive() }).strict(),
      })
      .strict(),
    http: z
      .object({
        jsonLimitBytes: z.number().int().positive(),
        rateLimit: windowLimit,
        authRateLimit: windowLimit,
        seedApiRateLimit: windowLimit,
        corsOrigins: z.array(corsOrigin),
        metricsToken: z.string().min(16, 'must be at least 16 characters').nullable(),
      })
      .strict(),
    network: z.object({ allowLoopbackUrls: z.boolean(), fetchTimeoutMs: z.number().int().positive() }).strict(),
    media: z
      .object({
        maxBytes: z
          .object({
            image: z.number().int().positive(),
            video: z.number().int().positive(),
            audio: z.number().int().positive(),
            document: z.number().int().positive(),
            sticker: z.number().int().positive(),
          })
          .strict(),
        ttlSeconds: z.number().int().positive(),
        sweepIntervalSeconds: z.number().int().positive(),
      })
      .strict(),
    contacts: z
      .object({
        checkMaxPerRequest: z.number().int().min(1).max(500),
        checkBatchSize: z.number().int().min(1).max(100),
        checkIntervalMs: z.number().int().min(0),
        checkJitterMs: z.number().int().min(0),
        checkHourlyLimit: z.number().int().positive(),
        checkCacheSeconds: z.number().int().min(0),
      })
      .strict(),
    outbox: z
      .object({
        pacing: z
          .object({ enabled: z.boolean(), minIntervalMs: z.number().int().min(0), jitterMs: z.number().int().min(0), typing: z.boolean() })
          .strict(),
        leaseMs: z.number().int().positive(),
        maxAttempts: z.number().int().positive(),
      })
      .strict(),
    webhooks: z
      .object({
        retryScheduleSeconds: z.array(z.number().min(0)).min(1),
        timeoutMs: z.number().int().positive(),
        disableAfterDays: z.number().positive(),
        perEndpointConcurrency: z.number().int().positive(),
        maxConcurrency: z.number().int().positive(),
        retentionDays: z.number().positive(),
      })
      .strict(),
    baileys: z
      .object({
        waVersion: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
        maxReconnectAttempts: z.number().int().positive(),
        reconnectBaseMs: z.number().int().positive(),
        reconnectMaxMs: z.number().int().positive(),
        /** Messages of WhatsApp channels (@newsletter) reach the bot and webhooks; off, they are skipped. */
        newsletters: z.boolean(),
        /** Ask web.whatsapp.com for the current WhatsApp Web version at each connect (waVersion when that fails). */
        fetchVersion: z.boolean(),
        /** Where the socket connects; null is WhatsApp itself. A proxy, or the WhatsApp double in tests. */
        webSocketUrl: z.string().regex(/^wss?:\/\//, 'a ws:// or wss:// URL').nullable(),
        /** Ping interval; a server silent for this long plus 5 s counts as a lost connection (Baileys' rule). */
        keepAliveMs: z.number().int().min(100),
        /** How the linked device names itself; WhatsApp refuses pairing codes for names it does not know. Unset: Chrome (Windows). */
        browser: z
          .string()
          .regex(/^(Chrome|Firefox|Safari|Edge|Opera) \((Windows|Mac OS|Ubuntu)\)$/, "'<browser> (<os>)': Chrome, Firefox, Safari, Edge or Opera on Windows, Mac OS or Ubuntu, e.g. 'Chrome (Windows)'")
          .optional(),
      })
      .strict(),
    cluster: z
      .object({
        /** This node's name in the cluster; null: generated at each start. */
        nodeId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)').nullable(),
        /** Where other nodes reach this one; null: derived from the listen address. */
        nodeUrl: z.url().nullable(),
        /** The credential of GET /v1/cluster; null: that route is closed. */
        operatorToken: z.string().min(16, 'must be at least 16 characters').nullable(),
        /** How long an instance's lease (and a node's heartbeat) lasts without renewal: the failover delay. */
        leaseMs: z.number().int().min(1000),
        /** How often leases and the heartbeat are renewed, and instances spread. */
        renewMs: z.number().int().min(100),
      })
      .strict()
      .refine((c) => c.renewMs * 2 <= c.leaseMs, { message: 'renewMs must be at most half of leaseMs', path: ['renewMs'] }),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

type Parser = (raw: string) => unknown;
const asString: Parser = (s) => s;
const asNumber: Parser = (s) => (s.trim() === '' || Number.isNaN(Number(s)) ? s : Number(s));
const asBoolean: Parser = (s) => (/^(1|true|yes|on)$/i.test(s) ? true : /^(0|false|no|off)$/i.test(s) ? false : s);
const asNumberList: Parser = (s) => s.split(',').map((part) => asNumber(part.trim()));
const asList: Parser = (s) => s.split(',').map((part) => part.trim()).filter(Boolean);
const asNullableString: Parser = (s) => (s.trim() === '' ? null : s);

/** Environment variable → config path. */
export const ENV_VARS: Record<string, [string, Parser]> = {
  PORT: ['server.port', asNumber],
  HOST: ['server.host', asString],
  TUCAN_TRUST_PROXY: ['server.trustProxy', asBoolean],
  TUCAN_PUBLIC_URL: ['server.publicUrl', asString],
  TUCAN_DATA_DIR: ['store.dataDir', asString],
  MONGODB_URI: ['store.mongodbUri', asString],
  DATABASE_URL: ['store.postgresUrl', asNullableString],
  TUCAN_STORE_SYNC: ['store.sync', asString],
  LOG_LEVEL: ['log.level', asString],
  TUCAN_LOG_PRETTY: ['log.pretty', asBoolean],
  TUCAN_JWT_SECRET: ['auth.jwtSecret', asString],
  TUCAN_JWT_TTL_SECONDS: ['auth.tokenTtlSeconds', asNumber],
  TUCAN_COOKIE_SECURE: ['auth.cookieSecure', asBoolean],
  TUCAN_JSON_LIMIT_BYTES: ['http.jsonLimitBytes', asNumber],
  TUCAN_RATE_LIMIT_MAX: ['http.rateLimit.max', asNumber],
  TUCAN_RATE_LIMIT_WINDOW_SECONDS: ['http.rateLimit.windowSeconds', asNumber],
  TUCAN_AUTH_RATE_LIMIT_MAX: ['http.authRateLimit.max', asNumber],
  TUCAN_SEED_RATE_LIMIT_MAX: ['http.seedApiRateLimit.max', asNumber],
  TUCAN_SEED_RATE_LIMIT_WINDOW_SECONDS: ['http.seedApiRateLimit.windowSeconds', asNumber],
  TUCAN_CORS_ORIGINS: ['http.corsOrigins', asList],
  TUCAN_METRICS_TOKEN: ['http.metricsToken', asNullableString],
  TUCAN_ALLOW_LOOPBACK_URLS: ['network.allowLoopbackUrls', asBoolean],
  TUCAN_FETCH_TIMEOUT_MS: ['network.fetchTimeoutMs', asNumber],
  TUCAN_MEDIA_TTL_SECONDS: ['media.ttlSeconds', asNumber],
  TUCAN_CONTACT_CHECK_HOURLY_LIMIT: ['contacts.checkHourlyLimit', asNumber],
  TUCAN_PACING_ENABLED: ['outbox.pacing.enabled', asBoolean],
  TUCAN_PACING_MIN_INTERVAL_MS: ['outbox.pacing.minIntervalMs', asNumber],
  TUCAN_PACING_JITTER_MS: ['outbox.pacing.jitterMs', asNumber],
  TUCAN_WEBHOOK_RETRY_SCHEDULE: ['webhooks.retryScheduleSeconds', asNumberList],
  TUCAN_WEBHOOK_TIMEOUT_MS: ['webhooks.timeoutMs', asNumber],
  TUCAN_WEBHOOK_DISABLE_AFTER_DAYS: ['webhooks.disableAfterDays', asNumber],
  TUCAN_BAILEYS_NEWSLETTERS: ['baileys.newsletters', asBoolean],
  TUCAN_BAILEYS_FETCH_VERSION: ['baileys.fetchVersion', asBoolean],
  TUCAN_BAILEYS_BROWSER: ['baileys.browser', asString],
  TUCAN_BAILEYS_WS_URL: ['baileys.webSocketUrl', asNullableString],
  TUCAN_BAILEYS_KEEPALIVE_MS: ['baileys.keepAliveMs', asNumber],
  TUCAN_NODE_ID: ['cluster.nodeId', asNullableString],
  TUCAN_NODE_URL: ['cluster.nodeUrl', asNullableString],
  TUCAN_OPERATOR_TOKEN: ['cluster.operatorToken', asNullableString],
  TUCAN_CLUSTER_LEASE_MS: ['cluster.leaseMs', asNumber],
  TUCAN_CLUSTER_RENEW_MS: ['cluster.renewMs', asNumber],
};

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

function readJson(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError([`${path.relative(ROOT, file)}: ${(err as Error).message}`]);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let cur = target;
  for (const p of parts.slice(0, -1)) {
    if (!isPlainObject(cur[p])) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: DeepPartial<Config> = {}): Config {
  let raw = readJson(path.join(ROOT, 'config', 'default.json'));
  if (env.NODE_ENV) raw = deepMerge(raw, readJson(path.join(ROOT, 'config', `${env.NODE_ENV}.json`)));
  const fromEnv: Record<string, unknown> = {};
  const envSource: Record<string, string> = {};
  for (const [name, [target, parse]] of Object.entries(ENV_VARS)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(fromEnv, target, parse(value));
    envSource[target] = name;
  }
  raw = deepMerge(deepMerge(raw, fromEnv), overrides as Record<string, unknown>);
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const where = issue.path.join('.');
        const source = envSource[where] ? ` (from ${envSource[where]})` : '';
        return `${where || '(root)'}${source}: ${issue.message}`;
      }),
    );
  }
  const config = parsed.data;
  config.store.dataDir = path.resolve(config.store.dataDir);
  return config;
}
