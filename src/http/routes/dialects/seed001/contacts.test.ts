import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';

describe('seed 001 dialect: contacts (/api/contacts/*)', () => {
  let t: TestServer;
  let inst: { id: string; token: string };

  before(async () => {
    // lookup pacing off: these tests are about the answers, not the pacing
    t = await startTestServer({ config: { contacts: { checkIntervalMs: 0, checkJitterMs: 0 } } });
    inst = await t.sandboxInstance((await t.owner()).token);
  });
  after(() => t.close({ cleanup: true }));

  it('checks one number (GET /api/contacts/check/:phone)', async () => {
    const res = await t.request('GET', '/api/contacts/check/573001234567', { apiKey: inst.token });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ success: true, data: { phone: '573001234567', isRegistered: true, jid: '573001234567@s.whatsapp.net' } });
    // the sandbox's convention: numbers ending in 0000 are not on WhatsApp
    const absent = await t.request('GET', '/api/contacts/check/573001230000', { apiKey: inst.token });
    expect(absent.body.data).to.deep.equal({ phone: '573001230000', isRegistered: false, jid: null });
  });

  it('checks the seed example list, keeping the order (POST /api/contacts/check-bulk)', async () => {
    const res = await t.request('POST', '/api/contacts/check-bulk', { apiKey: inst.token, json: { phones: ['573001234567', '573009876543', '573001230000'] } });
    expect(res.status).to.equal(200);
    expect(res.body.success).to.equal(true);
    expect(res.body.data.map((r: { phone: string; isRegistered: boolean }) => [r.phone, r.isRegistered])).to.deep.equal([
      ['573001234567', true],
      ['573009876543', true],
      ['573001230000', false],
    ]);
  });

  it("returns a contact's profile (GET /api/contacts/info/:phone)", async () => {
    // the sandbox phone learns a contact's name from a message they send
    const hello = await t.request('POST', `/v1/instances/${inst.id}/sandbox/messages`, { apiKey: inst.token, json: { from: '573001234567', text: 'hola', push_name: 'Ana' } });
    expect(hello.status).to.equal(201);
    const res = await t.request('GET', '/api/contacts/info/573001234567', { apiKey: inst.token });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ success: true, data: { phone: '573001234567', jid: '573001234567@s.whatsapp.net', name: 'Ana', about: null, profilePicUrl: null } });
  });

  it('answers 400 naming the field for bad numbers, and 401 without the API key', async () => {
    const one = await t.request('GET', '/api/contacts/check/abc', { apiKey: inst.token });
    expect(one.status).to.equal(400);
    expect(one.body.success).to.equal(false);
    expect(one.body.error).to.match(/^Error de validación: params\.phone/);
    expect(one.body.errors[0].field).to.equal('params.phone');

    const bulk = await t.request('POST', '/api/contacts/check-bulk', { apiKey: inst.token, json: { phones: ['573001234567', '12'] } });
    expect(bulk.status).to.equal(400);
    expect(bulk.body.errors[0].field).to.equal('body.phones.1');
    const empty = await t.request('POST', '/api/contacts/check-bulk', { apiKey: inst.token, json: { phones: [] } });
    expect(empty.status).to.equal(400);
    expect(empty.body.errors[0].field).to.equal('body.phones');
    const info = await t.request('GET', '/api/contacts/info/+999', { apiKey: inst.token });
    expect(info.status).to.equal(400);
    expect(info.body.errors[0].field).to.equal('params.phone');

    const anonymous = await t.request('GET', '/api/contacts/check/573001234567');
    expect(anonymous.status).to.equal(401);
    expect(anonymous.body).to.have.property('success', false);
    expect(anonymous.body.error).to.be.a('string');
  });

  it('answers 503 when WhatsApp is not connected', async () => {
    const other = await t.sandboxInstance((await t.owner()).token);
    await t.request('POST', '/api/session/logout', { apiKey: other.token });
    for (const [method, path, json] of [
      ['GET', '/api/contacts/check/573001234567', undefined],
      ['POST', '/api/contacts/check-bulk', { phones: ['573001234567'] }],
      ['GET', '/api/contacts/info/573001234567', undefined],
    ] as const) {
      const res = await t.request(method, path, { apiKey: other.token, json });
      expect(res.status, path).to.equal(503);
      expect(res.body.success).to.equal(false);
      expect(res.body.error).to.match(/^WhatsApp no conectado: /);
    }
  });
});
