import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import Koa from 'koa';
import type { UploadedFile } from '../../services/ports.js';
import { bodyParser } from './body.js';
import { problemHandler } from './problem.js';

/** Every file under `dir`, at any depth. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

function form(fields: Record<string, string>, files: { field: string; size: number }[] = []): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const f of files) fd.append(f.field, new Blob([new Uint8Array(f.size).fill(7)], { type: 'application/octet-stream' }), `${f.field}.bin`);
  return fd;
}

describe('multipart bodies leave the upload directory as they found it', () => {
  let server: http.Server;
  let base: string;
  let uploadDir: string;
  const MAX = 4096;
  /** What the last request's handler saw, when it got that far. */
  let seen: UploadedFile[] | null = null;

  before(async () => {
    uploadDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tucan-body-test-'));
    // the abandoned request's socket error is expected here
    const app = new Koa();
    app.silent = true;
    app.use(problemHandler());
    app.use(bodyParser(['json', 'multipart'], { jsonLimitBytes: 1024, maxUploadBytes: MAX, uploadDir }));
    app.use((ctx) => {
      seen = ctx.state.files as UploadedFile[];
      ctx.body = { files: seen.map((f) => ({ field: f.field, size: f.size })) };
    });
    server = http.createServer(app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await fs.rm(uploadDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    seen = null;
  });

  it('a good upload: the handler gets the bytes, and no file stays on disk', async () => {
    const res = await fetch(`${base}/`, { method: 'POST', body: form({ note: 'hi' }, [{ field: 'a', size: 1000 }, { field: 'b', size: 2000 }]) });
    expect(res.status).to.equal(200);
    // the parser lists files as their writes finish, which is not always the order of the parts
    const { files } = (await res.json()) as { files: { field: string; size: number }[] };
    expect(files.sort((x, y) => x.field.localeCompare(y.field))).to.deep.equal([{ field: 'a', size: 1000 }, { field: 'b', size: 2000 }]);
    expect(await filesUnder(uploadDir)).to.deep.equal([]);
  });

  it('refused uploads (too many files, too many fields, a file too large after others) leave nothing behind', async () => {
    const cases: [string, FormData][] = [
      ['eleven files', form({}, Array.from({ length: 11 }, (_, i) => ({ field: `f${i}`, size: 100 })))],
      ['too many fields after a file', form(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`x${i}`, 'v'])), [{ field: 'first', size: 1000 }])],
      ['a file too large after others', form({}, [{ field: 'a', size: 1500 }, { field: 'b', size: 1500 }, { field: 'c', size: 3000 }])],
      ['one file too large', form({}, [{ field: 'big', size: MAX + 1 }])],
    ];
    for (const [what, body] of cases) {
      const res = await fetch(`${base}/`, { method: 'POST', body });
      expect(res.status, what).to.be.within(400, 499);
      expect(seen, what).to.equal(null);
      expect(await filesUnder(uploadDir), what).to.deep.equal([]);
    }
  });

  it('an upload the client abandons halfway leaves nothing behind', async () => {
    const boundary = 'tucanboundary';
    const head = `--${boundary}\r\ncontent-disposition: form-data; name="a"; filename="a.bin"\r\ncontent-type: application/octet-stream\r\n\r\n`;
    const req = http.request(`${base}/`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + 3000) } });
    req.on('error', () => {});
    req.write(head);
    req.write(Buffer.alloc(1000, 1));
    // the server has started writing the file before the client goes away
    await until(async () => (await filesUnder(uploadDir)).length > 0, 'the upload to reach the disk');
    req.destroy();
    await until(async () => (await filesUnder(uploadDir)).length === 0 && (await fs.readdir(uploadDir)).length === 0, 'the abandoned upload to be removed');
    expect(seen).to.equal(null);
  });
});

/** Polls until `check` holds; the bound only stops a hung test. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
