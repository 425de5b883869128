/**
 * Idle memory and start-up time of the server as `npm start` runs it:
 * spawns it on a free port with an empty data directory (the embedded
 * store), measures the time from spawn to the first 200 from /health,
 * waits until it is idle, and reads its resident memory from /proc.
 *
 *   npm run measure:idle [-- --runs 3] [--idle-ms 5000] [--tsx]
 *
 * --tsx runs src/main.ts through tsx instead of the compiled dist/main.js
 * (the way `npm start` ran before it compiled at install).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, 'idle-ms': { type: 'string', default: '5000' }, tsx: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
  return kb / 1024;
}

async function once(): Promise<{ startupMs: number; rssMiB: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-idle-'));
  const port = await freePort();
  const entry = values.tsx ? ['--import', 'tsx', 'src/main.ts'] : ['dist/main.js'];
  if (!values.tsx && !fs.existsSync(path.join(ROOT, 'dist/main.js'))) throw new Error('dist/main.js is missing: run npm run build (npm install does it)');
  const started = performance.now();
  const child = spawn(process.execPath, ['--max-semi-space-size=64', ...entry], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', TUCAN_DATA_DIR: dataDir, LOG_LEVEL: 'warn', MONGODB_URI: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error('the server did not answer /health within 60 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    const startupMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, Number(values['idle-ms'])));
    return { startupMs, rssMiB: rssMiB(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const runs: { startupMs: number; rssMiB: number }[] = [];
for (let i = 0; i < Number(values.runs); i++) runs.push(await once());
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const result = {
  mode: values.tsx ? 'tsx src/main.ts' : 'node dist/main.js',
  runs: runs.map((r) => ({ startup_ms: Math.round(r.startupMs), rss_mib: Math.round(r.rssMiB * 10) / 10 })),
  median_startup_ms: Math.round(median(runs.map((r) => r.startupMs))),
  median_rss_mib: Math.round(median(runs.map((r) => r.rssMiB)) * 10) / 10,
};
console.log(values.json ? JSON.stringify(result) : result);
