import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';

/** Values of the wrong kind for any field. */
const WEIRD: unknown[] = [null, true, 0, -1, 1e308, '', ' ', 'x'.repeat(70_000), '٥٩١', '591\u0000', [], ['591'], {}, { $gt: '' }];

describe('seed 000 dialect: bad input is a 4xx in the seed envelope, never a 500', () => {
  let t: TestServer;
  let token: string;

  before(async () => {
    t = await startTestServer();
    token = (await t.sandboxInstance((await t.owner()).token)).token;
  });
  after(() => t.close({ cleanup: true }));

  const expectClientError = (res: { status: number; body: { success?: boolean } | undefined; text: string }, what: string) => {
    expect(res.status, `${what} → ${res.text.slice(0, 200)}`).to.be.within(400, 499);
    if (res.body !== undefined) expect(res.body.success, what).to.equal(false);
  };

  it('JSON routes: every field with every wrong kind of value, and bodies that are not objects', async () => {
    const routes: [string, Record<string, unknown>][] = [
      ['/whatsapp/send', { code: '591', phone: '71234567', message: 'hola' }],
      ['/whatsapp/send-to-group', { groupId: '120363025555555555@g.us', message: 'hola' }],
    ];
    for (const [path, valid] of routes) {
      for (const body of ['null', '[]', '"x"', '42', '{"code":', '{}']) expectClientError(await t.request('POST', path, { apiKey: token, json: body }), `${path} ${body}`);
      for (const field of Object.keys(valid)) {
        for (const value of WEIRD) {
          const res = await t.request('POST', path, { apiKey: token, json: { ...valid, [field]: value } });
          if (res.status === 200) continue; // some values are fine for some fields (e.g. a long message)
          expectClientError(res, `${path} ${field}=${JSON.stringify(value)?.slice(0, 40)}`);
          expect(res.body.errors?.map((e: { field: string }) => e.field) ?? [], `${path} ${field}`).to.include(`body.${field}`);
        }
      }
    }
  });

  it('multipart routes: wrong content types, stray file fields, empty files', async () => {
    for (const path of ['/whatsapp/send-image', '/whatsapp/send-document']) {
      expectClientError(await t.request('POST', path, { apiKey: token, json: { code: '591', phone: '71234567' } }), `${path} json`);
      const stray = new FormData();
      stray.append('code', '591');
      stray.append('phone', '71234567');
      stray.append('image', new Blob([Buffer.from('xx')], { type: 'image/jpeg' }), 'a.jpg');
      const res = await t.request('POST', path, { apiKey: token, body: stray });
      expectClientError(res, `${path} stray`);
      expect(res.body.errors[0].field).to.equal('image');
      const empty = new FormData();
      empty.append('code', '591');
      empty.append('phone', '71234567');
      empty.append('file', new Blob([]), 'empty.pdf');
      expectClientError(await t.request('POST', path, { apiKey: token, body: empty }), `${path} empty file`);
      const garbage = await t.request('POST', path, { apiKey: token, body: '--x\r\nnot multipart', headers: { 'content-type': 'multipart/form-data; boundary=x' } });
      expectClientError(garbage, `${path} garbage`);
    }
  });
});
