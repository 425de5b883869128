/**
 * A voice note sent through the /v1 API to a Baileys instance (fake socket):
 * MP3 speech is converted to Ogg/Opus when the request is accepted, and the
 * socket is handed the converted file with its length and waveform. Audio
 * that cannot be converted is refused with a 400 naming the ptt field.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import { DisconnectReason, type AnyMessageContent } from '@whiskeysockets/baileys';
import { fakeSocketFactory } from '../../test-support/baileys/fake-socket.js';
import { until } from '../../test-support/baileys/engine-harness.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';

const OPUS = 'audio/ogg; codecs=opus';
const b64 = (name: string) => fs.readFileSync(`fixtures/media/${name}`).toString('base64');

describe('Baileys engine: voice notes through the API', () => {
  const fake = fakeSocketFactory();
  let t: TestServer;
  let token: string;
  let id: string;

  before(async () => {
    t = await startTestServer({ app: { baileysSocketFactory: fake.factory } });
    ({ token } = await t.owner());
    id = (await t.request('POST', '/v1/instances', { token, json: { engine: 'baileys' } })).body.id;
    await t.request('POST', `/v1/instances/${id}/connect`, { token });
    await until(() => fake.sockets.length === 1, 'a socket');
    fake.latest().showQr('2@REF,noise,identity,adv');
    fake.latest().pairSuccess({ id: '59170000009:5@s.whatsapp.net', name: 'Shop' });
    await fake.latest().close(DisconnectReason.restartRequired);
    await until(() => fake.sockets.length === 2, 'the reconnect after the scan');
    fake.latest().open();
    await until(async () => (await t.request('GET', `/v1/instances/${id}/status`, { token })).body.status === 'connected', 'connected');
  });
  after(async () => t.close({ cleanup: true }));

  const send = (json: unknown) => t.request('POST', `/v1/instances/${id}/messages`, { token, json });
  const sent = () => fake.latest().callsTo('sendMessage').map((c) => c.args[1] as AnyMessageContent & { audio?: Buffer; seconds?: number; waveform?: Uint8Array; ptt?: boolean; mimetype?: string });

  it('converts MP3 speech to Ogg/Opus and sends the converted file as the voice note', async () => {
    const ok = await send({ to: '59171234567', audio: { base64: b64('voice-hello.mp3'), mimetype: 'audio/mpeg', filename: 'hello.mp3', ptt: true } });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
    await until(() => sent().length === 1, 'the send');
    const content = sent()[0];
    expect(content).to.include({ mimetype: OPUS, ptt: true, seconds: 2 });
    const { fileTypeFromBuffer } = await import('file-type');
    expect(await fileTypeFromBuffer(content.audio!)).to.deep.equal({ ext: 'opus', mime: OPUS });
    expect(content.waveform).to.have.length(64);
    expect(Math.max(...content.waveform!)).to.equal(100);
    // what the message listing shows is the file that was sent
    const listed = await t.request('GET', `/v1/instances/${id}/messages/${ok.body.id}`, { token });
    expect(JSON.stringify(listed.body)).to.include('hello.ogg');
  });

  it('sends Ogg/Opus as it is, and plain audio (ptt false) unconverted', async () => {
    const before = sent().length;
    expect((await send({ to: '59171234567', audio: { base64: b64('voice-hello.ogg'), mimetype: 'audio/ogg', ptt: true } })).status).to.equal(201);
    expect((await send({ to: '59171234567', audio: { base64: b64('voice-hello.mp3'), mimetype: 'audio/mpeg' } })).status).to.equal(201);
    await until(() => sent().length === before + 2, 'both sends');
    const [opus, mp3] = sent().slice(before);
    expect(opus.audio!.equals(fs.readFileSync('fixtures/media/voice-hello.ogg'))).to.equal(true);
    expect(opus).to.include({ mimetype: OPUS, ptt: true });
    expect(mp3.audio!.equals(fs.readFileSync('fixtures/media/voice-hello.mp3'))).to.equal(true);
    expect(mp3).to.include({ mimetype: 'audio/mpeg', ptt: false });
  });

  it('refuses a voice note whose audio cannot be converted, naming the ptt field', async () => {
    // a damaged MP3: it sniffs as MP3 (its first frame header) but holds no audio
    const damaged = Buffer.concat([fs.readFileSync('fixtures/media/voice-hello.mp3').subarray(0, 4), Buffer.alloc(2000, 7)]).toString('base64');
    const res = await send({ to: '59171234567', audio: { base64: damaged, mimetype: 'audio/mpeg', ptt: true } });
    expect(res.status).to.equal(400);
    expect(res.body.errors[0].field).to.equal('body.audio.ptt');
    expect(res.body.errors[0].message).to.match(/must be Ogg\/Opus audio.*could not be converted.*set ptt to false/);
  });
});
