/**
 * The whole app on the PostgreSQL backend (DATABASE_URL): a sandbox bot
 * answers by a rule, the reply goes through the outbox, a scheduled send
 * waits, and after a restart on the same schema everything is still there
 * and the scheduled message still goes out once.
 */
import { expect } from 'chai';
import { PgStore } from './pg-store.js';
import { postgresUrl } from '../../test-support/store-backends.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import { eventually } from '../../test-support/webhook-receiver.js';

const pg = postgresUrl();

if (!pg.ok) {
  describe('the app on PostgreSQL', () => {
    it('is skipped because PostgreSQL is not reachable', function () {
      if (process.env.TUCAN_REQUIRE_POSTGRES === '1') throw new Error(`PostgreSQL is required here (TUCAN_REQUIRE_POSTGRES=1) but ${pg.reason}`);
      console.log(`      (the app on PostgreSQL skipped: ${pg.reason}; set TUCAN_TEST_POSTGRES_URL)`);
      this.skip();
    });
  });
}

(pg.ok ? describe : describe.skip)('the app on PostgreSQL', function () {
  this.timeout(60_000);
  const schema = `app_${process.pid}_${Date.now()}`;
  const url = pg.ok ? `${pg.url}${pg.url.includes('?') ? '&' : '?'}schema=${schema}` : '';
  let t: TestServer;

  before(async () => {
    t = await startTestServer({ config: { store: { postgresUrl: url } } });
  });
  after(async () => {
    await t?.close({ cleanup: true });
    const admin = await PgStore.connect(url);
    await admin.dropSchema();
    await admin.close();
  });

  it('answers by a rule, sends through the outbox, and keeps everything across a restart', async () => {
    expect(t.app.modules.store.kind).to.equal('postgres');
    const { token, username } = await t.owner();
    const { id } = await t.sandboxInstance(token);
    expect((await t.request('POST', `/v1/instances/${id}/rules`, { token, json: { name: 'Prices', keywords: ['precio'], reply: { text: 'Our prices' } } })).status).to.equal(201);

    const said = await t.request('POST', `/v1/instances/${id}/sandbox/messages`, { token, json: { from: '+591 71234567', text: 'precio?' } });
    expect(said.status, said.text).to.equal(201);
    expect(said.body.replies).to.deep.equal([{ text: 'Our prices' }]);
    expect(said.body.reply_messages[0].status).to.be.oneOf(['sent', 'delivered']);

    const at = new Date(Date.now() + 2500).toISOString();
    const scheduled = await t.request('POST', `/v1/instances/${id}/messages`, { token, json: { to: '59171234568', text: 'later', schedule_at: at } });
    expect(scheduled.status, scheduled.text).to.equal(202);
    expect(scheduled.body.status).to.equal('scheduled');

    // restart on the same schema, before the scheduled time
    const dataDir = t.dataDir;
    await t.close({ cleanup: false });
    t = await startTestServer({ dataDir, config: { store: { postgresUrl: url } } });
    // the account is in PostgreSQL too: signing in again works on the new process
    const login = await t.request('POST', '/v1/auth/login', { json: { username, password: 'a long password' } });
    expect(login.status, login.text).to.equal(200);
    const token2 = login.body.token as string;
    const trace = await t.request('GET', `/v1/instances/${id}/messages/${said.body.message_id}/trace`, { token: token2 });
    expect(trace.status, trace.text).to.equal(200);
    expect(trace.body.replies).to.deep.equal([{ text: 'Our prices' }]);

    const sent = await eventually(async () => {
      const res = await t.request('GET', `/v1/instances/${id}/messages/${scheduled.body.id}`, { token: token2 });
      return ['sent', 'delivered'].includes(res.body.status) ? res.body : undefined;
    }, 20_000);
    expect(sent.wa_message_id).to.be.a('string');
    const out = (await t.app.modules.engines.sandbox.listSent(id)).filter((m) => m.jid === '59171234568@s.whatsapp.net');
    expect(out).to.have.length(1);
  });
});
