/**
 * Media intake through its public interface, with real files and a real
 * local HTTP server. Loopback is reachable only through the explicit
 * development setting; private, metadata and redirect-to-private targets
 * are refused with a 400 naming the field.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { SqliteStore } from '../../store/embedded/sqlite-store.js';
import { newId } from '../../store/port.js';
import { ServiceError } from '../errors.js';
import { SafeHttp } from '../net/safe-http.js';
import type { UploadedFile } from '../ports.js';
import { MediaIntakeService } from './media-intake.js';
import { MediaStore } from './media-store.js';

const FIXTURES = path.resolve('fixtures/media');
const file = (name: string) => fs.readFileSync(path.join(FIXTURES, name));
const LIMITS = { image: 5 * 1024 * 1024, video: 16 * 1024 * 1024, audio: 16 * 1024 * 1024, document: 15 * 1024 * 1024, sticker: 8 * 1024 };

function upload(name: string, mimetype: string | null = null, field = 'file'): UploadedFile {
  const data = file(name);
  return { field, filename: name, mimetype, size: data.length, data };
}

async function refusal(p: Promise<unknown>): Promise<{ status: number; field: string; message: string }> {
  try {
    await p;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(ServiceError);
    const e = err as ServiceError;
    return { status: e.status, field: e.errors[0]?.field ?? '', message: e.errors[0]?.message ?? e.message };
  }
  throw new Error('expected a refusal');
}

describe('media intake', () => {
  let dir: string;
  let store: SqliteStore;
  let server: http.Server;
  let base: string;
  let now = 1_700_000_000_000;
  const clock = () => now;
  const dev = new SafeHttp({ allowLoopback: true, timeoutMs: 3000 });
  const strict = new SafeHttp({ allowLoopback: false, timeoutMs: 3000 });
  let intake: MediaIntakeService;
  let strictIntake: MediaIntakeService;
  const instance = newId();
  const other = newId();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-intake-'));
    store = new SqliteStore(path.join(dir, 'test.db'));
    const media = new MediaStore(store);
    await media.init();
    intake = new MediaIntakeService(media, dev, { maxBytes: LIMITS, ttlSeconds: 3600 }, clock);
    strictIntake = new MediaIntakeService(media, strict, { maxBytes: LIMITS, ttlSeconds: 3600 }, clock);
    server = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const name = url.pathname.slice('/files/'.length);
      if (url.pathname.startsWith('/files/') && fs.existsSync(path.join(FIXTURES, name))) {
        res.writeHead(200, { 'content-type': url.searchParams.get('type') ?? 'application/octet-stream' });
        res.end(file(name));
      } else if (url.pathname === '/redirect') {
        res.writeHead(302, { location: url.searchParams.get('to')! });
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    server.close();
    dev.close();
    strict.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores an upload under its sniffed type and hands back the same bytes', async () => {
    const stored = await intake.store(instance, upload('pixel.jpg', 'image/png'), 'image', 'file');
    expect(stored).to.include({ mimetype: 'image/jpeg', size: file('pixel.jpg').length, filename: 'pixel.jpg' });
    const loaded = await intake.load(instance, stored.media_id);
    expect(loaded.data.equals(file('pixel.jpg'))).to.equal(true);
    expect(loaded.mimetype).to.equal('image/jpeg');
    // a second load (cached) is the same
    expect((await intake.load(instance, stored.media_id)).data.equals(file('pixel.jpg'))).to.equal(true);
  });

  it('decodes base64 and data URLs with their declared type', async () => {
    const pdf = await intake.store(instance, { base64: file('doc.pdf').toString('base64'), mimetype: 'application/pdf', filename: 'Factura.pdf' }, 'document', 'body.document');
    expect(pdf).to.include({ mimetype: 'application/pdf', filename: 'Factura.pdf' });
    const dataUrl = `data:audio/mpeg;base64,${file('tone.mp3').toString('base64')}`;
    const mp3 = await intake.store(instance, { base64: dataUrl }, 'audio', 'body.audio');
    expect(mp3.mimetype).to.equal('audio/mpeg');
    const doc = await intake.store(instance, { base64: file('doc.pdf').toString('base64'), mimetype: 'application/pdf' }, 'document', 'body.document');
    expect(doc.filename).to.equal('document.pdf');
  });

  it('refuses invalid base64, a missing mimetype and empty files, naming the field', async () => {
    expect(await refusal(intake.store(instance, { base64: 'not base64!!', mimetype: 'image/png' }, 'image', 'body.image'))).to.deep.equal({
      status: 400,
      field: 'body.image.base64',
      message: 'is not valid base64',
    });
    expect((await refusal(intake.store(instance, { base64: file('pixel.png').toString('base64') }, 'image', 'body.image'))).field).to.equal('body.image.mimetype');
    const empty = { field: 'file', filename: 'x.png', mimetype: 'image/png', size: 0, data: Buffer.alloc(0) };
    expect(await refusal(intake.store(instance, empty, 'image', 'file'))).to.include({ status: 400, field: 'file' });
  });

  it('refuses content that does not fit the message type', async () => {
    const r = await refusal(intake.store(instance, upload('doc.pdf', 'image/png'), 'image', 'file'));
    expect(r).to.include({ status: 400, field: 'file' });
    expect(r.message).to.match(/application\/pdf/);
    const disguised = await refusal(intake.store(instance, { base64: file('program.exe').toString('base64'), mimetype: 'application/pdf' }, 'document', 'body.document'));
    expect(disguised).to.include({ status: 400, field: 'body.document.base64' });
    expect(disguised.message).to.match(/application\/x-msdownload, not the declared application\/pdf/);
  });

  it('enforces the per-type size limits with 413', async () => {
    const big = upload('noise.png', 'image/png');
    expect(await refusal(intake.store(instance, big, 'sticker', 'file'))).to.include({ status: 413, field: 'file' });
    const b64 = await refusal(intake.store(instance, { base64: file('noise.png').toString('base64'), mimetype: 'image/webp' }, 'sticker', 'body.sticker'));
    expect(b64).to.include({ status: 413, field: 'body.sticker.base64' });
    const url = await refusal(intake.store(instance, { url: `${base}/files/noise.png` }, 'sticker', 'body.sticker'));
    expect(url).to.include({ status: 413, field: 'body.sticker.url' });
  });

  it('fetches URLs through the SSRF-safe client, loopback only when explicitly allowed', async () => {
    const stored = await intake.store(instance, { url: `${base}/files/doc.pdf?type=application/pdf` }, 'document', 'body.document');
    expect(stored).to.include({ mimetype: 'application/pdf', filename: 'doc.pdf' });
    const blocked = await refusal(strictIntake.store(instance, { url: `${base}/files/doc.pdf` }, 'document', 'body.document'));
    expect(blocked.status).to.equal(400);
    expect(blocked.field).to.equal('body.document.url');
    expect(blocked.message).to.match(/cannot be used: .*(loopback|not allowed)/);
  });

  it('refuses private, metadata and redirect-to-private targets even with loopback allowed', async () => {
    for (const url of ['http://10.0.0.1/a.png', 'http://192.168.0.10/a.png', 'http://169.254.169.254/latest/meta-data/', 'http://[fd00::1]/a.png', 'http://[::ffff:10.0.0.1]/a.png']) {
      const r = await refusal(intake.store(instance, { url }, 'image', 'body.image'));
      expect(r, url).to.include({ status: 400, field: 'body.image.url' });
      expect(r.message, url).to.match(/not allowed|never allowed/);
    }
    for (const target of ['http://10.1.2.3/secret.png', 'http://169.254.169.254/']) {
      const r = await refusal(intake.store(instance, { url: `${base}/redirect?to=${encodeURIComponent(target)}` }, 'image', 'body.image'));
      expect(r, target).to.include({ status: 400, field: 'body.image.url' });
      expect(r.message).to.match(/never allowed/);
    }
    const followed = await intake.store(instance, { url: `${base}/redirect?to=${encodeURIComponent('/files/pixel.png')}` }, 'image', 'body.image');
    expect(followed.mimetype).to.equal('image/png');
  });

  it('refuses unreachable URLs and error answers with a 400 naming the field', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await refusal(intake.store(instance, { url: `http://127.0.0.1:${port}/x.png` }, 'image', 'body.image'));
    expect(refused).to.include({ status: 400, field: 'body.image.url' });
    expect(refused.message).to.match(/connection refused/);
    const missing = await refusal(intake.store(instance, { url: `${base}/nothing.png` }, 'image', 'body.image'));
    expect(missing.message).to.match(/HTTP 404/);
    const scheme = await refusal(intake.store(instance, { url: 'file:///etc/passwd' }, 'document', 'body.document'));
    expect(scheme).to.include({ status: 400, field: 'body.document.url' });
  });

  it('reuses a media id of the same instance only, for types it fits', async () => {
    const webp = await intake.store(instance, upload('sticker.webp'), 'image', 'file');
    expect(await intake.store(instance, { media_id: webp.media_id }, 'sticker', 'body.sticker')).to.deep.equal(webp);
    expect(await refusal(intake.store(other, { media_id: webp.media_id }, 'sticker', 'body.sticker'))).to.include({ status: 404, field: 'body.sticker.media_id' });
    expect(await refusal(intake.store(instance, { media_id: webp.media_id }, 'video', 'body.video'))).to.include({ status: 400, field: 'body.video.media_id' });
    expect(await refusal(intake.store(instance, { media_id: newId() }, 'image', 'body.image'))).to.include({ status: 404, field: 'body.image.media_id' });
    expect((await refusal(intake.load(other, webp.media_id))).status).to.equal(404);
  });

  it('expires media after the configured time unless retained', async () => {
    const a = await intake.store(instance, upload('pixel.png'), 'image', 'file');
    const b = await intake.store(instance, upload('pixel.png'), 'image', 'file');
    await intake.retain(instance, b.media_id, now + 7200_000);
    now += 3601_000;
    expect((await refusal(intake.load(instance, a.media_id))).status).to.equal(404);
    expect((await intake.load(instance, b.media_id)).data.equals(file('pixel.png'))).to.equal(true);
    const swept = await intake.sweep();
    expect(swept.files).to.be.greaterThan(0);
    expect((await refusal(intake.retain(instance, a.media_id, now + 1000))).status).to.equal(404);
  });
});
