/**
 * libsignal prints whole session records — private keys, root and chain keys
 * included — through `console` ("Closing session:", "Opening session:",
 * "Session error: Bad MAC"), bypassing any logger Baileys is given
 * (node_modules/libsignal/src/session_record.js). Baileys itself has a few
 * stray `console` calls too.
 *
 * The guard wraps the process's console methods once. A call whose stack
 * comes from libsignal or Baileys is swallowed: only a count and the leading
 * text (never the arguments, which hold the session objects) go to tucan's
 * logger at debug level. Every other console call is passed through
 * untouched.
 */
import type { Logger } from '../../logger.js';

const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
type Method = (typeof METHODS)[number];
/** Where the swallowed calls come from; matched against stack frames. */
const SOURCES = /[\\/]node_modules[\\/](libsignal|@whiskeysockets[\\/]baileys)[\\/]/;
const MAX_TEXT = 80;

interface GuardState {
  sink: Logger | null;
  swallowed: number;
  originals: Record<Method, (...args: unknown[]) => void>;
}

/**
 * The console is process-wide, so the guard's state is too: it lives on
 * globalThis, so that a second copy of this module (a loader may instantiate
 * it twice) sees the same guard instead of wrapping the console again.
 */
const KEY = Symbol.for('tucan.baileys.consoleGuard');
const holder = globalThis as unknown as { [KEY]?: GuardState | null };

/** Installs the guard (idempotent); later calls only replace the logger that receives the summaries. */
export function installConsoleGuard(log: Logger | null): void {
  const state = holder[KEY];
  if (state) {
    if (log) state.sink = log;
    return;
  }
  const originals = Object.fromEntries(METHODS.map((m) => [m, console[m]])) as GuardState['originals'];
  const guard: GuardState = { sink: log, swallowed: 0, originals };
  holder[KEY] = guard;
  for (const method of METHODS) {
    console[method] = function guarded(this: Console, ...args: unknown[]) {
      if (fromSignalCode()) {
        guard.swallowed++;
        // the leading text only ("Closing session:"): the arguments after it are the secrets
        const text = typeof args[0] === 'string' ? args[0].split(/[\r\n]/)[0].slice(0, MAX_TEXT) : '(non-text)';
        guard.sink?.debug({ source: 'libsignal', method, swallowed: guard.swallowed }, `suppressed console output: ${text}`);
        return;
      }
      originals[method].apply(this, args);
    } as Console[Method];
  }
}

/** How many console calls from signal code were swallowed since start-up. */
export function swallowedConsoleCalls(): number {
  return holder[KEY]?.swallowed ?? 0;
}

/** Restores the original console (tests). */
export function uninstallConsoleGuard(): void {
  const state = holder[KEY];
  if (!state) return;
  for (const method of METHODS) console[method] = state.originals[method] as Console[Method];
  holder[KEY] = null;
}

function fromSignalCode(): boolean {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 4;
  Error.captureStackTrace(holder, fromSignalCode);
  Error.stackTraceLimit = limit;
  // line 0 is "Error", line 1 the guard; line 2 is whoever called console.* — only that caller counts,
  // so tucan code running inside a Baileys event handler is never swallowed
  const caller = (holder.stack ?? '').split('\n')[2] ?? '';
  return SOURCES.test(caller);
}
