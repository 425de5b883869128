import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { SqliteStore } from './sqlite-store.js';

describe('embedded store durability', () => {
  it('keeps every acknowledged write when the process is killed with SIGKILL', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-crash-'));
    const file = path.join(dir, 'crash.db');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/test-support/store-writer.ts', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: string[] = [];
    let buffer = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        acked.push(...lines);
        if (acked.length >= 5000 && !child.killed) {
          child.kill('SIGKILL');
        }
      });
      child.on('exit', () => resolve());
    });
    expect(acked.length).to.be.at.least(5000);

    const store = new SqliteStore(file);
    try {
      const items = store.collection<{ _id: string; touched: boolean }>('crash_items');
      const stored = new Map((await items.find({})).map((d) => [d._id, d]));
      const missing = acked.filter((id) => !stored.get(id)?.touched);
      expect(missing, `${missing.length} acknowledged writes lost`).to.deep.equal([]);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
