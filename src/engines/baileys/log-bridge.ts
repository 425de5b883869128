/**
 * Baileys' logger, bridged to tucan's pino at a quiet level.
 *
 * Three things happen on the way through:
 * - byte values (keys, ciphertexts, media keys) become `[N bytes]` and fields
 *   whose names denote key material are redacted, so no Signal secret that
 *   Baileys puts in a log object (it logs creds, nodes and errors) reaches
 *   tucan's logs;
 * - errors are reduced to their message and status code;
 * - floods are cut: the same message more than FLOOD_LIMIT times a minute is
 *   counted, not written (Bad MAC storms produce 100k+ lines an hour, #2234).
 */
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';
import type { Logger } from '../../logger.js';

export type BaileysLogLevel = 'silent' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

const LEVELS: BaileysLogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
const FLOOD_LIMIT = 20;
const FLOOD_WINDOW_MS = 60_000;
const MAX_DEPTH = 4;
const MAX_STRING = 500;
/** Field names that hold key material or whole sessions in Baileys and libsignal objects. */
const SECRET_FIELD = /priv|secret|chainkey|rootkey|basekey|mackey|enckey|cipherkey|mediakey|noisekey|keypair|identitykey|signedprekey|prekey|pairingcode|^creds$|^keys$|sessions?$|ratchet|senderkey|token/i;

export interface LogBridgeOptions {
  level: BaileysLogLevel;
  clock?: () => number;
}

/** Makes a value safe to log: no bytes, no key material, bounded size. */
export function sanitize(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value !== 'object') return value;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.length} bytes]`;
  if (value instanceof Error) {
    const status = (value as { output?: { statusCode?: number } }).output?.statusCode;
    return { type: value.name, message: sanitize(value.message), ...(status ? { status } : {}) };
  }
  if (depth >= MAX_DEPTH) return '[object]';
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => sanitize(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_FIELD.test(k) ? '[redacted]' : sanitize(v, depth + 1);
  }
  return out;
}

interface FloodState {
  windowStart: number;
  counts: Map<string, number>;
  suppressed: number;
}

export function bridgeLogger(log: Logger, options: LogBridgeOptions): ILogger {
  const clock = options.clock ?? Date.now;
  const flood: FloodState = { windowStart: clock(), counts: new Map(), suppressed: 0 };
  return make(log.child({ component: 'baileys' }), options.level, flood, clock);
}

function make(target: Logger, level: BaileysLogLevel, flood: FloodState, clock: () => number): ILogger {
  const threshold = LEVELS.indexOf(level);
  const write = (at: Exclude<BaileysLogLevel, 'silent'>, obj: unknown, msg?: string): void => {
    if (LEVELS.indexOf(at) < threshold) return;
    const text = msg ?? (typeof obj === 'string' ? obj : '');
    if (!admit(flood, at, text, target, clock)) return;
    const fields = typeof obj === 'object' && obj !== null ? (sanitize(obj) as Record<string, unknown>) : {};
    target[at === 'fatal' ? 'error' : at](fields, String(sanitize(text)));
  };
  return {
    level,
    child: (bindings) => make(target.child(sanitize(bindings) as Record<string, unknown>), level, flood, clock),
    trace: (obj, msg) => write('trace', obj, msg),
    debug: (obj, msg) => write('debug', obj, msg),
    info: (obj, msg) => write('info', obj, msg),
    warn: (obj, msg) => write('warn', obj, msg),
    error: (obj, msg) => write('error', obj, msg),
  };
}

function admit(flood: FloodState, level: string, text: string, target: Logger, clock: () => number): boolean {
  const now = clock();
  if (now - flood.windowStart >= FLOOD_WINDOW_MS) {
    if (flood.suppressed > 0) target.warn({ suppressed: flood.suppressed }, 'Baileys log lines suppressed as repeats in the last minute');
    flood.windowStart = now;
    flood.counts.clear();
    flood.suppressed = 0;
  }
  const key = `${level}:${text.slice(0, 120)}`;
  const seen = (flood.counts.get(key) ?? 0) + 1;
  flood.counts.set(key, seen);
  if (seen > FLOOD_LIMIT) {
    flood.suppressed++;
    return false;
  }
  return true;
}
