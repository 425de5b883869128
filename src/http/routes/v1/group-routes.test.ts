import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';

describe('group routes', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close({ cleanup: true }));

  it('lists the groups with their participants, phones where known', async () => {
    const owner = await t.owner();
    const inst = await t.sandboxInstance(owner.token);
    expect((await t.request('GET', `/v1/instances/${inst.id}/groups`, { apiKey: inst.token })).body).to.deep.equal([]);
    const now = Date.now();
    await t.app.modules.engines.sandbox.rememberGroup(inst.id, '120363025555555555@g.us', 'Ventas', { jid: '59171234567@s.whatsapp.net', phone: '59171234567' }, now);
    await t.app.modules.engines.sandbox.rememberGroup(inst.id, '120363025555555555@g.us', null, { jid: '123456789012345@lid', phone: null }, now);
    await t.app.modules.engines.sandbox.rememberGroup(inst.id, '120363024444444444@g.us', 'Clientes VIP', { jid: '573001234567@s.whatsapp.net', phone: null }, now);
    const res = await t.request('GET', `/v1/instances/${inst.id}/groups`, { apiKey: inst.token });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal([
      { id: '120363024444444444@g.us', name: 'Clientes VIP', size: 1, participants: [{ jid: '573001234567@s.whatsapp.net', phone: '573001234567', lid: null, admin: false }] },
      {
        id: '120363025555555555@g.us',
        name: 'Ventas',
        size: 2,
        participants: [
          { jid: '59171234567@s.whatsapp.net', phone: '59171234567', lid: null, admin: false },
          { jid: '123456789012345@lid', phone: null, lid: '123456789012345@lid', admin: false },
        ],
      },
    ]);
  });
});
