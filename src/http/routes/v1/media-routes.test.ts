import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';

const FIXTURES = path.resolve('fixtures/media');
const file = (name: string) => fs.readFileSync(path.join(FIXTURES, name));

function form(fields: Record<string, string>, files: { name: string; mimetype: string; field?: string }[] = []): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const x of files) f.append(x.field ?? 'file', new Blob([file(x.name)], { type: x.mimetype }), x.name);
  return f;
}

describe('media routes', () => {
  let t: TestServer;
  let files: http.Server;
  let filesUrl: string;
  let owner: { token: string };
  let inst: { id: string; token: string };

  before(async () => {
    // media URLs on this machine are loopback: reachable only because the development setting is on
    t = await startTestServer({ config: { network: { allowLoopbackUrls: true }, media: { maxBytes: { sticker: 4096 } } } });
    files = http.createServer((req, res) => {
      const name = path.basename(req.url ?? '');
      if (req.url?.startsWith('/redirect')) {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        return res.end();
      }
      if (!fs.existsSync(path.join(FIXTURES, name))) {
        res.writeHead(404);
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(file(name));
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    owner = await t.owner();
    inst = await t.sandboxInstance(owner.token);
  });

  after(async () => {
    files.closeAllConnections();
    files.close();
    await t.close({ cleanup: true });
  });

  it('stores a multipart upload and describes it', async () => {
    const res = await t.request('POST', `/v1/instances/${inst.id}/media`, { apiKey: inst.token, body: form({ type: 'image' }, [{ name: 'pixel.png', mimetype: 'image/png' }]) });
    expect(res.status, res.text).to.equal(201);
    expect(res.body).to.include({ type: 'image', mimetype: 'image/png', size: file('pixel.png').length, filename: 'pixel.png' });
    expect(res.body.media_id).to.match(/^[0-9a-f]{24}$/);
    expect(Date.parse(res.body.expires_at) - Date.parse(res.body.created_at)).to.equal(t.config.media.ttlSeconds * 1000);

    const got = await t.request('GET', `/v1/instances/${inst.id}/media/${res.body.media_id}`, { token: owner.token });
    expect(got.status).to.equal(200);
    expect(got.body).to.deep.equal(res.body);
    const list = await t.request('GET', `/v1/instances/${inst.id}/media`, { apiKey: inst.token });
    expect(list.body.media.map((m: { media_id: string }) => m.media_id)).to.include(res.body.media_id);
  });

  it('stores JSON base64 and URL sources', async () => {
    const b64 = await t.request('POST', `/v1/instances/${inst.id}/media`, {
      apiKey: inst.token,
      json: { type: 'document', base64: file('doc.pdf').toString('base64'), mimetype: 'application/pdf', filename: 'invoice.pdf' },
    });
    expect(b64.status, b64.text).to.equal(201);
    expect(b64.body).to.include({ type: 'document', mimetype: 'application/pdf', filename: 'invoice.pdf' });
    const url = await t.request('POST', `/v1/instances/${inst.id}/media`, { apiKey: inst.token, json: { type: 'audio', url: `${filesUrl}/tone.mp3` } });
    expect(url.status, url.text).to.equal(201);
    expect(url.body).to.include({ type: 'audio', mimetype: 'audio/mpeg', filename: 'tone.mp3' });
  });

  it('takes base64 bodies larger than the general JSON limit, up to the type limit', async () => {
    const big = Buffer.concat([file('noise.png'), Buffer.alloc(t.config.http.jsonLimitBytes, 1)]);
    const res = await t.request('POST', `/v1/instances/${inst.id}/media`, { apiKey: inst.token, json: { type: 'image', base64: big.toString('base64'), mimetype: 'image/png' } });
    expect(res.status, res.text.slice(0, 200)).to.equal(201);
    expect(res.body.size).to.equal(big.length);
  });

  it('answers every bad input with a 4xx naming the field', async () => {
    const cases: [unknown, number, string][] = [
      [{ type: 'image', base64: '%%%', mimetype: 'image/png' }, 400, 'body.base64'],
      [{ type: 'image', url: `${filesUrl}/doc.pdf` }, 400, 'body.url'],
      [{ type: 'image', url: 'http://10.0.0.8/x.png' }, 400, 'body.url'],
      [{ type: 'image', url: `${filesUrl}/redirect` }, 400, 'body.url'],
      [{ type: 'image', url: `${filesUrl}/missing.png` }, 400, 'body.url'],
      [{ type: 'image', url: 'ftp://example.com/x.png' }, 400, 'body.url'],
      [{ type: 'sticker', base64: file('noise.png').toString('base64'), mimetype: 'image/webp' }, 413, 'body.base64'],
      [{ type: 'picture', base64: 'AAAA', mimetype: 'image/png' }, 400, 'body.type'],
      [{ type: 'image' }, 400, 'body'],
      [{ type: 'image', url: `${filesUrl}/pixel.png`, base64: 'AAAA' }, 400, 'body'],
    ];
    for (const [json, status, field] of cases) {
      const res = await t.request('POST', `/v1/instances/${inst.id}/media`, { apiKey: inst.token, json });
      expect(res.status, `${JSON.stringify(json).slice(0, 80)} → ${res.text}`).to.equal(status);
      expect(res.body.errors.map((e: { field: string }) => e.field), res.text).to.include(field);
    }
    const wrongType = await t.request('POST', `/v1/instances/${inst.id}/media`, { apiKey: inst.token, body: form({ type: 'sticker' }, [{ name: 'pixel.png', mimetype: 'image/webp' }]) });
    expect(wrongType.status).to.equal(400);
    expect(wrongType.body.errors[0]).to.deep.include({ field: 'file' });
    expect(wrongType.body.errors[0].message).to.match(/WebP/);
    const tooBig = await t.request('POST', `/v1/instances/${inst.id}/media`, { apiKey: inst.token, body: form({ type: 'sticker' }, [{ name: 'noise.png', mimetype: 'image/webp' }]) });
    expect(tooBig.status).to.equal(413);
    expect(tooBig.body.errors[0].field).to.equal('file');
    const two = await t.request('POST', `/v1/instances/${inst.id}/media`, {
      apiKey: inst.token,
      body: form({ type: 'image' }, [{ name: 'pixel.png', mimetype: 'image/png' }, { name: 'pixel.jpg', mimetype: 'image/jpeg', field: 'other' }]),
    });
    expect(two.status).to.equal(400);
  });

  it('refuses loopback URLs when the development setting is off (the default)', async () => {
    const strict = await startTestServer();
    try {
      const o = await strict.owner();
      const i = await strict.sandboxInstance(o.token);
      const res = await strict.request('POST', `/v1/instances/${i.id}/media`, { apiKey: i.token, json: { type: 'image', url: `${filesUrl}/pixel.png` } });
      expect(res.status).to.equal(400);
      expect(res.body.errors[0].field).to.equal('body.url');
      expect(res.body.errors[0].message).to.match(/loopback|not allowed/);
    } finally {
      await strict.close({ cleanup: true });
    }
  });

  it("removes an instance's media and saved contacts with the instance", async () => {
    const gone = await t.sandboxInstance(owner.token);
    const up = await t.request('POST', `/v1/instances/${gone.id}/media`, { apiKey: gone.token, body: form({ type: 'image' }, [{ name: 'pixel.png', mimetype: 'image/png' }]) });
    expect(up.status).to.equal(201);
    expect((await t.request('POST', `/v1/instances/${gone.id}/saved-contacts`, { apiKey: gone.token, json: { full_name: 'A', phone: '573001234567' } })).status).to.equal(201);
    expect((await t.request('DELETE', `/v1/instances/${gone.id}`, { token: owner.token })).status).to.equal(204);
    const { store } = t.app.modules;
    for (const name of ['media', 'media_chunks', 'saved_contacts']) expect(await store.collection(name).countDocuments({ instance_id: gone.id }), name).to.equal(0);
  });

  it('keeps media to its instance and deletes it on request', async () => {
    const res = await t.request('POST', `/v1/instances/${inst.id}/media`, { apiKey: inst.token, body: form({ type: 'video' }, [{ name: 'clip.mp4', mimetype: 'video/mp4' }]) });
    expect(res.status).to.equal(201);
    const stranger = await t.owner('stranger');
    const theirs = await t.sandboxInstance(stranger.token);
    expect((await t.request('GET', `/v1/instances/${inst.id}/media/${res.body.media_id}`, { token: stranger.token })).status).to.equal(404);
    expect((await t.request('GET', `/v1/instances/${theirs.id}/media/${res.body.media_id}`, { token: stranger.token })).status).to.equal(404);
    expect((await t.request('DELETE', `/v1/instances/${theirs.id}/media/${res.body.media_id}`, { token: stranger.token })).status).to.equal(404);
    expect((await t.request('DELETE', `/v1/instances/${inst.id}/media/${res.body.media_id}`, { token: owner.token })).status).to.equal(204);
    expect((await t.request('GET', `/v1/instances/${inst.id}/media/${res.body.media_id}`, { token: owner.token })).status).to.equal(404);
  });
});
