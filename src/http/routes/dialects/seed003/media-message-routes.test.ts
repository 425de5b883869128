import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';
import { fieldsOf, form, media } from '../../../../test-support/http/seed003-requests.js';

describe('seed 003 dialect: media messages (image, video, audio, doc uploads; fileurl)', () => {
  let t: TestServer;
  let token: string;
  let inst: { id: string; token: string };
  let files: http.Server;
  let filesUrl: string;
  const q = () => `session_id=${inst.id}&access_token=${encodeURIComponent(inst.token)}`;
  const lastSent = async () => (await t.app.modules.engines.sandbox.listSent(inst.id)).at(-1)!;
  const count = async () => (await t.app.modules.engines.sandbox.listSent(inst.id)).length;

  before(async () => {
    t = await startTestServer({ config: { network: { allowLoopbackUrls: true } } });
    token = (await t.owner()).token;
    inst = await t.sandboxInstance(token);
    // stands in for the seed's unsplash URL
    files = http.createServer((req, res) => {
      if (req.url?.startsWith('/photo.jpg')) {
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        res.end(media('pixel.jpg'));
      } else if (req.url === '/clip.mp4') {
        res.writeHead(200, { 'content-type': 'video/mp4' });
        res.end(media('clip.mp4'));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => files.close(() => resolve()));
    await t.close({ cleanup: true });
  });

  it("POST /whatsapp/message/image: the seed's multipart example answers with the sent message", async () => {
    const body = form({ chatId: '2349048988056', caption: 'Yo' }, { data: media('pixel.png'), name: '1_dark - Copy (2).png', type: 'image/png' });
    const res = await t.request('POST', `/whatsapp/message/image?${q()}`, { body });
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.include({ status: true, message: 'Message sent successfully' });
    const data = res.body.data;
    expect(data.key).to.include({ remoteJid: '2349048988056@s.whatsapp.net', fromMe: true });
    expect(['SERVER_ACK', 'DELIVERY_ACK']).to.include(data.status);
    expect(data.message.imageMessage).to.deep.equal({ mimetype: 'image/png', caption: 'Yo', fileLength: String(media('pixel.png').length) });
    expect(data.messageTimestamp).to.match(/^\d+$/);
    const sent = await lastSent();
    expect(sent).to.deep.include({ jid: '2349048988056@s.whatsapp.net', wa_message_id: data.key.id });
    expect(sent.content).to.deep.include({ type: 'image', caption: 'Yo' });
    expect((sent.content.media as { size: number }).size).to.equal(media('pixel.png').length);
  });

  it('POST /whatsapp/message/video, audio and doc: 204, with the file sent as that type', async () => {
    const video = await t.request('POST', `/whatsapp/message/video?${q()}`, { body: form({ chatId: '2349048988056', caption: '' }, { data: media('clip.mp4'), name: 'clip.mp4', type: 'video/mp4' }) });
    expect(video.status, video.text).to.equal(204);
    expect((await lastSent()).content).to.deep.include({ type: 'video' });

    const audio = await t.request('POST', `/whatsapp/message/audio?${q()}`, { body: form({ chatId: '2349048988056' }, { data: media('tone.mp3'), name: 'tone.mp3', type: 'audio/mpeg' }) });
    expect(audio.status, audio.text).to.equal(204);
    expect((await lastSent()).content).to.deep.include({ type: 'audio', ptt: false });

    const doc = await t.request('POST', `/whatsapp/message/doc?${q()}`, { token, body: form({ chatId: '2349048988056', filename: 'invoice.pdf' }, { data: media('doc.pdf'), name: 'upload.bin', type: 'application/pdf' }) });
    expect(doc.status, doc.text).to.equal(204);
    const sent = await lastSent();
    expect(sent.content.type).to.equal('document');
    expect(sent.content.media).to.deep.include({ mimetype: 'application/pdf', filename: 'invoice.pdf' });

    // the seed's example sends filename="" : the upload's own name is kept
    await t.request('POST', `/whatsapp/message/doc?${q()}`, { body: form({ chatId: '2349048988056', filename: '' }, { data: media('doc.pdf'), name: 'report.pdf', type: 'application/pdf' }) });
    expect((await lastSent()).content.media).to.deep.include({ filename: 'report.pdf' });
  });

  it('refuses a missing file, content of the wrong kind, a bad chatId and missing credentials, naming the field', async () => {
    const before = await count();
    const noFile = await t.request('POST', `/whatsapp/message/image?${q()}`, { body: form({ chatId: '2349048988056' }) });
    expect(noFile.status).to.equal(400);
    expect(fieldsOf(noFile.body)).to.deep.equal(['file']);
    const pdfAsImage = await t.request('POST', `/whatsapp/message/image?${q()}`, { body: form({ chatId: '2349048988056' }, { data: media('doc.pdf'), name: 'x.png', type: 'image/png' }) });
    expect(pdfAsImage.status).to.equal(400);
    expect(fieldsOf(pdfAsImage.body)).to.deep.equal(['file']);
    const badChat = await t.request('POST', `/whatsapp/message/video?${q()}`, { body: form({ chatId: '' }, { data: media('clip.mp4'), name: 'clip.mp4', type: 'video/mp4' }) });
    expect(badChat.status).to.equal(400);
    expect(fieldsOf(badChat.body)).to.deep.equal(['body.chatId']);
    const captionOnAudio = await t.request('POST', `/whatsapp/message/audio?${q()}`, { body: form({ chatId: '2349048988056', caption: 'no' }, { data: media('tone.mp3'), name: 'tone.mp3', type: 'audio/mpeg' }) });
    expect(fieldsOf(captionOnAudio.body)).to.deep.equal(['body.caption']);
    const anonymous = await t.request('POST', `/whatsapp/message/image?session_id=${inst.id}`, { body: form({ chatId: '2349048988056' }, { data: media('pixel.png'), name: 'p.png', type: 'image/png' }) });
    expect(anonymous.status).to.equal(401);
    expect(await count()).to.equal(before);
  });

  it("POST /whatsapp/message/fileurl: the seed's form example fetches the URL and sends it (204)", async () => {
    const url = `${filesUrl}/photo.jpg?crop=entropy&cs=tinysrgb&fit=max&fm=jpg&w=1080`;
    const res = await t.request('POST', `/whatsapp/message/fileurl?${q()}`, { body: form({ chatId: '2349048988056', url, type: 'image', mimetype: 'image/jpeg', caption: 'Caption' }) });
    expect(res.status, res.text).to.equal(204);
    const sent = await lastSent();
    expect(sent.content).to.deep.include({ type: 'image', caption: 'Caption' });
    expect((sent.content.media as { size: number }).size).to.equal(media('pixel.jpg').length);

    // urlencoded and JSON bodies work too; 'doc' means document
    const urlencoded = await t.request('POST', `/whatsapp/message/fileurl?${q()}`, {
      body: new URLSearchParams({ chatId: '2349048988056', url: `${filesUrl}/clip.mp4`, type: 'video', mimetype: '', caption: '' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(urlencoded.status, urlencoded.text).to.equal(204);
    expect((await lastSent()).content.type).to.equal('video');
  });

  it('fileurl names the seed fields when the URL cannot be used', async () => {
    const before = await count();
    const cases: [Record<string, string>, string][] = [
      [{ chatId: '2349048988056', url: `${filesUrl}/missing.jpg`, type: 'image' }, 'body.url'],
      [{ chatId: '2349048988056', url: `${filesUrl}/clip.mp4`, type: 'image' }, 'body.url'],
      [{ chatId: '2349048988056', url: 'file:///etc/passwd', type: 'image' }, 'body.url'],
      [{ chatId: '2349048988056', url: `${filesUrl}/photo.jpg`, type: 'gif' }, 'body.type'],
      [{ chatId: '2349048988056', url: `${filesUrl}/photo.jpg`, type: 'image', mimetype: 'jpeg' }, 'body.mimetype'],
      [{ chatId: '2349048988056', url: `${filesUrl}/clip.mp4`, type: 'audio', caption: 'x' }, 'body.caption'],
      [{ chatId: 'nobody', url: `${filesUrl}/photo.jpg`, type: 'image' }, 'body.chatId'],
    ];
    for (const [fields, field] of cases) {
      const res = await t.request('POST', `/whatsapp/message/fileurl?${q()}`, { body: form(fields) });
      expect(res.status, `${JSON.stringify(fields)}: ${res.text}`).to.equal(400);
      expect(fieldsOf(res.body), JSON.stringify(fields)).to.include(field);
    }
    expect(await count()).to.equal(before);
  });
});
