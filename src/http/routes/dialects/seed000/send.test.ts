import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';

const MEDIA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../fixtures/media');
const media = (name: string) => fs.readFileSync(path.join(MEDIA, name));

function form(fields: Record<string, string>, file?: { data: Buffer; name: string; type: string; field?: string }): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  if (file) f.append(file.field ?? 'file', new Blob([file.data], { type: file.type }), file.name);
  return f;
}

describe('seed 000 dialect: sending (POST /whatsapp/send*, GET /whatsapp/list-groups)', () => {
  let t: TestServer;
  let inst: { id: string; token: string };
  let ownerToken: string;

  before(async () => {
    t = await startTestServer();
    ownerToken = (await t.owner()).token;
    inst = await t.sandboxInstance(ownerToken);
  });
  after(() => t.close({ cleanup: true }));

  const sent = () => t.app.modules.engines.sandbox.listSent(inst.id);
  const lastSent = async () => (await sent()).at(-1)!;

  it('sends the seed example text to code + phone', async () => {
    const res = await t.request('POST', '/whatsapp/send', {
      apiKey: inst.token,
      json: { code: '591', phone: '71234567', message: 'Hola! Tu pedido #45 está listo para recoger.' },
    });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ success: true, message: 'Mensaje enviado con éxito' });
    expect(res.body.data.key).to.include({ remoteJid: '59171234567@s.whatsapp.net', fromMe: true });
    expect(res.body.data.messageTimestamp).to.be.a('number');
    const last = await lastSent();
    expect(last.jid).to.equal('59171234567@s.whatsapp.net');
    expect(last.wa_message_id).to.equal(res.body.data.key.id);
    expect(last.content).to.deep.include({ type: 'text', text: 'Hola! Tu pedido #45 está listo para recoger.' });
  });

  it("applies the seed's digit rules and names the failing field", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ code: '+591', phone: '71234567', message: 'x' }, 'body.code'],
      [{ code: '5', phone: '71234567', message: 'x' }, 'body.code'],
      [{ code: '5911', phone: '71234567', message: 'x' }, 'body.code'],
      [{ code: '591', phone: '7123 4567', message: 'x' }, 'body.phone'],
      [{ code: '591', phone: '7123456', message: 'x' }, 'body.phone'],
      [{ code: '591', phone: '7123456789012345', message: 'x' }, 'body.phone'],
      [{ code: '591', phone: '00000000', message: 'x' }, 'body.phone'],
      [{ code: '591', phone: '71234567' }, 'body.message'],
      [{ code: '591', phone: '71234567', message: '' }, 'body.message'],
    ];
    const before = (await sent()).length;
    for (const [json, field] of cases) {
      const res = await t.request('POST', '/whatsapp/send', { apiKey: inst.token, json });
      expect(res.status, JSON.stringify(json)).to.equal(400);
      expect(res.body.success).to.equal(false);
      expect(res.body.message).to.match(/^Datos inválidos: /);
      expect(res.body.errors.map((e: { field: string }) => e.field), JSON.stringify(json)).to.include(field);
    }
    const broken = await t.request('POST', '/whatsapp/send', { apiKey: inst.token, json: '{"code": "591",' });
    expect(broken.status).to.equal(400);
    expect(broken.body.success).to.equal(false);
    expect((await sent()).length).to.equal(before);
  });

  it('sends an uploaded image with its caption (multipart, seed field names)', async () => {
    const body = form({ code: '591', phone: '71234567', caption: 'Catálogo de productos - Junio 2025' }, { data: media('pixel.jpg'), name: 'catalogo.jpg', type: 'image/jpeg' });
    const res = await t.request('POST', '/whatsapp/send-image', { apiKey: inst.token, body });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ success: true, message: 'Imagen enviada con éxito' });
    const last = await lastSent();
    expect(last.jid).to.equal('59171234567@s.whatsapp.net');
    expect(last.content).to.deep.include({ type: 'image', caption: 'Catálogo de productos - Junio 2025' });
    expect(last.content.media).to.include({ mimetype: 'image/jpeg', size: media('pixel.jpg').length });
  });

  it('refuses images over 5 MB (413), a missing file, and a file that is not an image, naming the field', async () => {
    const big = Buffer.concat([media('pixel.jpg'), Buffer.alloc(5 * 1024 * 1024)]);
    const tooBig = await t.request('POST', '/whatsapp/send-image', { apiKey: inst.token, body: form({ code: '591', phone: '71234567' }, { data: big, name: 'big.jpg', type: 'image/jpeg' }) });
    expect(tooBig.status).to.equal(413);
    expect(tooBig.body.success).to.equal(false);
    expect(tooBig.body.errors[0].field).to.equal('file');

    const missing = await t.request('POST', '/whatsapp/send-image', { apiKey: inst.token, body: form({ code: '591', phone: '71234567' }) });
    expect(missing.status).to.equal(400);
    expect(missing.body.errors[0].field).to.equal('file');

    const pdf = await t.request('POST', '/whatsapp/send-image', { apiKey: inst.token, body: form({ code: '591', phone: '71234567' }, { data: media('doc.pdf'), name: 'x.jpg', type: 'image/jpeg' }) });
    expect(pdf.status).to.equal(400);
    expect(pdf.body.errors[0].field).to.equal('file');

    const badPhone = await t.request('POST', '/whatsapp/send-image', { apiKey: inst.token, body: form({ code: '591', phone: '7' }, { data: media('pixel.jpg'), name: 'a.jpg', type: 'image/jpeg' }) });
    expect(badPhone.status).to.equal(400);
    expect(badPhone.body.errors[0].field).to.equal('body.phone');
  });

  it('sends a document under fileName, or under its original name, up to 15 MB', async () => {
    const named = await t.request('POST', '/whatsapp/send-document', {
      apiKey: inst.token,
      body: form({ code: '591', phone: '71234567', fileName: 'Factura_Junio_2025.pdf' }, { data: media('doc.pdf'), name: 'factura.pdf', type: 'application/pdf' }),
    });
    expect(named.status).to.equal(200);
    expect(named.body).to.include({ success: true, message: 'Documento enviado con éxito' });
    expect((await lastSent()).content).to.deep.include({ type: 'document', filename: 'Factura_Junio_2025.pdf' });

    // larger than the image limit, well within the document one
    const large = Buffer.concat([media('doc.pdf'), Buffer.alloc(6 * 1024 * 1024, 0x20)]);
    const original = await t.request('POST', '/whatsapp/send-document', {
      apiKey: inst.token,
      body: form({ code: '591', phone: '71234567' }, { data: large, name: 'factura.pdf', type: 'application/pdf' }),
    });
    expect(original.status).to.equal(200);
    const last = await lastSent();
    expect(last.content).to.deep.include({ type: 'document', filename: 'factura.pdf' });
    expect(last.content.media).to.include({ size: large.length });

    const tooBig = await t.request('POST', '/whatsapp/send-document', {
      apiKey: inst.token,
      body: form({ code: '591', phone: '71234567' }, { data: Buffer.alloc(15 * 1024 * 1024 + 1), name: 'huge.pdf', type: 'application/pdf' }),
    });
    expect(tooBig.status).to.equal(413);
    expect(tooBig.body.errors[0].field).to.equal('file');
  });

  it('sends to a group by JID and lists the groups as {id, name}', async () => {
    const now = Date.now();
    await t.app.modules.engines.sandbox.rememberGroup(inst.id, '120363025555555555@g.us', 'Clientes VIP Kantuta', { jid: '59171234567@s.whatsapp.net', phone: '59171234567' }, now);
    await t.app.modules.engines.sandbox.rememberGroup(inst.id, '120363024444444444@g.us', 'Equipo de Ventas', null, now);
    const list = await t.request('GET', '/whatsapp/list-groups', { apiKey: inst.token });
    expect(list.status).to.equal(200);
    expect(list.body).to.deep.equal({
      success: true,
      data: [
        { id: '120363025555555555@g.us', name: 'Clientes VIP Kantuta' },
        { id: '120363024444444444@g.us', name: 'Equipo de Ventas' },
      ],
    });

    // the owner's login acts on the owner's default instance (here: their first one)
    expect((await t.request('GET', '/whatsapp/list-groups', { token: ownerToken })).body).to.deep.equal(list.body);

    const message = 'Estimados clientes, el negocio estará cerrado el lunes 2 de junio por feriado.';
    const res = await t.request('POST', '/whatsapp/send-to-group', { apiKey: inst.token, json: { groupId: list.body.data[0].id, message } });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ success: true, message: 'Comunicado enviado al grupo con éxito' });
    const last = await lastSent();
    expect(last.jid).to.equal('120363025555555555@g.us');
    expect(last.content).to.deep.include({ type: 'text', text: message });

    const notAGroup = await t.request('POST', '/whatsapp/send-to-group', { apiKey: inst.token, json: { groupId: '59171234567@s.whatsapp.net', message } });
    expect(notAGroup.status).to.equal(400);
    expect(notAGroup.body.errors[0].field).to.equal('body.groupId');
  });

  it('works under the /api prefix with ?access_token=, and answers 503 in the envelope when WhatsApp is not connected', async () => {
    const other = await t.sandboxInstance(ownerToken);
    const viaQuery = await t.request('POST', `/api/whatsapp/send?access_token=${encodeURIComponent(other.token)}`, { json: { code: '51', phone: '987654321', message: 'hola' } });
    expect(viaQuery.status).to.equal(200);
    expect((await t.app.modules.engines.sandbox.listSent(other.id)).at(-1)!.jid).to.equal('51987654321@s.whatsapp.net');

    expect((await t.request('POST', `/v1/instances/${other.id}/logout`, { apiKey: other.token })).status).to.equal(200);
    const offline = await t.request('POST', '/whatsapp/send', { apiKey: other.token, json: { code: '591', phone: '71234567', message: 'hola' } });
    expect(offline.status).to.equal(503);
    expect(offline.body.success).to.equal(false);
    expect(offline.body.message).to.match(/^WhatsApp no está conectado: /).and.to.contain('/whatsapp/connect/view').and.not.to.contain('queue');
    const groups = await t.request('GET', '/whatsapp/list-groups', { apiKey: other.token });
    expect(groups.status).to.equal(503);
    expect(groups.body.success).to.equal(false);
  });
});
