import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';
import { curlData, fieldsOf, form, media } from '../../../../test-support/http/seed003-requests.js';

describe('seed 003 dialect: POST /whatsapp/message and the deprecated sendText', () => {
  let t: TestServer;
  let token: string;
  let inst: { id: string; token: string };
  const q = () => `session_id=${inst.id}&access_token=${encodeURIComponent(inst.token)}`;
  const sent = () => t.app.modules.engines.sandbox.listSent(inst.id);

  before(async () => {
    t = await startTestServer();
    token = (await t.owner()).token;
    inst = await t.sandboxInstance(token);
  });
  after(() => t.close({ cleanup: true }));

  async function stored(file: string, type: string, mimetype: string): Promise<string> {
    const res = await t.request('POST', `/v1/instances/${inst.id}/media`, { apiKey: inst.token, body: form({ type }, { data: media(file), name: file, type: mimetype }) });
    expect(res.status, res.text).to.equal(201);
    return res.body.media_id;
  }

  it("sends the seed's example — text, two attachments, a location and a saved contact — each as its own message, in order", async () => {
    const image = await stored('pixel.jpg', 'image', 'image/jpeg');
    const doc = await stored('doc.pdf', 'document', 'application/pdf');
    const contact = await t.request('POST', `/v1/instances/${inst.id}/saved-contacts`, { apiKey: inst.token, json: { full_name: 'Barnks 2', phone: '2349048988056' } });
    expect(contact.status, contact.text).to.equal(201);
    const before = (await sent()).length;

    const example = {
      session_id: inst.id,
      access_token: inst.token,
      chatId: '2348179803743',
      message: 'Hello dear',
      attachments: [image, doc],
      location: { name: 'locationName', lat: '6.556452', lng: '3.2774487' },
      contactId: contact.body.id,
    };
    const res = await t.request('POST', `/whatsapp/message?${q()}`, { token, ...curlData(example) });
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.include({ status: true, message: 'Message sent successfully' });

    const data = res.body.data;
    expect(data.attachment).to.deep.equal([image, doc]);
    expect(data.buttons).to.deep.equal({});
    expect(data.location).to.deep.equal({ locationMessage: { degreesLatitude: 6.556452, degreesLongitude: 3.2774487, name: 'locationName' } });
    expect(data.contact.contactMessage.displayName).to.equal('Barnks 2');
    expect(data.contact.contactMessage.vcard).to.contain('FN:Barnks 2').and.contain('waid=2349048988056');
    expect(data.message.key).to.include({ remoteJid: '2348179803743@s.whatsapp.net', fromMe: true });
    expect(data.message.message).to.deep.equal({ extendedTextMessage: { text: 'Hello dear' } });
    expect(data.image.message.imageMessage).to.include({ mimetype: 'image/jpeg' });
    expect(data.messages).to.have.length(5);

    // what the phone sent: the five parts, in the seed's order, to the chat
    const out = (await sent()).slice(before);
    expect(out.map((m) => m.content.type)).to.deep.equal(['text', 'image', 'document', 'location', 'contact']);
    expect(out.every((m) => m.jid === '2348179803743@s.whatsapp.net')).to.equal(true);
    expect(out[0].content).to.include({ text: 'Hello dear' });
    expect((out[2].content.media as { mimetype: string }).mimetype).to.equal('application/pdf');
    expect(out[3].content).to.include({ lat: 6.556452, lng: 3.2774487, name: 'locationName' });
    expect(out.map((m) => m.wa_message_id)).to.deep.equal(data.messages.map((m: { key: { id: string } }) => m.key.id));
  });

  it('sends to a group JID, and a text alone by access token alone', async () => {
    const before = (await sent()).length;
    const res = await t.request('POST', '/whatsapp/message', { ...curlData({ session_id: inst.id, access_token: inst.token, chatId: '120363012345678901@g.us', message: 'hola grupo' }) });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.data.contact).to.deep.equal({});
    expect(res.body.data.location).to.deep.equal({});
    const out = (await sent()).slice(before);
    expect(out.map((m) => [m.jid, m.content.text])).to.deep.equal([['120363012345678901@g.us', 'hola grupo']]);
  });

  it('checks every part before sending any: 400 naming the seed field, nothing sent', async () => {
    const image = await stored('pixel.png', 'image', 'image/png');
    const before = (await sent()).length;
    const cases: [Record<string, unknown>, string][] = [
      [{ chatId: '', message: 'x' }, 'body.chatId'],
      [{ chatId: '12', message: 'x' }, 'body.chatId'],
      [{ chatId: 'someone@example.com', message: 'x' }, 'body.chatId'],
      [{ chatId: '2348179803743' }, 'body.message'],
      [{ chatId: '2348179803743', message: 'x', attachments: [image, 'nope'] }, 'body.attachments.1'],
      [{ chatId: '2348179803743', message: 'x', attachments: [image, '64ac265749240c35b96cb78c'] }, 'body.attachments.1'],
      [{ chatId: '2348179803743', message: 'x', contactId: '64a00ec7c5e487d95dcb0d5e' }, 'body.contactId'],
      [{ chatId: '2348179803743', location: { lat: '95', lng: '3' } }, 'body.location.lat'],
      [{ chatId: '2348179803743', location: { lat: 'north', lng: '3' } }, 'body.location.lat'],
      [{ chatId: '2348179803743', message: 'x', btndata: {} }, 'body.btndata'],
    ];
    for (const [json, field] of cases) {
      const res = await t.request('POST', `/whatsapp/message?${q()}`, { token, ...curlData(json) });
      expect(res.status, `${JSON.stringify(json)}: ${res.text}`).to.equal(400);
      expect(res.body.status).to.equal(false);
      expect(fieldsOf(res.body), JSON.stringify(json)).to.include(field);
    }
    expect((await sent()).length).to.equal(before);
  });

  it('answers 503 when WhatsApp is not connected, 401 without credentials, 404 for another owner', async () => {
    await t.request('POST', `/v1/instances/${inst.id}/logout`, { token });
    try {
      const offline = await t.request('POST', `/whatsapp/message?${q()}`, { json: { chatId: '2348179803743', message: 'x' } });
      expect(offline.status).to.equal(503);
      expect(offline.body.status).to.equal(false);
      expect(offline.body.message).to.match(/not connected/);
    } finally {
      await t.request('POST', `/v1/instances/${inst.id}/connect`, { token });
    }
    expect((await t.request('POST', '/whatsapp/message', { json: { chatId: '2348179803743', message: 'x' } })).status).to.equal(401);
    const stranger = await t.owner('stranger');
    expect((await t.request('POST', `/whatsapp/message?session_id=${inst.id}`, { token: stranger.token, json: { chatId: '2348179803743', message: 'x' } })).status).to.equal(404);
  });

  for (const path of ['/whatsapp/sendText', '/whatsapp/message/sendText']) {
    it(`POST ${path} (deprecated): the seed's example answers "true_<jid>@c.us_<id>"`, async () => {
      const res = await t.request('POST', path, curlData({ session_id: inst.id, access_token: inst.token, to: '2348179803743', message: 'Hello sir 3.' }));
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.include({ status: true, message: 'Message sent successfully' });
      const match = /^true_2348179803743@c\.us_(3EB0[0-9A-F]+)$/.exec(res.body.data);
      expect(match, res.body.data).to.not.equal(null);
      const last = await t.app.modules.engines.sandbox.sentById(inst.id, match![1]);
      expect(last).to.deep.include({ jid: '2348179803743@s.whatsapp.net' });
      expect(last!.content).to.include({ type: 'text', text: 'Hello sir 3.' });

      const bad = await t.request('POST', path, { token, json: { session_id: inst.id, to: 'nobody', message: '' } });
      expect(bad.status).to.equal(400);
      expect(fieldsOf(bad.body)).to.include.members(['body.to', 'body.message']);
    });
  }
});
