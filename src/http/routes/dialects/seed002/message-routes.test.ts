import { expect } from 'chai';
import { CookieSession } from '../../../../test-support/cookie-session.js';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';

const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;

/** Polls until `check` returns something; the bound only stops a hung test, it asserts no timing. */
async function until<T>(check: () => Promise<T | null | false | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A time that is safely in the future but comes soon (whole seconds, as the seed writes it). */
const soon = (ms = 1500) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000).toISOString();
const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

describe('seed 002: scheduling (with aiModifications) and the message queue', () => {
  let t: TestServer;
  let n = 0;

  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close({ cleanup: true }));

  /** A registered user whose default instance is a connected sandbox. */
  async function userWithSandbox(): Promise<{ browser: CookieSession; instanceId: string }> {
    const browser = new CookieSession(t);
    const username = `sched${++n}${process.pid}`;
    await browser.request('POST', '/api/auth/register', {
      json: { name: 'John Doe', phone: '+1234567890', email: `${username}@example.com`, username, password: 'securePassword123', gst: 'GST12345' },
    });
    const created = await browser.request('POST', '/v1/instances', { json: { engine: 'sandbox' } });
    await browser.request('POST', `/v1/instances/${created.body.id}/connect`);
    return { browser, instanceId: created.body.id };
  }

  it("schedules the seed's example: stored with the varied text, listed in the queue, sent when due", async () => {
    const { browser, instanceId } = await userWithSandbox();
    const scheduledTime = soon();
    const original = 'Hello, this is a scheduled message!';
    const res = await browser.request('POST', '/api/messages/schedule', {
      json: { phoneId: '+573001234567', message: original, scheduledTime, aiModifications: { useSynonyms: true, addEmojis: true, shuffleSentences: false } },
    });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ success: true, messageId: res.body.messageId, scheduledFor: scheduledTime });
    expect(res.body.messageId).to.match(/^[0-9a-f]{24}$/);

    const queued = await browser.request('GET', '/api/messages/queue?page=1&limit=10');
    expect(queued.status).to.equal(200);
    expect(queued.body.pagination).to.deep.equal({ page: 1, limit: 10, total: 1, pages: 1 });
    const [item] = queued.body.messages;
    expect(item).to.include({ id: res.body.messageId, to: '+573001234567', status: 'scheduled', scheduledFor: scheduledTime, sentAt: null, type: 'text' });
    // the variation happened once, at scheduling: an emoji fitting "Hello" was added (and "Hello" may have become "Hi")
    expect(item.message).to.not.equal(original);
    expect(item.message).to.match(PICTOGRAPHIC);
    expect(item.message).to.match(/^(Hello|Hi), this is a scheduled message!/);

    const sent = await until(async () => {
      const m = (await browser.request('GET', '/api/messages/queue')).body.messages[0];
      return m.sentAt ? m : null;
    }, 'the scheduled send');
    expect(['sent', 'delivered']).to.include(sent.status);
    expect(Date.parse(sent.sentAt)).to.be.at.least(Date.parse(scheduledTime));
    const recorded = await t.app.modules.engines.sandbox.listSent(instanceId);
    expect(recorded).to.have.length(1);
    expect(recorded[0].jid).to.equal('573001234567@s.whatsapp.net');
    expect(recorded[0].content).to.deep.equal({ type: 'text', text: item.message });
  });

  it('keeps the text as written without aiModifications (or with all of them off)', async () => {
    const { browser } = await userWithSandbox();
    for (const aiModifications of [undefined, { useSynonyms: false, addEmojis: false, shuffleSentences: false }]) {
      const res = await browser.request('POST', '/api/messages/schedule', { json: { phoneId: '+573001234567', message: 'Happy birthday! Enjoy the coffee.', scheduledTime: inAnHour(), aiModifications } });
      expect(res.status).to.equal(200);
    }
    const texts = (await browser.request('GET', '/api/messages/queue')).body.messages.map((m: { message: string }) => m.message);
    expect(texts).to.deep.equal(['Happy birthday! Enjoy the coffee.', 'Happy birthday! Enjoy the coffee.']);
  });

  it('pages the queue, newest first, with the seed defaults (page 1, 10 per page), only the user\'s own messages', async () => {
    const { browser } = await userWithSandbox();
    const other = await userWithSandbox();
    await other.browser.request('POST', '/api/messages/schedule', { json: { phoneId: '+573001234567', message: 'not yours', scheduledTime: inAnHour() } });
    const ids: string[] = [];
    for (const i of [1, 2, 3]) {
      const res = await browser.request('POST', '/api/messages/schedule', { json: { phoneId: '+573001234567', message: `message ${i}`, scheduledTime: inAnHour() } });
      ids.push(res.body.messageId);
    }
    const all = await browser.request('GET', '/api/messages/queue');
    expect(all.body.pagination).to.deep.equal({ page: 1, limit: 10, total: 3, pages: 1 });
    const first = await browser.request('GET', '/api/messages/queue?page=1&limit=2');
    expect(first.body.pagination).to.deep.equal({ page: 1, limit: 2, total: 3, pages: 2 });
    const second = await browser.request('GET', '/api/messages/queue?page=2&limit=2');
    const listed = [...first.body.messages, ...second.body.messages].map((m: { id: string }) => m.id);
    expect(listed).to.deep.equal([...ids].reverse());
    expect(second.body.messages.map((m: { message: string }) => m.message)).to.deep.equal(['message 1']);
  });

  it('answers bad input with 400 naming the field in the seed\'s words, and 401 without a session', async () => {
    const { browser } = await userWithSandbox();
    const good = { phoneId: '+573001234567', message: 'Hello', scheduledTime: inAnHour() };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, phoneId: undefined }, 'body.phoneId'],
      [{ ...good, phoneId: '12' }, 'body.phoneId'],
      [{ ...good, message: '' }, 'body.message'],
      [{ ...good, scheduledTime: undefined }, 'body.scheduledTime'],
      [{ ...good, scheduledTime: '2025-05-16T10:00:00' }, 'body.scheduledTime'],
      [{ ...good, scheduledTime: '2001-01-01T00:00:00.000Z' }, 'body.scheduledTime'],
      [{ ...good, aiModifications: { useSynonyms: 'yes' } }, 'body.aiModifications.useSynonyms'],
    ];
    for (const [json, field] of cases) {
      const res = await browser.request('POST', '/api/messages/schedule', { json });
      expect(res.status, JSON.stringify(json)).to.equal(400);
      expect(res.body.success).to.equal(false);
      expect(res.body.errors.map((e: { field: string }) => e.field), JSON.stringify(json)).to.include(field);
      expect(res.body.message).to.contain(field);
    }
    const badPage = await browser.request('GET', '/api/messages/queue?page=0&limit=x');
    expect(badPage.status).to.equal(400);
    expect(badPage.body.errors.map((e: { field: string }) => e.field)).to.have.members(['query.page', 'query.limit']);
    expect((await browser.request('GET', '/api/messages/queue')).body.pagination.total).to.equal(0);

    expect((await t.request('POST', '/api/messages/schedule', { json: good })).status).to.equal(401);
    expect((await t.request('GET', '/api/messages/queue')).status).to.equal(401);
  });
});
