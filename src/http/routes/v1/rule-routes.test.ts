import { expect } from 'chai';
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
