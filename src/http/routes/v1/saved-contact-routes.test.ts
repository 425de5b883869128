import { expect } from 'chai';
import { buildVCard } from '../../../domain/vcard.js';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';

describe('saved contact routes', () => {
  let t: TestServer;
  let owner: { token: string };
  let inst: { id: string; token: string };
  const base = () => `/v1/instances/${inst.id}/saved-contacts`;

  before(async () => {
    t = await startTestServer();
    owner = await t.owner();
    inst = await t.sandboxInstance(owner.token);
  });
  after(() => t.close({ cleanup: true }));

  it('creates, reads, lists, changes and deletes a contact', async () => {
    const created = await t.request('POST', base(), { apiKey: inst.token, json: { full_name: 'Ana Pérez', organization: 'Kantuta; POS', phone: '+591 712 34567' } });
    expect(created.status, created.text).to.equal(201);
    expect(created.body).to.include({ full_name: 'Ana Pérez', display_name: null, organization: 'Kantuta; POS', phone: '59171234567' });
    const id = created.body.id;
    expect((await t.request('GET', `${base()}/${id}`, { apiKey: inst.token })).body).to.deep.equal(created.body);

    await t.request('POST', base(), { apiKey: inst.token, json: { full_name: 'Bruno Díaz', phone: '573001234567' } });
    const list = await t.request('GET', `${base()}?limit=1`, { apiKey: inst.token });
    expect(list.body.pagination).to.deep.equal({ page: 1, limit: 1, total: 2, pages: 2 });
    expect(list.body.contacts[0].full_name).to.equal('Ana Pérez');
    const byPhone = await t.request('GET', `${base()}?phone=573001234567`, { apiKey: inst.token });
    expect(byPhone.body.contacts.map((c: { full_name: string }) => c.full_name)).to.deep.equal(['Bruno Díaz']);

    const changed = await t.request('PATCH', `${base()}/${id}`, { apiKey: inst.token, json: { display_name: 'Ana', organization: null } });
    expect(changed.status).to.equal(200);
    expect(changed.body).to.include({ display_name: 'Ana', organization: null, phone: '59171234567' });

    // the SavedContacts port gives the vCard fields contact messages are built from
    const fields = await t.app.modules.media.savedContacts.vcardFields(inst.id, id);
    expect(fields).to.deep.equal({ full_name: 'Ana Pérez', display_name: 'Ana', phone: '59171234567' });
    expect(buildVCard(fields)).to.contain('TEL;type=CELL;type=VOICE;waid=59171234567:+59171234567');

    expect((await t.request('DELETE', `${base()}/${id}`, { apiKey: inst.token })).status).to.equal(204);
    expect((await t.request('GET', `${base()}/${id}`, { apiKey: inst.token })).status).to.equal(404);
    let missing: unknown;
    await t.app.modules.media.savedContacts.vcardFields(inst.id, id).catch((err) => (missing = err));
    expect((missing as { status: number }).status).to.equal(404);
  });

  it('refuses bad input and duplicates, naming the field', async () => {
    const bad = await t.request('POST', base(), { apiKey: inst.token, json: { full_name: 'X', phone: '12' } });
    expect(bad.status).to.equal(400);
    expect(bad.body.errors[0].field).to.equal('body.phone');
    const noName = await t.request('POST', base(), { apiKey: inst.token, json: { phone: '573001112233' } });
    expect(noName.status).to.equal(400);
    expect(noName.body.errors[0].field).to.equal('body.full_name');
    const first = await t.request('POST', base(), { apiKey: inst.token, json: { full_name: 'Carla', phone: '573009998877' } });
    const dup = await t.request('POST', base(), { apiKey: inst.token, json: { full_name: 'Carla 2', phone: '+57 300 999 8877' } });
    expect(dup.status).to.equal(409);
    expect(dup.body.errors[0].field).to.equal('body.phone');
    expect(dup.body.detail).to.contain(first.body.id);
  });

  it("keeps each instance's contacts to itself", async () => {
    const created = await t.request('POST', base(), { apiKey: inst.token, json: { full_name: 'Private', phone: '573005554433' } });
    const other = await t.sandboxInstance(owner.token);
    expect((await t.request('GET', `/v1/instances/${other.id}/saved-contacts/${created.body.id}`, { apiKey: other.token })).status).to.equal(404);
    expect((await t.request('GET', `/v1/instances/${inst.id}/saved-contacts/${created.body.id}`, { apiKey: other.token })).status).to.equal(404);
    expect((await t.request('DELETE', `/v1/instances/${other.id}/saved-contacts/${created.body.id}`, { apiKey: other.token })).status).to.equal(404);
  });
});
