import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';

/** Values of the wrong kind for any field. */
const WEIRD: unknown[] = [null, true, 0, -1, 1e308, '', ' ', 'x'.repeat(70_000), '٥٧٣', [], ['573001234567'], {}, { $gt: '' }];

describe('seed 001 dialect: bad input is a 4xx in the seed envelope, never a 500', () => {
  let t: TestServer;
  let token: string;

  before(async () => {
    t = await startTestServer({ config: { contacts: { checkIntervalMs: 0, checkJitterMs: 0 } } });
    token = (await t.sandboxInstance((await t.owner()).token)).token;
  });
  after(() => t.close({ cleanup: true }));

  it('every JSON field with every wrong kind of value, and bodies that are not objects', async () => {
    const routes: [string, Record<string, unknown>][] = [
      ['/api/contacts/check-bulk', { phones: ['573001234567'] }],
      ['/api/messages/send-image', { phone: '573001234567', base64: 'iVBORw0KGgo=', mimetype: 'image/png', caption: 'x' }],
      ['/api/messages/send-document', { phone: '573001234567', documentUrl: 'https://example.invalid/a.pdf', filename: 'a.pdf', caption: 'x' }],
      ['/api/messages/send-bulk', { recipients: ['573001234567'], message: 'hola', delay: 0 }],
      ['/api/webhooks/register', { url: 'https://example.invalid/hook', events: ['message'], secret: 'a-long-enough-secret-0123456789' }],
    ];
    for (const [path, valid] of routes) {
      for (const body of ['null', '[]', '"x"', '42', '{"phone":']) {
        const res = await t.request('POST', path, { apiKey: token, json: body });
        expect(res.status, `${path} ${body}`).to.be.within(400, 499);
        expect(res.body.success).to.equal(false);
      }
      for (const field of Object.keys(valid)) {
        for (const value of WEIRD) {
          const res = await t.request('POST', path, { apiKey: token, json: { ...valid, [field]: value } });
          expect(res.status, `${path} ${field}=${JSON.stringify(value)?.slice(0, 40)} → ${res.text.slice(0, 300)}`).to.be.below(500);
          if (res.status >= 400) expect(res.body.success).to.equal(false);
        }
      }
    }
  });

  it('path parameters of any shape', async () => {
    for (const phone of ['%00', 'x'.repeat(41), '%F0%9F%98%80', '+', '573001234567@s.whatsapp.net']) {
      for (const path of [`/api/contacts/check/${phone}`, `/api/contacts/info/${phone}`]) {
        const res = await t.request('GET', path, { apiKey: token });
        expect(res.status, path).to.be.within(400, 499);
        expect(res.body.success, path).to.equal(false);
      }
    }
    for (const id of ['%00', 'x'.repeat(65), 'aaaaaaaaaaaaaaaaaaaaaaaa', '{"$gt":""}']) {
      expect((await t.request('DELETE', `/api/webhooks/${id}`, { apiKey: token })).status, id).to.be.within(400, 499);
      expect((await t.request('POST', `/api/webhooks/${id}/toggle`, { apiKey: token, json: { enabled: 'yes' } })).status, id).to.be.within(400, 499);
    }
  });
});
