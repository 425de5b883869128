/**
 * A value of the wrong kind says what was expected and what came, in every
 * dialect's error envelope; only a missing field "is required".
 */
import { expect } from 'chai';
import { CookieSession } from '../test-support/cookie-session.js';
import { startTestServer, type TestResponse, type TestServer } from '../test-support/test-server.js';

interface Case {
  dialect: string;
  send: () => Promise<TestResponse>;
  field: string;
  message: string | RegExp;
}

/** Each envelope's field errors, as [field, message] pairs. */
const ENVELOPES: Record<string, (body: Record<string, any>) => { field: string; message: string }[]> = {
  v1: (b) => b.errors,
  seed000: (b) => (expect(b.success).to.equal(false), b.errors),
  seed001: (b) => (expect(b.success).to.equal(false), expect(b.error).to.be.a('string'), b.errors),
  seed002: (b) => (expect(b.success).to.equal(false), b.errors),
  seed003: (b) => (expect(b.status).to.equal(false), b.data.errors),
};

describe('wrong-type errors say what was expected and what came, in every dialect', () => {
  let t: TestServer;
  let owner: string;
  let inst: { id: string; token: string };
  let browser: CookieSession;

  before(async () => {
    t = await startTestServer();
    owner = (await t.owner()).token;
    inst = await t.sandboxInstance(owner);
    browser = new CookieSession(t);
    const username = `wrongtype${process.pid}`;
    await browser.request('POST', '/api/auth/register', { json: { name: 'Ana', phone: '+59171234567', email: `${username}@example.com`, username, password: 'securePassword123' } });
  });
  after(() => t.close({ cleanup: true }));

  const cases = (): Case[] => [
    // optional or defaulted fields of the wrong kind
    { dialect: 'v1', send: () => t.request('PUT', `/v1/instances/${inst.id}/settings/active-hours`, { token: owner, json: { from: 9, to: '18:00' } }), field: 'body.from', message: 'expected a string like "09:00", got a number' },
    { dialect: 'v1', send: () => t.request('PATCH', `/v1/instances/${inst.id}/settings`, { token: owner, json: { actions: { reply_msgs: 'yes' } } }), field: 'body.actions.reply_msgs', message: 'expected true or false, got the string "yes"' },
    { dialect: 'v1', send: () => t.request('GET', `/v1/instances/${inst.id}/messages?page=abc`, { token: owner }), field: 'query.page', message: /^expected a number, got / },
    { dialect: 'seed001', send: () => t.request('POST', '/api/messages/send-bulk', { apiKey: inst.token, json: { recipients: ['573001234567'], message: 'hola', delay: '2000' } }), field: 'body.delay', message: 'expected a number like 2000, got the string "2000"' },
    { dialect: 'seed000', send: () => t.request('POST', '/whatsapp/send', { apiKey: inst.token, json: { code: '591', phone: '71234567', message: true } }), field: 'body.message', message: /^expected a string( like .*)?, got true$/ },
    { dialect: 'seed002', send: () => browser.request('POST', '/api/messages/schedule', { json: { phoneId: '+573001234567', message: 'hola', scheduledTime: '2030-01-01T10:00:00Z', aiModifications: { useSynonyms: 'true' } } }), field: 'body.aiModifications.useSynonyms', message: 'expected true or false, got the string "true"' },
    { dialect: 'seed003', send: () => t.request('PUT', '/whatsapp/updateActiveHours', { token: owner, json: { from: 9 } }), field: 'body.from', message: 'expected a string like "09:00", got a number' },
    { dialect: 'seed003', send: () => t.request('PUT', '/whatsapp/updateActions', { token: owner, json: { reply_msgs: [] } }), field: 'body.reply_msgs', message: 'expected true or false, got an array' },
    // required fields: missing is "is required", present but wrong is not
    { dialect: 'v1', send: () => t.request('PUT', `/v1/instances/${inst.id}/settings/active-hours`, { token: owner, json: { from: '09:00' } }), field: 'body.to', message: 'is required' },
    { dialect: 'seed001', send: () => t.request('POST', '/api/messages/send-bulk', { apiKey: inst.token, json: { message: 'hola' } }), field: 'body.recipients', message: 'is required' },
    { dialect: 'seed001', send: () => t.request('POST', '/api/messages/send-bulk', { apiKey: inst.token, json: { recipients: '573001234567', message: 'hola' } }), field: 'body.recipients', message: /^expected an array( like .*)?, got the string "573001234567"$/ },
    { dialect: 'seed000', send: () => t.request('POST', '/whatsapp/send', { apiKey: inst.token, json: { code: '591', phone: '71234567' } }), field: 'body.message', message: 'is required' },
    { dialect: 'seed002', send: () => browser.request('POST', '/api/messages/schedule', { json: { phoneId: '+573001234567', message: null, scheduledTime: '2030-01-01T10:00:00Z' } }), field: 'body.message', message: 'expected a string, got null' },
    { dialect: 'seed003', send: () => t.request('POST', '/whatsapp/sendText', { token: owner, json: { session_id: inst.id, to: 59171234567, message: 'hola' } }), field: 'body.to', message: /^expected a string( like .*)?, got a number$/ },
  ];

  it('answers each with a 400 naming the field, in the envelope of the route it came to', async () => {
    for (const c of cases()) {
      const res = await c.send();
      const what = `${c.dialect} ${c.field} → ${res.text.slice(0, 400)}`;
      expect(res.status, what).to.equal(400);
      const errors = ENVELOPES[c.dialect](res.body);
      const error = errors.find((e) => e.field === c.field);
      expect(error, what).to.not.equal(undefined);
      if (typeof c.message === 'string') expect(error!.message, what).to.equal(c.message);
      else expect(error!.message, what).to.match(c.message);
    }
  });
});
