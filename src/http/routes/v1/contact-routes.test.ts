import { expect } from 'chai';
import type { SandboxEngine } from '../../../engines/sandbox/sandbox-engine.js';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';

describe('contact routes', () => {
  let t: TestServer;
  let owner: { token: string };
  let inst: { id: string; token: string };

  before(async () => {
    // pacing is exercised in number-checks.test.ts with a virtual clock; here it would only slow the suite
    t = await startTestServer({ config: { contacts: { checkIntervalMs: 0, checkJitterMs: 0 } } });
    owner = await t.owner();
    inst = await t.sandboxInstance(owner.token);
  });
  after(() => t.close({ cleanup: true }));

  it('checks one number', async () => {
    const yes = await t.request('GET', `/v1/instances/${inst.id}/contacts/573001234567/check`, { apiKey: inst.token });
    expect(yes.status, yes.text).to.equal(200);
    expect(yes.body).to.deep.equal({ phone: '573001234567', is_registered: true, jid: '573001234567@s.whatsapp.net' });
    const formatted = await t.request('GET', `/v1/instances/${inst.id}/contacts/${encodeURIComponent('+57 300 123 0000')}/check`, { apiKey: inst.token });
    expect(formatted.body).to.deep.equal({ phone: '573001230000', is_registered: false, jid: null });
    const bad = await t.request('GET', `/v1/instances/${inst.id}/contacts/12ab/check`, { apiKey: inst.token });
    expect(bad.status).to.equal(400);
    expect(bad.body.errors[0].field).to.equal('params.phone');
  });

  it('checks a list, in order, and refuses bad entries or too many', async () => {
    const res = await t.request('POST', `/v1/instances/${inst.id}/contacts/check`, { apiKey: inst.token, json: { phones: ['573001234567', '591 71234567', '573001230000'] } });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.total).to.equal(3);
    expect(res.body.registered).to.equal(2);
    expect(res.body.results.map((r: { phone: string }) => r.phone)).to.deep.equal(['573001234567', '59171234567', '573001230000']);
    const bad = await t.request('POST', `/v1/instances/${inst.id}/contacts/check`, { apiKey: inst.token, json: { phones: ['573001234567', 'x'] } });
    expect(bad.status).to.equal(400);
    expect(bad.body.errors[0].field).to.equal('body.phones.1');
    const many = Array.from({ length: t.config.contacts.checkMaxPerRequest + 1 }, (_, i) => `5730012${String(i + 1).padStart(5, '0')}`);
    const tooMany = await t.request('POST', `/v1/instances/${inst.id}/contacts/check`, { apiKey: inst.token, json: { phones: many } });
    expect(tooMany.status).to.equal(400);
    expect(tooMany.body.errors[0].field).to.equal('body.phones');
  });

  it("returns a contact's profile, with nulls for what WhatsApp does not show", async () => {
    const unknown = await t.request('GET', `/v1/instances/${inst.id}/contacts/573001234567`, { apiKey: inst.token });
    expect(unknown.status).to.equal(200);
    expect(unknown.body).to.deep.equal({ phone: '573001234567', jid: '573001234567@s.whatsapp.net', name: null, about: null, picture_url: null });
    await t.app.modules.engines.sandbox.rememberContact(inst.id, '59171234567@s.whatsapp.net', '59171234567', 'Ana Pérez', Date.now());
    const known = await t.request('GET', `/v1/instances/${inst.id}/contacts/59171234567`, { token: owner.token });
    expect(known.body).to.include({ name: 'Ana Pérez', about: null, picture_url: null });
  });

  it('answers 503 with a reason when the instance is not connected, and 404 to other owners', async () => {
    const created = await t.request('POST', '/v1/instances', { token: owner.token, json: { engine: 'sandbox' } });
    const idle = created.body.id;
    for (const [method, p, json] of [
      ['GET', `/v1/instances/${idle}/contacts/573001234567/check`, undefined],
      ['POST', `/v1/instances/${idle}/contacts/check`, { phones: ['573001234567'] }],
      ['GET', `/v1/instances/${idle}/contacts/573001234567`, undefined],
      ['GET', `/v1/instances/${idle}/groups`, undefined],
    ] as const) {
      const res = await t.request(method, p, { token: owner.token, json });
      expect(res.status, p).to.equal(503);
      expect(res.body.detail).to.match(/WhatsApp is not connected/);
    }
    const engine = t.app.modules.engines.engines.get(inst.id) as SandboxEngine;
    expect(engine.status().status).to.equal('connected');
    const stranger = await t.owner('stranger');
    expect((await t.request('GET', `/v1/instances/${inst.id}/contacts/573001234567/check`, { token: stranger.token })).status).to.equal(404);
  });
});
