import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';

const MEDIA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../fixtures/media');
const media = (name: string) => fs.readFileSync(path.join(MEDIA, name));

/** A local web server holding the files the seed's examples link to. */
async function fileServer(): Promise<{ url: string; close(): Promise<void> }> {
  const files: Record<string, [string, Buffer]> = { '/image.jpg': ['image/jpeg', media('pixel.jpg')], '/document.pdf': ['application/pdf', media('doc.pdf')] };
  const server = http.createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (!file) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('seed 001 dialect: messages (/api/messages/send*)', () => {
  let t: TestServer;
  let files: { url: string; close(): Promise<void> };
  let inst: { id: string; token: string };

  before(async () => {
    files = await fileServer();
    t = await startTestServer({ config: { network: { allowLoopbackUrls: true } } });
    inst = await t.sandboxInstance((await t.owner()).token);
  });
  after(async () => {
    await t.close({ cleanup: true });
    await files.close();
  });

  const lastSent = async () => (await t.app.modules.engines.sandbox.listSent(inst.id)).at(-1)!;

  it('sends the seed example text (POST /api/messages/send, shared with seed 002)', async () => {
    const res = await t.request('POST', '/api/messages/send', { apiKey: inst.token, json: { phone: '573001234567', message: 'Hola, este es un mensaje de prueba' } });
    expect(res.status).to.equal(200);
    expect(res.body.success).to.equal(true);
    expect(res.body.data.phone).to.equal('573001234567');
    expect(res.body.data.status).to.be.oneOf(['sent', 'delivered']);
    expect(res.body.data.messageId).to.be.a('string');
    expect(new Date(res.body.data.timestamp).toISOString()).to.equal(res.body.data.timestamp);
    const last = await lastSent();
    expect(last.jid).to.equal('573001234567@s.whatsapp.net');
    expect(last.content).to.deep.include({ type: 'text', text: 'Hola, este es un mensaje de prueba' });
  });

  it('sends an image by URL with its caption (POST /api/messages/send-image)', async () => {
    const res = await t.request('POST', '/api/messages/send-image', { apiKey: inst.token, json: { phone: '573001234567', imageUrl: `${files.url}/image.jpg`, caption: 'Mira esta imagen' } });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ success: true, message: 'Imagen enviada exitosamente' });
    expect(res.body.data.phone).to.equal('573001234567');
    expect(res.body.data.status).to.be.oneOf(['sent', 'delivered']);
    const last = await lastSent();
    expect(last.jid).to.equal('573001234567@s.whatsapp.net');
    expect(last.content).to.deep.include({ type: 'image', caption: 'Mira esta imagen' });
    expect(last.content.media).to.include({ mimetype: 'image/jpeg', size: media('pixel.jpg').length });
  });

  it('sends an image given as base64 + mimetype', async () => {
    const res = await t.request('POST', '/api/messages/send-image', { apiKey: inst.token, json: { phone: '573001234567', base64: media('pixel.png').toString('base64'), mimetype: 'image/png' } });
    expect(res.status).to.equal(200);
    const last = await lastSent();
    expect(last.content).to.deep.include({ type: 'image' });
    expect(last.content.media).to.include({ mimetype: 'image/png', size: media('pixel.png').length });
  });

  it('names the seed fields in image errors', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ phone: '573001234567' }, 400, 'body.imageUrl'],
      [{ phone: '573001234567', imageUrl: `${files.url}/image.jpg`, base64: 'AAAA', mimetype: 'image/png' }, 400, 'body.imageUrl'],
      [{ phone: '573001234567', imageUrl: 'ftp://example.com/a.jpg' }, 400, 'body.imageUrl'],
      [{ phone: '573001234567', imageUrl: `${files.url}/missing.jpg` }, 400, 'body.imageUrl'],
      [{ phone: '573001234567', imageUrl: `${files.url}/document.pdf` }, 400, 'body.imageUrl'],
      [{ phone: '573001234567', base64: '***', mimetype: 'image/png' }, 400, 'body.base64'],
      [{ phone: '573001234567', base64: media('pixel.png').toString('base64') }, 400, 'body.mimetype'],
      [{ phone: '5730', imageUrl: `${files.url}/image.jpg` }, 400, 'body.phone'],
    ];
    for (const [json, status, field] of cases) {
      const res = await t.request('POST', '/api/messages/send-image', { apiKey: inst.token, json });
      expect(res.status, JSON.stringify(json)).to.equal(status);
      expect(res.body.success).to.equal(false);
      expect(res.body.errors.map((e: { field: string }) => e.field), `${JSON.stringify(json)} → ${res.body.error}`).to.include(field);
      expect(res.body.error).not.to.match(/body\.image\b|body\.to\b/);
    }
  });

  it('ignores fields the seed does not define, as the seed does', async () => {
    const res = await t.request('POST', '/api/messages/send-image', { apiKey: inst.token, json: { phone: '573001234567', imageUrl: `${files.url}/image.jpg`, caption: 'x', quality: 'hd' } });
    expect(res.status).to.equal(200);
  });

  it('sends a document by URL under its file name, with a caption (POST /api/messages/send-document)', async () => {
    const res = await t.request('POST', '/api/messages/send-document', {
      apiKey: inst.token,
      json: { phone: '573001234567', documentUrl: `${files.url}/document.pdf`, filename: 'documento.pdf', caption: 'Aquí está el documento' },
    });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ success: true, message: 'Documento enviado exitosamente' });
    const last = await lastSent();
    expect(last.content).to.deep.include({ type: 'document', filename: 'documento.pdf', caption: 'Aquí está el documento' });
    expect(last.content.media).to.include({ mimetype: 'application/pdf' });

    const missing = await t.request('POST', '/api/messages/send-document', { apiKey: inst.token, json: { phone: '573001234567', documentUrl: `${files.url}/nothing.pdf` } });
    expect(missing.status).to.equal(400);
    expect(missing.body.errors[0].field).to.equal('body.documentUrl');
  });

  it('sends the seed bulk example as a paced job and answers with every result (POST /api/messages/send-bulk)', async () => {
    const before = await t.app.modules.engines.sandbox.countSent(inst.id);
    const res = await t.request('POST', '/api/messages/send-bulk', { apiKey: inst.token, json: { recipients: ['573001234567', '573009876543'], message: 'Mensaje para todos', delay: 2000 } });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ success: true, message: 'Envío masivo completado' });
    expect(res.body.data).to.include({ completed: true, total: 2, sent: 2, failed: 0, pending: 0 });
    expect(res.body.data.results.map((r: { phone: string; status: string }) => [r.phone, r.status === 'sent' || r.status === 'delivered'])).to.deep.equal([
      ['573001234567', true],
      ['573009876543', true],
    ]);
    const sent = (await t.app.modules.engines.sandbox.listSent(inst.id)).slice(before);
    expect(sent.map((m) => [m.jid, m.content.text])).to.deep.equal([
      ['573001234567@s.whatsapp.net', 'Mensaje para todos'],
      ['573009876543@s.whatsapp.net', 'Mensaje para todos'],
    ]);
    // the native job carries the delay that spaces its messages
    const job = await t.request('GET', res.body.data.statusUrl, { apiKey: inst.token });
    expect(job.status).to.equal(200);
    expect(job.body).to.include({ delay_ms: 2000 });
  });

  it('a job longer than the wait is reported as running; waiting ends once it settles (jobs.waitUntilSettled)', async () => {
    // the HTTP answer waits up to BULK_WAIT_MS (25 s); the service call behind it is exercised here with short waits
    const job = await t.request('POST', `/v1/instances/${inst.id}/messages/bulk`, { apiKey: inst.token, json: { recipients: ['573001234567', '573009876543'], content: { text: 'lento' }, delay_ms: 600_000 } });
    expect(job.status).to.equal(202);
    const instance = await t.app.modules.accounts.instances.get({ kind: 'instance', ownerId: '', instanceId: inst.id }, inst.id);
    expect(await t.app.modules.outbox.jobs.waitUntilSettled(instance, job.body.id, 50)).to.equal(false);
    const waiting = t.app.modules.outbox.jobs.waitUntilSettled(instance, job.body.id, 10_000);
    expect((await t.request('DELETE', `/v1/instances/${inst.id}/jobs/${job.body.id}`, { apiKey: inst.token })).status).to.equal(200);
    expect(await waiting).to.equal(true);
  });

  it('refuses a bad bulk request naming the field, before sending anything', async () => {
    const before = await t.app.modules.engines.sandbox.countSent(inst.id);
    for (const [json, field] of [
      [{ recipients: ['573001234567', 'abc'], message: 'x' }, 'body.recipients.1'],
      [{ recipients: [], message: 'x' }, 'body.recipients'],
      [{ recipients: ['573001234567'], message: '' }, 'body.message'],
      [{ recipients: ['573001234567'], message: 'x', delay: -1 }, 'body.delay'],
      [{ recipients: ['573001234567'], message: 'x', delay: '2000' }, 'body.delay'],
    ] as const) {
      const res = await t.request('POST', '/api/messages/send-bulk', { apiKey: inst.token, json });
      expect(res.status, JSON.stringify(json)).to.equal(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).to.include(field);
    }
    expect(await t.app.modules.engines.sandbox.countSent(inst.id)).to.equal(before);
  });

  it('answers 503 when WhatsApp is not connected', async () => {
    const other = await t.sandboxInstance((await t.owner()).token);
    await t.request('POST', '/api/session/logout', { apiKey: other.token });
    for (const [p, json] of [
      ['/api/messages/send', { phone: '573001234567', message: 'hola' }],
      ['/api/messages/send-image', { phone: '573001234567', imageUrl: `${files.url}/image.jpg` }],
      ['/api/messages/send-document', { phone: '573001234567', documentUrl: `${files.url}/document.pdf` }],
      ['/api/messages/send-bulk', { recipients: ['573001234567'], message: 'hola' }],
    ] as const) {
      const res = await t.request('POST', p, { apiKey: other.token, json });
      expect(res.status, p).to.equal(503);
      expect(res.body.success, p).to.equal(false);
      expect(res.body.error, p).to.be.a('string').and.match(/not connected/);
    }
    expect(await t.app.modules.engines.sandbox.countSent(other.id)).to.equal(0);
  });
});
