import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';

describe('seed 000 dialect: the browser send form (GET/POST /whatsapp/view)', () => {
  let t: TestServer;
  let inst: { id: string; token: string };

  before(async () => {
    t = await startTestServer();
    inst = await t.sandboxInstance((await t.owner()).token);
  });
  after(() => t.close({ cleanup: true }));

  // what a browser does: the form has no action, so it posts to the page's own URL, token included
  const pageUrl = () => `/whatsapp/view?access_token=${encodeURIComponent(inst.token)}`;
  const submit = (url: string, fields: Record<string, string>) =>
    t.request('POST', url, { body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

  it('serves a form that posts back to itself without writing the token into the page', async () => {
    const res = await t.request('GET', pageUrl());
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.contain('text/html');
    expect(res.headers.get('referrer-policy')).to.equal('no-referrer');
    expect(res.text).to.match(/<form method="post">/);
    expect(res.text).not.to.match(/action=/);
    expect(res.text).to.contain('name="code"').and.to.contain('name="phone"').and.to.contain('name="message"');
    expect(res.text).to.contain('connected');
    expect(res.text).not.to.contain(inst.token);
  });

  it('sends the message and shows the outcome', async () => {
    const res = await submit(pageUrl(), { code: '591', phone: '71234567', message: 'Hola desde el formulario <b>' });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.contain('text/html');
    expect(res.text).to.contain('Mensaje enviado con éxito a +59171234567');
    expect(res.text).not.to.contain(inst.token);
    const last = (await t.app.modules.engines.sandbox.listSent(inst.id)).at(-1)!;
    expect(last.jid).to.equal('59171234567@s.whatsapp.net');
    expect(last.content).to.deep.include({ type: 'text', text: 'Hola desde el formulario <b>' });
  });

  it('shows invalid input on the page with the form as filled in, naming the fields', async () => {
    const before = await t.app.modules.engines.sandbox.countSent(inst.id);
    const res = await submit(`/api${pageUrl()}`, { code: '+591', phone: '71234567', message: '<script>x</script>' });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('Datos inválidos').and.to.contain('body.code');
    expect(res.text).to.contain('value="+591"').and.to.contain('&lt;script&gt;x&lt;/script&gt;');
    expect(res.text).not.to.contain('<script>x');
    expect(await t.app.modules.engines.sandbox.countSent(inst.id)).to.equal(before);
  });

  it('needs the token', async () => {
    const res = await submit('/whatsapp/view', { code: '591', phone: '71234567', message: 'x' });
    expect(res.status).to.equal(401);
    expect(res.body.success).to.equal(false);
  });
});
