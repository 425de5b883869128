import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';

describe('HTTP /v1 schedule right now and reply previews', () => {
  let t: TestServer;
  let token: string;
  let id: string;
  let instanceToken: string;
  // Tuesday 2026-12-01 14:30 UTC: 10:30 in La Paz
  let now = Date.UTC(2026, 11, 1, 14, 30);

  before(async () => {
    t = await startTestServer({ app: { clock: () => now } });
    token = (await t.owner()).token;
    ({ id, token: instanceToken } = await t.sandboxInstance(token, { name: 'Shop' }));
  });
  after(() => t.close({ cleanup: true }));

  it('says whether the bot answers right now, from the stored days, hours and time zone', async () => {
    await t.request('PATCH', `/v1/instances/${id}/settings`, { token, json: { bot_name: 'Shop', bot_timezone: 'America/La_Paz', active_hours: { from: '09:00', to: '18:00' } } });
    const open = await t.request('GET', `/v1/instances/${id}/schedule`, { apiKey: instanceToken });
    expect(open.status).to.equal(200);
    expect(open.body).to.deep.equal({
      active: true,
      reason: 'tuesday 10:30 (America/La_Paz): inside active hours 09:00–18:00',
      day: 'tuesday',
      time: '10:30',
      time_zone: 'America/La_Paz',
      checked_at: '2026-12-01T14:30:00.000Z',
    });
    await t.request('PUT', `/v1/instances/${id}/settings/active-days`, { token, json: { monday: true, tuesday: false, wednesday: true, thursday: true, friday: true, saturday: true, sunday: true } });
    const closed = await t.request('GET', `/v1/instances/${id}/schedule`, { token });
    expect(closed.body).to.include({ active: false, reason: 'tuesday 10:30 (America/La_Paz): tuesday is not an active day' });
    now = Date.UTC(2026, 11, 2, 23, 0);
    expect((await t.request('GET', `/v1/instances/${id}/schedule`, { token })).body).to.include({ active: false, day: 'wednesday', time: '19:00' });
  });

  it('renders a draft reply three times with spintax and placeholders, sending nothing', async () => {
    const res = await t.request('POST', `/v1/instances/${id}/settings/preview`, { token, json: { text: '{Hi|Hello|Hey} [name], [bot_name] here' } });
    expect(res.status).to.equal(200);
    expect(res.body.renderings).to.have.length(3);
    expect(new Set(res.body.renderings).size).to.equal(3);
    for (const r of res.body.renderings) expect(r).to.match(/^(Hi|Hello|Hey) Ana, Shop here$/);
    const named = await t.request('POST', `/v1/instances/${id}/settings/preview`, { apiKey: instanceToken, json: { text: '[name] [phone]: [message]', count: 1, name: 'Luis', phone: '59170000000', message: 'precio' } });
    expect(named.body.renderings).to.deep.equal(['Luis 59170000000: precio']);
  });

  it('names the field of a bad preview request, and hides other owners’ bots', async () => {
    const bad = await t.request('POST', `/v1/instances/${id}/settings/preview`, { token, json: { text: '', count: 50 } });
    expect(bad.status).to.equal(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).to.deep.equal(['body.count', 'body.text']);
    const other = (await t.owner('other')).token;
    expect((await t.request('GET', `/v1/instances/${id}/schedule`, { token: other })).status).to.equal(404);
    expect((await t.request('GET', `/v1/instances/${id}/schedule`)).status).to.equal(401);
  });
});
