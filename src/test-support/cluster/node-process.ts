/**
 * One tucan node as a child process (src/main.ts, as child-server.ts starts
 * it), with what a cluster test does to it: SIGKILL, SIGSTOP and SIGCONT.
 * Every child started here is also killed when the test process exits, so
 * a failing or interrupted test leaves no orphan.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Lines kept per node (the tail is printed when a test fails). */
const LOG_LINES = 2000;

export type NodeState = 'starting' | 'up' | 'frozen' | 'killed' | 'exited';

export interface LogEntry {
  level?: number;
  time?: number;
  msg?: string;
  [key: string]: unknown;
}

const running = new Set<ChildProcess>();
/** Synchronous clean-ups (a schema to drop) for when the test process is ended before its after() hooks. */
const cleanups = new Set<() => void>();
let exitHookInstalled = false;

function killAll(): void {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // the last resort: whatever ends this process (a failed test, mocha --exit, Ctrl-C, SIGTERM) takes the nodes with it
  process.once('exit', killAll);
  const onSignal = (signal: NodeJS.Signals) => {
    killAll();
    for (const cleanup of cleanups) {
      try {
        cleanup();
      } catch {
        // best effort
      }
    }
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    // nobody else (mocha) handles it: end as the signal would have
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Runs `cleanup` (synchronously) if the process is interrupted by SIGINT or SIGTERM; returns the unregistration. */
export function onInterrupt(cleanup: () => void): () => void {
  installExitHook();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

export class NodeProcess {
  state: NodeState = 'starting';
  url = '';
  readonly logs: LogEntry[] = [];
  /** Lines that were not JSON (stack traces, tsx errors). */
  readonly rawOutput: string[] = [];
  private child: ChildProcess | null = null;
  private exitPromise: Promise<void> = Promise.resolve();

  constructor(
    readonly id: string,
    private readonly env: Record<string, string>,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Spawns the node and resolves with its URL once it logs that it is listening. */
  start(timeoutMs = 60_000): Promise<string> {
    installExitHook();
    const child = spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', TUCAN_LOG_PRETTY: 'false', ...this.env, TUCAN_NODE_ID: this.id },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.state = 'starting';
    running.add(child);
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', () => {
        running.delete(child);
        if (this.state !== 'killed') this.state = 'exited';
        resolve();
      });
    });
    const keep = (line: string) => {
      try {
        const entry = JSON.parse(line) as LogEntry;
        this.logs.push(entry);
        if (this.logs.length > LOG_LINES) this.logs.shift();
        return entry;
      } catch {
        this.rawOutput.push(line);
        if (this.rawOutput.length > LOG_LINES) this.rawOutput.shift();
        return null;
      }
    };
    createInterface({ input: child.stderr! }).on('line', (line) => keep(line));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill();
        reject(new Error(`node ${this.id} did not start within ${timeoutMs} ms; output: ${this.rawOutput.slice(-20).join('\n')}`));
      }, timeoutMs);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.state === 'starting') reject(new Error(`node ${this.id} exited while starting (${code ?? signal}); output: ${this.rawOutput.slice(-20).join('\n')}`));
      });
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const entry = keep(line);
        if (entry?.msg === 'tucan is listening' && typeof entry.url === 'string' && this.state === 'starting') {
          clearTimeout(timer);
          this.url = entry.url;
          this.state = 'up';
          resolve(entry.url);
        }
      });
    });
  }

  /** Running and not frozen: it can answer. */
  get answering(): boolean {
    return this.state === 'up';
  }

  /** SIGKILL: no shutdown, no lease released, as in a power loss. */
  kill(): void {
    if (!this.child || this.state === 'killed' || this.state === 'exited') return;
    this.state = 'killed';
    this.child.kill('SIGKILL');
  }

  /** SIGSTOP: the process stops where it is (a long GC pause, a VM migration). */
  freeze(): void {
    if (this.state !== 'up') throw new Error(`node ${this.id} is ${this.state}, cannot freeze it`);
    this.child!.kill('SIGSTOP');
    this.state = 'frozen';
  }

  /** SIGCONT: a frozen node goes on from where it stopped. */
  resume(): void {
    if (this.state !== 'frozen') throw new Error(`node ${this.id} is ${this.state}, cannot resume it`);
    this.child!.kill('SIGCONT');
    this.state = 'up';
  }

  exited(): Promise<void> {
    return this.exitPromise;
  }

  /** Log entries whose message contains `text`. */
  logged(text: string): LogEntry[] {
    return this.logs.filter((e) => typeof e.msg === 'string' && e.msg.includes(text));
  }

  /** The last warnings and errors (pino levels ≥ 40), and any non-JSON output, for a failure report. */
  problems(limit = 20): string[] {
    const lines = this.logs.filter((e) => (e.level ?? 0) >= 40).map((e) => JSON.stringify(e).slice(0, 600));
    return [...lines.slice(-limit), ...this.rawOutput.slice(-limit)];
  }
}
