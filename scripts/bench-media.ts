/**
 * Media intake throughput on the embedded store: upload (sniff + chunked
 * write), load (read + digest check), cached load, base64 and URL intake.
 *
 *   npx tsx scripts/bench-media.ts
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { seededRandom } from '../src/domain/random.js';
import { MediaIntakeService } from '../src/services/media/media-intake.js';
import { MediaStore } from '../src/services/media/media-store.js';
import { SafeHttp } from '../src/services/net/safe-http.js';
import type { UploadedFile } from '../src/services/ports.js';
import { SqliteStore } from '../src/store/embedded/sqlite-store.js';
import { newId } from '../src/store/port.js';
import { mediaFixtures } from './make-media-fixtures.js';

const LIMITS = { image: 16 << 20, video: 16 << 20, audio: 16 << 20, document: 16 << 20, sticker: 1 << 20 };

/** A real PNG header followed by noise: sniffs as image/png and does not compress. */
function image(bytes: number, seed: number): Buffer {
  const random = seededRandom(seed);
  const png = mediaFixtures()['pixel.png'];
  const out = Buffer.alloc(bytes);
  png.copy(out);
  for (let i = png.length; i < bytes; i++) out[i] = Math.floor(random() * 256);
  return out;
}

async function time<T>(label: string, count: number, bytes: number, run: (i: number) => Promise<T>): Promise<T[]> {
  const started = performance.now();
  const results: T[] = [];
  for (let i = 0; i < count; i++) results.push(await run(i));
  const s = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(34)} ${String(count).padStart(4)} × ${(bytes / 1048576).toFixed(1).padStart(5)} MB  ${(count / s).toFixed(1).padStart(7)} files/s  ${((count * bytes) / 1048576 / s).toFixed(1).padStart(7)} MB/s`);
  return results;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-bench-media-'));
const store = new SqliteStore(path.join(dir, 'bench.db'));
const media = new MediaStore(store);
await media.init();
const httpClient = new SafeHttp({ allowLoopback: true, timeoutMs: 30_000 });
const intake = new MediaIntakeService(media, httpClient, { maxBytes: LIMITS, ttlSeconds: 3600 });
const uncached = new MediaIntakeService(media, httpClient, { maxBytes: LIMITS, ttlSeconds: 3600, cacheBytes: 0 });
const instance = newId();

for (const [size, count] of [
  [100 * 1024, 200],
  [1 << 20, 50],
  [5 << 20, 10],
  [16 << 20, 4],
] as const) {
  const data = image(size, size);
  const file = (i: number): UploadedFile => ({ field: 'file', filename: `f${i}.png`, mimetype: 'image/png', size, data });
  const stored = await time(`upload (sniff + store)`, count, size, (i) => uncached.store(instance, file(i), 'image', 'file'));
  await time(`load (read + sha256)`, count, size, (i) => uncached.load(instance, stored[i].media_id));
  await time(`load, cached`, count, size, () => intake.load(instance, stored[0].media_id));
  if (size <= 5 << 20) {
    const b64 = data.toString('base64');
    await time(`base64 intake`, Math.min(count, 20), size, () => uncached.store(instance, { base64: b64, mimetype: 'image/png' }, 'image', 'body.image'));
  }
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(data);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x.png`;
  await time(`URL intake (SSRF-safe fetch)`, Math.min(count, 20), size, () => uncached.store(instance, { url }, 'image', 'body.image'));
  server.close();
  console.log('');
}

console.log(`database file: ${(fs.statSync(path.join(dir, 'bench.db')).size / 1048576).toFixed(0)} MB (+ WAL)`);
httpClient.close();
await store.close();
fs.rmSync(dir, { recursive: true, force: true });
