import { expect } from 'chai';
import { Boom } from '@hapi/boom';
import { DisconnectReason, type GroupMetadata, type MessageUserReceiptUpdate, type WAMessageUpdate } from '@whiskeysockets/baileys';
import { EngineNotConnectedError, EngineSendError } from '../engine.js';
import type { FakeSocket } from '../../test-support/baileys/fake-socket.js';
import { loadEvent, loadMessage } from '../../test-support/baileys/fixtures.js';
import { trustedMediaUrl } from './media-download.js';
import { harness, ME, settle, until, type Harness } from '../../test-support/baileys/engine-harness.js';

const ANA = { phone: '59171234567', pn: '59171234567@s.whatsapp.net', lid: '111111111111111@lid' };
const BOB = { phone: '5491122334455', pn: '5491122334455@s.whatsapp.net', lid: '222222222222222@lid' };
const GROUP = '120363025111111111@g.us';

async function connected(h: Harness): Promise<FakeSocket> {
  await h.engine.connect();
  const sock = h.latest();
  sock.open({ id: ME.id, lid: ME.lid, name: ME.name });
  await until(() => h.engine.status().status === 'connected', 'connected');
  return sock;
}

describe('Baileys engine: messages, receipts and directory (fake socket)', () => {
  let h: Harness;
  let sock: FakeSocket;
  beforeEach(async () => {
    h = await harness();
    sock = await connected(h);
  });
  afterEach(async () => h.close());

  describe('inbound', () => {
    it('delivers one upsert as one batch, resolving LID senders through the mapping store and skipping failed decrypts', async () => {
      // rc14's mapping store answers with the ':0' device suffix
      sock.lidToPn.set('222222222222222', '5491122334455:0@s.whatsapp.net');
      const batch = ['conversation-dm-lid-no-alt', 'decrypt-failure', 'image', 'conversation-group-lid'].map((n) => loadMessage(n).message);
      sock.emit('messages.upsert', { messages: batch, type: 'notify' });
      await until(() => h.events.inbound.length === 1, 'the inbound batch');
      const [messages] = h.events.inbound;
      expect(messages.map((m) => m.kind)).to.deep.equal(['text', 'image', 'text']);
      expect(messages[0]).to.include({ chat_jid: BOB.lid, sender_jid: BOB.lid, sender_phone: BOB.phone, offline: false, instance_id: 'inst1' });
      expect(messages[2]).to.include({ chat_jid: GROUP, sender_phone: BOB.phone });
      expect(h.engine.skippedCounts().decrypt_failed).to.equal(1);
      // the DM author has no alt field, but the group message of the same batch paired Bob's LID with his number: no lookup
      expect(sock.callsTo('getPNForLID')).to.deep.equal([]);
      expect(messages[0]).to.include({ sender_lid: BOB.lid });
    });

    it('handles every batch a socket emitted even when the socket is replaced before its turn (WhatsApp has been acknowledged already)', async () => {
      // the offline flush right after a reconnect: batches, then the socket drops before they were handled
      const batches = ['conversation-dm-pn', 'offline-append', 'conversation-group-pn'].map((name, i) => ({ ...loadMessage(name).message, key: { ...loadMessage(name).message.key, id: `3EBREPLACED${i}` } }));
      for (const m of batches) sock.emit('messages.upsert', { messages: [m], type: 'notify' });
      sock.emit('messages.upsert', { messages: [], type: 'notify' });
      await sock.close(DisconnectReason.connectionLost, 'Connection Lost');
      await until(() => h.sockets.length === 2, 'the reconnect');
      const ids = () => h.events.inbound.flat().map((m) => m.wa_message_id);
      await until(() => ['3EBREPLACED0', '3EBREPLACED1', '3EBREPLACED2'].every((id) => ids().includes(id)), 'every batch of the replaced socket');
    });

    it('never drops append (offline) messages, and marks them', async () => {
      sock.emit('messages.upsert', { messages: [loadMessage('offline-append').message, loadMessage('history-long-timestamp').message], type: 'append' });
      await until(() => h.events.inbound.length === 1, 'the inbound batch');
      expect(h.events.inbound[0].map((m) => [m.offline, m.text])).to.deep.equal([
        [true, 'are you there?'],
        [true, 'from yesterday'],
      ]);
    });

    it('keeps received media for a lazy download, and refuses media hosted outside WhatsApp', async () => {
      const image = loadMessage('image').message;
      sock.emit('messages.upsert', { messages: [image], type: 'notify' });
      await until(() => h.events.inbound.length === 1, 'the inbound batch');
      const archived = await h.baileys.archive.received('inst1', image.key.id!);
      expect(archived?.message?.imageMessage?.directPath).to.equal(image.message?.imageMessage?.directPath);
      expect(Buffer.from(archived!.message!.imageMessage!.mediaKey!)).to.deep.equal(Buffer.alloc(32, 1));

      const evil = loadMessage('document').message;
      evil.key.id = 'EVIL1';
      evil.message!.documentMessage!.directPath = '@169.254.169.254/latest/meta-data';
      sock.emit('messages.upsert', { messages: [evil], type: 'notify' });
      await until(() => h.events.inbound.length === 2, 'the second batch');
      const refused = await h.engine.downloadMedia('EVIL1').catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(EngineSendError).and.include({ code: 'untrusted_media_url', retryable: false });
      const unknown = await h.engine.downloadMedia('NOPE').catch((e: unknown) => e);
      expect(unknown).to.be.instanceOf(EngineSendError).and.include({ code: 'not_found' });
    });

    it('learns names from contacts events and push names', async () => {
      sock.emit('contacts.upsert', loadEvent('contacts-upsert'));
      await settle();
      expect((await h.engine.contactInfo(ANA.lid)).name).to.equal('Ana María');
      sock.emit('messages.upsert', { messages: [loadMessage('conversation-group-pn').message], type: 'notify' });
      await until(() => h.events.inbound.length === 1, 'inbound');
      expect((await h.engine.contactInfo(BOB.pn)).name).to.equal('Bob');
    });
  });

  describe('outbound', () => {
    it("sends with the caller's WhatsApp id, archives the message for retries and recognises it when it comes back", async () => {
      const result = await h.engine.send({ jid: ANA.pn, content: { type: 'text', text: 'hola' }, wa_message_id: '3EB0AAAA0000000000000099' });
      expect(result.wa_message_id).to.equal('3EB0AAAA0000000000000099');
      const [call] = sock.callsTo('sendMessage');
      expect(call.args).to.deep.equal([ANA.pn, { text: 'hola', linkPreview: null }, { messageId: '3EB0AAAA0000000000000099' }]);
      // a recipient's device asking for a retry gets the same content
      const retry = await sock.options.getMessage({ remoteJid: ANA.pn, id: '3EB0AAAA0000000000000099', fromMe: true });
      expect(retry?.extendedTextMessage?.text ?? retry?.conversation).to.equal('hola');
      // the same id arriving as a fromMe message is flagged as sent by the API
      const echo = loadMessage('from-me-other-device').message;
      echo.key.id = '3EB0AAAA0000000000000099';
      sock.emit('messages.upsert', { messages: [echo], type: 'notify' });
      await until(() => h.events.inbound.length === 1, 'inbound');
      expect(h.events.inbound[0][0]).to.include({ from_me: true, sent_by_api: true });
    });

    it('refuses to send while not connected, retryably', async () => {
      await h.engine.disconnect();
      const err = await h.engine.send({ jid: ANA.pn, content: { type: 'text', text: 'x' }, wa_message_id: 'A' }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(EngineNotConnectedError).and.include({ retryable: true });
    });

    it('classifies send failures: connection problems retry, rejected requests do not', async () => {
      sock.sendError = new Boom('Connection Closed', { statusCode: DisconnectReason.connectionClosed });
      const closed = await h.engine.send({ jid: ANA.pn, content: { type: 'text', text: 'x' }, wa_message_id: 'A' }).catch((e: unknown) => e);
      expect(closed).to.be.instanceOf(EngineSendError).and.include({ retryable: true, code: 'whatsapp_428' });
      sock.sendError = new Boom('not-acceptable', { data: 406 });
      const rejected = await h.engine.send({ jid: GROUP, content: { type: 'text', text: 'x' }, wa_message_id: 'B' }).catch((e: unknown) => e);
      expect(rejected).to.be.instanceOf(EngineSendError).and.include({ retryable: false, code: 'whatsapp_406' });
    });

    it('marks messages read with the keys WhatsApp needs: the author as participant in groups', async () => {
      await h.engine.markRead([
        { chat_jid: GROUP, wa_message_id: 'G1', sender_jid: BOB.pn, is_group: true },
        { chat_jid: ANA.pn, wa_message_id: 'D1', sender_jid: ANA.pn, is_group: false },
      ]);
      expect(sock.callsTo('readMessages')[0].args[0]).to.deep.equal([
        { remoteJid: GROUP, id: 'G1', fromMe: false, participant: BOB.pn },
        { remoteJid: ANA.pn, id: 'D1', fromMe: false },
      ]);
    });

    it('sends the typing indicator, announcing the client as available first (once per socket), or WhatsApp shows none', async () => {
      await h.engine.sendPresence(ANA.pn, 'composing');
      await h.engine.sendPresence(ANA.pn, 'paused');
      await h.engine.sendPresence(BOB.pn, 'composing');
      expect(sock.callsTo('sendPresenceUpdate').map((c) => c.args.filter((a) => a !== undefined))).to.deep.equal([['available'], ['composing', ANA.pn], ['paused', ANA.pn], ['composing', BOB.pn]]);
    });
  });

  describe('receipts and group events', () => {
    it('reports delivery, read, played and failed (with its code) by message id', async () => {
      sock.emit('messages.update', loadEvent<WAMessageUpdate[]>('messages-update'));
      sock.emit('message-receipt.update', loadEvent<MessageUserReceiptUpdate[]>('message-receipt-update'));
      await until(() => h.events.receipt.length === 2, 'receipts');
      const all = h.events.receipt.flat();
      expect(all).to.deep.include({ wa_message_id: '3EB0AAAA0000000000000003', status: 'failed', error_code: '463' });
      expect(all.map((r) => r.status)).to.deep.equal(['delivered', 'read', 'played', 'failed', 'sent', 'delivered', 'read', 'played']);
    });

    it('reports group participant changes with phone numbers when known, and drops the stale metadata', async () => {
      sock.groupsResult = { [GROUP]: groupMetadata() };
      await h.engine.groups();
      expect(await sock.options.cachedGroupMetadata(GROUP)).to.include({ subject: 'Ventas' });
      sock.emit('group-participants.update', loadEvent('group-participants-update'));
      await until(() => h.events.groupParticipants.length === 1, 'participants');
      expect(h.events.groupParticipants[0]).to.deep.equal({
        group_jid: GROUP,
        action: 'add',
        participants: [
          { jid: ANA.lid, phone: ANA.phone, lid: ANA.lid },
          { jid: '333333333333333@lid', phone: null, lid: '333333333333333@lid' },
        ],
        author_jid: BOB.lid,
      });
      // the stale entry is gone: the next group send fetches the metadata again, once
      expect(sock.callsTo('groupMetadata')).to.have.length(0);
      await sock.options.cachedGroupMetadata(GROUP);
      await sock.options.cachedGroupMetadata(GROUP);
      expect(sock.callsTo('groupMetadata')).to.have.length(1);
    });

    it('fetches unknown group metadata once for sends, and leaves failures to Baileys', async () => {
      sock.groupsResult = { [GROUP]: groupMetadata() };
      expect(await sock.options.cachedGroupMetadata(GROUP)).to.include({ subject: 'Ventas' });
      expect(await sock.options.cachedGroupMetadata(GROUP)).to.include({ subject: 'Ventas' });
      expect(sock.callsTo('groupMetadata')).to.have.length(1);
      expect(await sock.options.cachedGroupMetadata('120363000000000000@g.us')).to.equal(undefined);
    });
  });

  describe('directory', () => {
    it('checks numbers in paced batches, matching canonical JIDs by asking unmatched numbers alone', async () => {
      sock.registered.set(ANA.phone, ANA.pn);
      // WhatsApp answers a Mexican mobile number with its canonical JID (without the 1)
      sock.registered.set('5215512345678', '525512345678@s.whatsapp.net');
      const results = await h.engine.checkNumbers([ANA.phone, '5215512345678', '59170000000']);
      expect(results).to.deep.equal([
        { phone: ANA.phone, exists: true, jid: ANA.pn },
        { phone: '5215512345678', exists: true, jid: '525512345678@s.whatsapp.net' },
        { phone: '59170000000', exists: false, jid: null },
      ]);
      expect(sock.callsTo('onWhatsApp').map((c) => c.args.length)).to.deep.equal([3, 1, 1]);
    });

    it('maps a missing profile picture to null and reads the about text', async () => {
      sock.abouts.set(ANA.pn, 'Disponible');
      expect(await h.engine.contactInfo(ANA.pn)).to.deep.equal({ jid: ANA.pn, name: null, about: 'Disponible', picture_url: null });
      sock.pictures.set(ANA.pn, 'https://pps.whatsapp.net/v/t61/abc.jpg');
      expect((await h.engine.contactInfo('59171234567:3@s.whatsapp.net')).picture_url).to.equal('https://pps.whatsapp.net/v/t61/abc.jpg');
    });

    it("lists groups with participants' phones and admin flags", async () => {
      sock.groupsResult = { [GROUP]: groupMetadata() };
      expect(await h.engine.groups()).to.deep.equal([
        {
          id: GROUP,
          name: 'Ventas',
          participants: [
            { jid: BOB.lid, phone: BOB.phone, lid: BOB.lid, admin: true },
            { jid: ANA.pn, phone: ANA.phone, lid: null, admin: false },
          ],
        },
      ]);
    });

    it("reads the linked account's profile", async () => {
      sock.abouts.set('59170000001@s.whatsapp.net', 'Tienda abierta');
      expect(await h.engine.profile()).to.deep.equal({ jid: '59170000001@s.whatsapp.net', phone: '59170000001', name: 'Tienda', about: 'Tienda abierta', picture_url: null });
    });

    it('refuses directory calls while not connected', async () => {
      await h.engine.disconnect();
      for (const call of [() => h.engine.checkNumbers(['1']), () => h.engine.groups(), () => h.engine.profile(), () => h.engine.contactInfo(ANA.pn)]) {
        expect(await call().catch((e: unknown) => e)).to.be.instanceOf(EngineNotConnectedError);
      }
    });
  });
});

describe('trusted media URLs', () => {
  it('accepts only https on WhatsApp media hosts, and no userinfo tricks', () => {
    expect(trustedMediaUrl({ directPath: '/v/t62.7118-24/1_2_n.enc?ccb=11-4' })).to.equal('https://mmg.whatsapp.net/v/t62.7118-24/1_2_n.enc?ccb=11-4');
    expect(trustedMediaUrl({ url: 'https://media-lhr8-1.cdn.whatsapp.net/v/x.enc' })).to.match(/^https:\/\/media-lhr8-1\.cdn\.whatsapp\.net\//);
    expect(trustedMediaUrl({ directPath: '@169.254.169.254/x' })).to.equal(null);
    expect(trustedMediaUrl({ url: 'https://evil.example/whatsapp.net' })).to.equal(null);
    expect(trustedMediaUrl({ url: 'http://mmg.whatsapp.net/x' })).to.equal(null);
    expect(trustedMediaUrl({ url: 'https://mmg.whatsapp.net.evil.example/x' })).to.equal(null);
    expect(trustedMediaUrl({})).to.equal(null);
  });
});

function groupMetadata(): GroupMetadata {
  return {
    id: GROUP,
    subject: 'Ventas',
    owner: BOB.lid,
    addressingMode: 'lid' as GroupMetadata['addressingMode'],
    participants: [
      { id: BOB.lid, phoneNumber: BOB.pn, admin: 'superadmin' },
      { id: ANA.pn, admin: null },
    ],
  };
}
