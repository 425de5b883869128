import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';
import { curlData, fieldsOf, media } from '../../../../test-support/http/seed003-requests.js';

describe('seed 003 dialect: button, contact, list and MediaButton messages', () => {
  let t: TestServer;
  let token: string;
  let inst: { id: string; token: string };
  let pictures: http.Server;
  let picturesUrl: string;
  const q = () => `session_id=${inst.id}&access_token=${encodeURIComponent(inst.token)}`;
  const sent = () => t.app.modules.engines.sandbox.listSent(inst.id);
  const lastSent = async () => (await sent()).at(-1)!;

  before(async () => {
    t = await startTestServer({ config: { network: { allowLoopbackUrls: true } } });
    token = (await t.owner()).token;
    inst = await t.sandboxInstance(token);
    // stands in for the seed's picsum.photos URL
    pictures = http.createServer((req, res) => {
      if (req.url === '/536/354') res.writeHead(200, { 'content-type': 'image/jpeg' }).end(media('pixel.jpg'));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => pictures.listen(0, '127.0.0.1', resolve));
    picturesUrl = `http://127.0.0.1:${(pictures.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => pictures.close(() => resolve()));
    await t.close({ cleanup: true });
  });

  it("POST /whatsapp/message/button: the seed's example is delivered with every button (204)", async () => {
    const example = {
      chatId: '2348179803743',
      btndata: {
        text: 'title Head',
        buttons: [
          { type: 'replyButton', title: 'Reply this text (REPLY)' },
          { type: 'urlButton', title: 'Click me (URL)', payload: 'https://google.com' },
          { type: 'callButton', title: 'Click to call (CALL)', payload: '918788889688' },
        ],
        footerText: 'title footer',
      },
    };
    const res = await t.request('POST', `/whatsapp/message/button?${q()}`, { json: example });
    expect(res.status, res.text).to.equal(204);
    const out = await lastSent();
    expect(out.jid).to.equal('2348179803743@s.whatsapp.net');
    expect(out.content.type).to.equal('text');
    const text = out.content.text as string;
    for (const part of ['title Head', '1. Reply this text (REPLY)', '2. Click me (URL): https://google.com', '3. Click to call (CALL): +918788889688', '_title footer_']) expect(text).to.contain(part);
  });

  it("POST /whatsapp/message/contact: the seed's vCard example (204)", async () => {
    const example = { chatId: '2348179803743', vcard: { fullName: 'john doe', displayName: 'johndoe', organization: 'Men In Black', phoneNumber: '919999999999' } };
    const res = await t.request('POST', `/whatsapp/message/contact?${q()}`, curlData(example));
    expect(res.status, res.text).to.equal(204);
    const out = await lastSent();
    expect(out.jid).to.equal('2348179803743@s.whatsapp.net');
    // the engine receives the card's fields (Baileys builds the vCard text from them)
    expect(out.content).to.deep.equal({ type: 'contact', contact: { full_name: 'john doe', display_name: 'johndoe', organization: 'Men In Black', phone: '919999999999' } });
  });

  it("POST /whatsapp/message/list: the seed's example, every row numbered (204)", async () => {
    const example = {
      chatId: '2349048988056',
      msgdata: {
        buttonText: 'Button Text',
        text: 'Middle Text',
        title: 'Head Title',
        description: 'Footer Description',
        sections: [{ title: 'title', rows: [{ title: 'Title Option 1', description: 'Option Description', rowId: 'string' }] }],
        listType: 0,
      },
    };
    const res = await t.request('POST', `/whatsapp/message/list?${q()}`, { token, ...curlData(example) });
    expect(res.status, res.text).to.equal(204);
    const out = await lastSent();
    expect(out.jid).to.equal('2349048988056@s.whatsapp.net');
    const text = out.content.text as string;
    for (const part of ['*Head Title*', 'Middle Text', '*title*', '1. Title Option 1 — Option Description', 'Button Text', '_Footer Description_']) expect(text).to.contain(part);
  });

  it("POST /whatsapp/message/MediaButton: the seed's example sends the image with the buttons as its caption (204)", async () => {
    const example = {
      chatId: '2348179803743',
      btndata: {
        text: 'Title of Message',
        buttons: [
          { type: 'replyButton', title: 'this button reply' },
          { type: 'callButton', title: 'this button calls', payload: '91999999999' },
        ],
        footerText: 'Footer text',
        image: `${picturesUrl}/536/354`,
        mediaType: 'image',
        mimeType: 'image/jpeg',
      },
    };
    const res = await t.request('POST', `/whatsapp/message/MediaButton?${q()}`, curlData(example));
    expect(res.status, res.text).to.equal(204);
    const out = await lastSent();
    expect(out.content.type).to.equal('image');
    expect(out.content.media).to.include({ mimetype: 'image/jpeg', size: media('pixel.jpg').length });
    for (const part of ['Title of Message', '1. this button reply', '2. this button calls: +91999999999', '_Footer text_']) expect(out.content.caption).to.contain(part);
  });

  it('refuses bad structures naming the seed fields, and sends nothing', async () => {
    const before = (await sent()).length;
    const button = (b: Record<string, unknown>) => ({ chatId: '2348179803743', btndata: { text: 'x', buttons: [b] } });
    const cases: [string, Record<string, unknown>, string][] = [
      ['button', { chatId: '2348179803743' }, 'body.btndata'],
      ['button', button({ type: 'linkButton', title: 'x' }), 'body.btndata.buttons.0.type'],
      ['button', button({ type: 'urlButton', title: 'x' }), 'body.btndata.buttons.0.payload'],
      ['button', button({ type: 'urlButton', title: 'x', payload: 'javascript:alert(1)' }), 'body.btndata.buttons.0.payload'],
      ['button', button({ type: 'callButton', title: 'x', payload: 'call me' }), 'body.btndata.buttons.0.payload'],
      ['button', { chatId: '2348179803743', btndata: { text: 'x', buttons: [] } }, 'body.btndata.buttons'],
      ['contact', { chatId: '2348179803743', vcard: { fullName: 'x', phoneNumber: 'none' } }, 'body.vcard.phoneNumber'],
      ['contact', { chatId: '2348179803743', vcard: { phoneNumber: '919999999999' } }, 'body.vcard.fullName'],
      ['list', { chatId: '2348179803743', msgdata: { text: 'x', sections: [] } }, 'body.msgdata.buttonText'],
      ['list', { chatId: '2348179803743', msgdata: { buttonText: 'b', text: 'x', sections: [{ rows: [] }] } }, 'body.msgdata.sections.0.rows'],
      ['MediaButton', { chatId: '2348179803743', btndata: { text: 'x', buttons: [{ type: 'replyButton', title: 'y' }], image: `${picturesUrl}/536/354`, mediaType: 'video' } }, 'body.btndata.mediaType'],
      ['MediaButton', { chatId: '2348179803743', btndata: { text: 'x', buttons: [{ type: 'replyButton', title: 'y' }], image: `${picturesUrl}/missing` } }, 'body.btndata.image'],
      ['list', { chatId: '', msgdata: { buttonText: 'b', text: 'x', sections: [{ rows: [{ title: 'r' }] }] } }, 'body.chatId'],
    ];
    for (const [path, json, field] of cases) {
      const res = await t.request('POST', `/whatsapp/message/${path}?${q()}`, { json });
      expect(res.status, `${path} ${JSON.stringify(json)}: ${res.text}`).to.equal(400);
      expect(res.body.status).to.equal(false);
      expect(fieldsOf(res.body), `${path} ${JSON.stringify(json)}`).to.include(field);
    }
    expect((await sent()).length).to.equal(before);
  });
});
