import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { testResolver } from '../../../test-support/resolver.js';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';

describe('HTTP /v1/instances/:id/rules', () => {
  let t: TestServer;
  let token: string;
  let id: string;
  const path = (suffix = '') => `/v1/instances/${id}/rules${suffix}`;

  before(async () => {
    t = await startTestServer();
    token = (await t.owner()).token;
    id = (await t.sandboxInstance(token)).id;
  });
  after(() => t.close({ cleanup: true }));

  it('creates a rule with defaults, reads, changes and deletes it', async () => {
    const created = await t.request('POST', path(), { token, json: { name: 'Prices', keywords: ['precio'], reply: { text: '{Hi|Hello} [name]' } } });
    expect(created.status).to.equal(201);
    expect(created.body).to.deep.include({
      name: 'Prices',
      keywords: ['precio'],
      match: 'contains',
      case_sensitive: false,
      priority: 0,
      enabled: true,
      scope: 'all',
      message_types: null,
      cooldown_seconds: null,
      reply: { text: '{Hi|Hello} [name]' },
    });
    const ruleId = created.body.id;

    const got = await t.request('GET', path(`/${ruleId}`), { token });
    expect(got.status).to.equal(200);
    expect(got.body).to.deep.equal(created.body);

    const patched = await t.request('PATCH', path(`/${ruleId}`), { token, json: { match: 'word', priority: 7, cooldown_seconds: 60 } });
    expect(patched.status).to.equal(200);
    expect(patched.body).to.deep.include({ match: 'word', priority: 7, cooldown_seconds: 60, keywords: ['precio'] });

    const cleared = await t.request('PATCH', path(`/${ruleId}`), { token, json: { cooldown_seconds: null } });
    expect(cleared.body.cooldown_seconds).to.equal(null);

    expect((await t.request('DELETE', path(`/${ruleId}`), { token })).status).to.equal(204);
    expect((await t.request('GET', path(`/${ruleId}`), { token })).status).to.equal(404);
    expect((await t.request('DELETE', path(`/${ruleId}`), { token })).status).to.equal(404);
  });

  it('lists rules in the order they are checked, paginated', async () => {
    const other = (await t.sandboxInstance(token)).id;
    const mk = (name: string, priority: number) => t.request('POST', `/v1/instances/${other}/rules`, { token, json: { name, priority, keywords: [name], reply: { text: name } } });
    for (const [name, priority] of [['a', 0], ['b', 5], ['c', 0], ['d', 10]] as const) expect((await mk(name, priority)).status).to.equal(201);
    const page1 = await t.request('GET', `/v1/instances/${other}/rules?limit=3`, { token });
    expect(page1.body.rules.map((r: { name: string }) => r.name)).to.deep.equal(['d', 'b', 'a']);
    expect(page1.body.pagination).to.deep.equal({ page: 1, limit: 3, total: 4, pages: 2 });
    const page2 = await t.request('GET', `/v1/instances/${other}/rules?limit=3&page=2`, { token });
    expect(page2.body.rules.map((r: { name: string }) => r.name)).to.deep.equal(['c']);
  });

  it('accepts a keyword-less rule for a message type, rich replies, and the instance token', async () => {
    const inst = await t.sandboxInstance(token);
    const res = await t.request('POST', `/v1/instances/${inst.id}/rules`, {
      apiKey: inst.token,
      json: { name: 'Any image', message_types: ['image'], reply: { image: { url: 'https://example.com/thanks.jpg' }, caption: 'Thanks [name]' } },
    });
    expect(res.status).to.equal(201);
    expect(res.body).to.deep.include({ keywords: [], message_types: ['image'] });
  });

  it('rejects invalid rules at save time with 400 naming the field', async () => {
    const valid = { name: 'x', keywords: ['k'], reply: { text: 'r' } };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...valid, keywords: [] }, 'body.keywords'],
      [{ ...valid, keywords: ['ok', ' '] }, 'body.keywords.1'],
      [{ ...valid, match: 'fuzzy' }, 'body.match'],
      [{ ...valid, match: 'regex', keywords: ['(a+)+\\1'] }, 'body.keywords.0'],
      [{ ...valid, match: 'regex', keywords: ['(?<=a)b'] }, 'body.keywords.0'],
      [{ ...valid, match: 'regex', keywords: ['['] }, 'body.keywords.0'],
      [{ ...valid, reply: {} }, 'body.reply'],
      [{ ...valid, reply: { text: '' } }, 'body.reply.text'],
      [{ ...valid, reply: { hologram: 'x' } }, 'body.reply.hologram'],
      [{ ...valid, reply: 'hello' }, 'body.reply'],
      [{ ...valid, scope: 'everyone' }, 'body.scope'],
      [{ ...valid, message_types: ['protocol'] }, 'body.message_types.0'],
      [{ ...valid, cooldown_seconds: -5 }, 'body.cooldown_seconds'],
      [{ ...valid, priority: 'high' }, 'body.priority'],
      [{ ...valid, keywords: 'price' }, 'body.keywords'],
      [{ ...valid, extra: true }, 'body.extra'],
      [{ keywords: ['k'], reply: { text: 'r' } }, 'body.name'],
    ];
    for (const [body, field] of cases) {
      const res = await t.request('POST', path(), { token, json: body });
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.headers.get('content-type')).to.match(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field), JSON.stringify(body)).to.include(field);
    }
    const notJson = await t.request('POST', path(), { token, body: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).to.equal(400);
  });

  it('checks a PATCH against the whole rule', async () => {
    const created = await t.request('POST', path(), { token, json: { name: 'lit', keywords: ['(a)\\1', 'b'], reply: { text: 'r' } } });
    expect(created.status).to.equal(201);
    const res = await t.request('PATCH', path(`/${created.body.id}`), { token, json: { match: 'regex' } });
    expect(res.status).to.equal(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).to.deep.equal(['body.keywords.0']);
    const empty = await t.request('PATCH', path(`/${created.body.id}`), { token, json: { keywords: [] } });
    expect(empty.status).to.equal(400);
    expect((await t.request('GET', path(`/${created.body.id}`), { token })).body.match).to.equal('contains');
  });

  it("hides another owner's instances and rules (404)", async () => {
    const created = await t.request('POST', path(), { token, json: { name: 'mine', keywords: ['k'], reply: { text: 'r' } } });
    const stranger = (await t.owner('stranger')).token;
    expect((await t.request('GET', path(), { token: stranger })).status).to.equal(404);
    expect((await t.request('GET', path(`/${created.body.id}`), { token: stranger })).status).to.equal(404);
    expect((await t.request('POST', path(), { token: stranger, json: { name: 'x', keywords: ['k'], reply: { text: 'r' } } })).status).to.equal(404);
    expect((await t.request('DELETE', path(`/${created.body.id}`), { token: stranger })).status).to.equal(404);
    expect((await t.request('GET', path('/not-an-id'), { token })).status).to.equal(400);
    expect((await t.request('GET', path(), {})).status).to.equal(401);
  });
});

describe('HTTP /v1/instances/:id/rules: what a reply refers to is checked when the rule is saved', () => {
  let t: TestServer;
  let token: string;
  let id: string;
  const rules = (suffix = '') => `/v1/instances/${id}/rules${suffix}`;
  const png = fs.readFileSync(path.resolve('fixtures/media/pixel.png')).toString('base64');
  const pdf = fs.readFileSync(path.resolve('fixtures/media/doc.pdf')).toString('base64');
  // no real DNS: these names resolve as given, every other name does not resolve
  const dns = testResolver({ 'intranet.test': ['10.20.30.40'], 'metadata.test': ['::ffff:169.254.169.254'], 'cdn.test': ['8.8.8.8'] });

  before(async () => {
    t = await startTestServer({ app: { resolve: dns.resolve } });
    token = (await t.owner()).token;
    id = (await t.sandboxInstance(token)).id;
  });
  after(() => t.close({ cleanup: true }));

  const rule = (reply: Record<string, unknown>) => ({ name: 'r', keywords: ['k'], reply });
  async function refused(method: 'POST' | 'PATCH', p: string, body: unknown, field: string, message: RegExp): Promise<void> {
    const res = await t.request(method, p, { token, json: body });
    expect(res.status, `${JSON.stringify(body)} → ${res.text}`).to.equal(400);
    expect(res.body.errors, JSON.stringify(body)).to.have.length(1);
    expect(res.body.errors[0].field, JSON.stringify(body)).to.equal(field);
    expect(res.body.errors[0].message, JSON.stringify(body)).to.match(message);
  }

  it('refuses media URLs on private and metadata addresses, as literals or by what the host resolves to', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ image: { url: 'http://169.254.169.254/latest/meta-data/' } }, 'body.reply.image.url', /169\.254\.169\.254 is a link-local address/],
      [{ image: { url: 'http://[::a9fe:a9fe]/x.jpg' } }, 'body.reply.image.url', /carrying 169\.254\.169\.254/],
      [{ image: { url: 'https://intranet.test/logo.png' }, caption: 'Hi [name]' }, 'body.reply.image.url', /intranet\.test resolves to 10\.20\.30\.40, a private address/],
      [{ video: { url: 'http://metadata.test/v.mp4' } }, 'body.reply.video.url', /carrying 169\.254\.169\.254/],
      [{ audio: { url: 'http://127.0.0.1:9/a.mp3', ptt: true } }, 'body.reply.audio.url', /loopback/],
      [{ document: { url: 'http://192.168.1.10/a.pdf', filename: 'a.pdf' } }, 'body.reply.document.url', /private/],
      [{ sticker: { url: 'http://[fd00:ec2::254]/s.webp' } }, 'body.reply.sticker.url', /unique local/],
      [{ buttons: { text: 'Pick', buttons: [{ type: 'reply', title: 'A' }], media: { url: 'http://10.0.0.1/b.png' } } }, 'body.reply.buttons.media.url', /private/],
    ];
    for (const [reply, field, message] of cases) await refused('POST', rules(), rule(reply), field, message);
    expect((await t.request('GET', rules(), { token })).body.pagination.total).to.equal(0);
  });

  it("refuses another instance's media id, an unknown one, and one that does not fit the message type", async () => {
    const upload = async (instanceToken: string, instanceId: string, json: Record<string, unknown>) => {
      const res = await t.request('POST', `/v1/instances/${instanceId}/media`, { apiKey: instanceToken, json });
      expect(res.status, res.text).to.equal(201);
      return res.body.media_id as string;
    };
    const stranger = await t.sandboxInstance((await t.owner('stranger')).token);
    const theirs = await upload(stranger.token, stranger.id, { type: 'image', base64: png, mimetype: 'image/png' });
    const mine = await t.sandboxInstance(token);
    const mineRules = `/v1/instances/${mine.id}/rules`;
    const myPdf = await upload(mine.token, mine.id, { type: 'document', base64: pdf, mimetype: 'application/pdf' });

    await refused('POST', mineRules, rule({ image: { media_id: theirs } }), 'body.reply.image.media_id', /no stored media of this instance/);
    await refused('POST', mineRules, rule({ image: { media_id: 'aaaaaaaaaaaaaaaaaaaaaaaa' } }), 'body.reply.image.media_id', /no stored media of this instance/);
    await refused('POST', mineRules, rule({ image: { media_id: myPdf } }), 'body.reply.image.media_id', /application\/pdf, which does not fit an? image/);
    const ok = await t.request('POST', mineRules, { token, json: rule({ document: { media_id: myPdf }, caption: 'Your invoice, [name]' }) });
    expect(ok.status, ok.text).to.equal(201);
  });

  it('refuses base64 media that does not fit, an unknown saved contact and mentions that are not numbers', async () => {
    await refused('POST', rules(), rule({ image: { base64: pdf, mimetype: 'image/png' } }), 'body.reply.image.base64', /application\/pdf, which does not fit an? image/);
    await refused('POST', rules(), rule({ contact: { contact_id: 'bbbbbbbbbbbbbbbbbbbbbbbb' } }), 'body.reply.contact.contact_id', /no saved contact/);
    await refused('POST', rules(), rule({ text: 'Hi @team', mentions: ['not a number'] }), 'body.reply.mentions.0', /.+/);
  });

  it('accepts public URLs and hosts that do not resolve yet (they are checked again at every reply)', async () => {
    for (const url of ['https://cdn.test/thanks.jpg', 'https://pictures.invalid/thanks.jpg', 'http://[2606:4700:4700::1111]/p.png']) {
      const res = await t.request('POST', rules(), { token, json: rule({ image: { url } }) });
      expect(res.status, `${url} → ${res.text}`).to.equal(201);
    }
    const withPng = await t.request('POST', rules(), { token, json: rule({ image: { base64: png, mimetype: 'image/png' } }) });
    expect(withPng.status, withPng.text).to.equal(201);
  });

  it('checks a changed reply on PATCH, and leaves an unchanged one alone', async () => {
    const created = await t.request('POST', rules(), { token, json: rule({ image: { url: 'https://cdn.test/a.jpg' } }) });
    expect(created.status, created.text).to.equal(201);
    const one = rules(`/${created.body.id}`);
    await refused('PATCH', one, { reply: { image: { url: 'http://[::7f00:1]/a.jpg' } } }, 'body.reply.image.url', /carrying 127\.0\.0\.1/);
    await refused('PATCH', one, { reply: { document: { url: 'https://intranet.test/a.pdf' } } }, 'body.reply.document.url', /resolves to 10\.20\.30\.40/);
    // the host now resolves somewhere private: a keyword change does not re-judge the reply (it is judged again at every fetch)
    dns.answer('cdn.test', ['10.0.0.1']);
    const keywords = await t.request('PATCH', one, { token, json: { keywords: ['other'] } });
    expect(keywords.status, keywords.text).to.equal(200);
    await refused('PATCH', one, { reply: { image: { url: 'https://cdn.test/b.jpg' } } }, 'body.reply.image.url', /cdn\.test resolves to 10\.0\.0\.1/);
    expect((await t.request('GET', one, { token })).body.reply).to.deep.equal({ image: { url: 'https://cdn.test/a.jpg' } });
  });
});
