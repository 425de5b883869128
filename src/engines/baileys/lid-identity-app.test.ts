/**
 * LID identity through the app (fake Baileys socket): a `…@lid` recipient is
 * sent to as given and shown with its phone number, inbound messages are
 * listed with the sender's phone and LID, and deleting the instance removes
 * its pairs.
 */
import { expect } from 'chai';
import { DisconnectReason } from '@whiskeysockets/baileys';
import { fakeSocketFactory } from '../../test-support/baileys/fake-socket.js';
import { until } from '../../test-support/baileys/engine-harness.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import { LID_MAPPINGS } from '../../store/repositories/lid-mappings.js';

const BOB = { phone: '5491122334455', pn: '5491122334455@s.whatsapp.net', lid: '222222222222222@lid' };

describe('Baileys engine in the app: LID and phone for every person', () => {
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

  it('sends to a …@lid recipient as given, and names it by phone once WhatsApp shared the pair', async () => {
    const unknown = await t.request('POST', `/v1/instances/${id}/messages`, { token, json: { to: '999999999999999@lid', text: 'hola' } });
    expect(unknown.status, JSON.stringify(unknown.body)).to.equal(201);
    expect(unknown.body).to.include({ chat_jid: '999999999999999@lid', phone: null, lid: '999999999999999@lid' });

    fake.latest().emit('lid-mapping.update', { lid: BOB.lid, pn: BOB.pn });
    const store = t.app.modules.store.collection(LID_MAPPINGS);
    await until(async () => (await store.countDocuments({ instance_id: id })) === 1, 'the pair stored');
    const known = await t.request('POST', `/v1/instances/${id}/messages`, { token, json: { to: BOB.lid, text: 'hola Bob' } });
    expect(known.status).to.equal(201);
    expect(known.body).to.include({ chat_jid: BOB.lid, phone: BOB.phone, lid: BOB.lid });
    expect(fake.latest().callsTo('sendMessage').at(-1)!.args[0]).to.equal(BOB.lid);
  });

  it('lists an inbound message with the sender phone and LID, and forgets the pairs with the instance', async () => {
    fake.latest().emit('messages.upsert', {
      type: 'notify',
      messages: [{ key: { remoteJid: BOB.pn, fromMe: false, id: '3A00LIDAPP1' }, messageTimestamp: Math.floor(Date.now() / 1000), message: { conversation: 'hola' } }],
    });
    const listed = await untilFound(async () => {
      const res = await t.request('GET', `/v1/instances/${id}/messages?direction=in`, { token });
      return (res.body.messages as { wa_message_id: string }[]).find((m) => m.wa_message_id === '3A00LIDAPP1');
    });
    expect(listed).to.include({ chat_jid: BOB.pn, phone: BOB.phone, lid: BOB.lid });

    expect((await t.request('DELETE', `/v1/instances/${id}`, { token })).status).to.equal(204);
    expect(await t.app.modules.store.collection(LID_MAPPINGS).countDocuments({ instance_id: id })).to.equal(0);
  });
});

async function untilFound<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out waiting for the inbound message');
}
