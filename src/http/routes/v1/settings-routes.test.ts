import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';

describe('HTTP /v1/instances/:id/settings', () => {
  let t: TestServer;
  let token: string;
  let id: string;
  const path = (suffix = '') => `/v1/instances/${id}/settings${suffix}`;

  before(async () => {
    t = await startTestServer();
    token = (await t.owner()).token;
    id = (await t.sandboxInstance(token)).id;
  });
  after(() => t.close({ cleanup: true }));

  it('deep-merges a partial PATCH and leaves other fields alone', async () => {
    const res = await t.request('PATCH', path(), { token, json: { bot_lang: 'es-BO', actions: { send_webhook: true }, active_days: { sunday: false } } });
    expect(res.status).to.equal(200);
    expect(res.body.bot_lang).to.equal('es-BO');
    expect(res.body.actions).to.include({ send_webhook: true, reply_msgs: true, send_default_msg: true });
    expect(res.body.active_days).to.include({ sunday: false, monday: true });
    expect((await t.request('GET', path(), { token })).body).to.deep.equal(res.body);
  });

  it('replaces each section with PUT', async () => {
    const general = await t.request('PUT', path('/general'), { token, json: { bot_name: 'Bot Name', bot_timezone: '+1', bot_lang: 'en', default_msg: '{Hi|Hello} [name]' } });
    expect(general.status).to.equal(200);
    expect(general.body).to.include({ bot_name: 'Bot Name', bot_timezone: '+1', default_msg: '{Hi|Hello} [name]' });

    const flags = { send_default_msg: false, reply_group_msgs: false, reply_unread_msgs: true, reply_msgs: true, multi_device: true, send_webhook: false };
    const actions = await t.request('PUT', path('/actions'), { token, json: flags });
    // the six flags are replaced; read_messages, a /v1 addition, keeps its value (off by default)
    expect(actions.body.actions).to.deep.equal({ ...flags, read_messages: false });

    const days = { monday: true, tuesday: true, wednesday: true, thursday: true, friday: true, saturday: false, sunday: false };
    expect((await t.request('PUT', path('/active-days'), { token, json: days })).body.active_days).to.deep.equal(days);

    const hours = await t.request('PUT', path('/active-hours'), { token, json: { from: '22:00', to: '6:30' } });
    expect(hours.body.active_hours).to.deep.equal({ from: '22:00', to: '06:30' });
    const always = await t.request('PUT', path('/active-hours'), { token, json: { from: 'always', to: 'always' } });
    expect(always.body.active_hours).to.deep.equal({ from: 'always', to: 'always' });
  });

  it('accepts every time zone form owners type', async () => {
    for (const tz of ['America/La_Paz', 'UTC', '+1', '-05:00', 'UTC+1', 'GMT-3:30', '+05:45']) {
      const res = await t.request('PATCH', path(), { token, json: { bot_timezone: tz } });
      expect(res.status, tz).to.equal(200);
      expect(res.body.bot_timezone).to.equal(tz);
    }
  });

  it('rejects invalid zones, days, hours and unknown fields, naming the field and changing nothing', async () => {
    const before = (await t.request('GET', path(), { token })).body;
    const cases: [string, string, unknown, string][] = [
      ['PATCH', '', { bot_timezone: 'Mars/Olympus' }, 'body.bot_timezone'],
      ['PATCH', '', { bot_timezone: '+15' }, 'body.bot_timezone'],
      ['PATCH', '', { bot_lang: 'english please' }, 'body.bot_lang'],
      ['PATCH', '', { active_hours: { from: '25:00', to: '10:00' } }, 'body.active_hours.from'],
      ['PATCH', '', { active_hours: { from: '10:00', to: 'always' } }, 'body.active_hours.to'],
      ['PATCH', '', { active_hours: { from: '10:00', to: '10:00' } }, 'body.active_hours.to'],
      ['PATCH', '', { active_days: { monday: 'yes' } }, 'body.active_days.monday'],
      ['PATCH', '', { colour: 'blue' }, 'body.colour'],
      ['PUT', '/active-days', { monday: true }, 'body.tuesday'],
      ['PUT', '/active-days', { monday: true, tuesday: true, wednesday: true, thursday: true, friday: true, saturday: true, sunday: true, funday: true }, 'body.funday'],
      ['PUT', '/active-hours', { from: '9', to: '17:00' }, 'body.from'],
      ['PUT', '/actions', { reply_msgs: true }, 'body.send_default_msg'],
      ['PUT', '/general', { bot_name: '' }, 'body.bot_name'],
      ['PUT', '/general', { bot_name: 'x', bot_timezone: 'UTC', bot_lang: 'en', default_msg: 5 }, 'body.default_msg'],
    ];
    for (const [method, suffix, json, field] of cases) {
      const res = await t.request(method, path(suffix), { token, json });
      expect(res.status, `${method} ${suffix} ${JSON.stringify(json)}`).to.equal(400);
      expect(res.body.errors.map((e: { field: string }) => e.field), JSON.stringify(json)).to.include(field);
    }
    const malformed = await t.request('PATCH', path(), { token, body: '{bad json', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).to.equal(400);
    expect((await t.request('GET', path(), { token })).body).to.deep.equal(before);
  });
});
