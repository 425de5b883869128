/**
 * LID identity (fake socket, real store): the LID ↔ phone pairs WhatsApp
 * shares are kept in tucan's store per instance, survive a restart, name
 * both forms of a person in what the engine reports, and go with the
 * instance.
 */
import { expect } from 'chai';
import type { WAMessage } from '@whiskeysockets/baileys';
import type { FakeSocket } from '../../test-support/baileys/fake-socket.js';
import { harness, ME, until, type Harness } from '../../test-support/baileys/engine-harness.js';
import { LidMappingsRepo } from '../../store/repositories/lid-mappings.js';
import { LidDirectory } from './lid-directory.js';

const ANA = { phone: '59171234567', pn: '59171234567@s.whatsapp.net', lid: '111111111111111@lid' };
const BOB = { phone: '5491122334455', pn: '5491122334455@s.whatsapp.net', lid: '222222222222222@lid' };
const CARLA = { phone: '573001234567', pn: '573001234567@s.whatsapp.net', lid: '333333333333333@lid' };
const GROUP = '120363025111111111@g.us';

const text = (id: string, key: Partial<WAMessage['key']>, body = 'hola'): WAMessage => ({
  key: { fromMe: false, id, ...key },
  messageTimestamp: 1715680800,
  message: { conversation: body },
});

describe('Baileys engine: LID identity kept in the store', () => {
  let h: Harness;
  let sock: FakeSocket;
  let repo: LidMappingsRepo;

  async function open(engine = h.engine): Promise<FakeSocket> {
    await engine.connect();
    const s = h.latest();
    s.open({ id: ME.id, lid: ME.lid, name: ME.name });
    await until(() => engine.status().status === 'connected', 'connected');
    return s;
  }

  async function inbound(s: FakeSocket, messages: WAMessage[]) {
    const before = h.events.inbound.length;
    s.emit('messages.upsert', { messages, type: 'notify' });
    await until(() => h.events.inbound.length > before, 'inbound');
    return h.events.inbound.at(-1)!;
  }

  beforeEach(async () => {
    h = await harness();
    repo = new LidMappingsRepo(h.store);
    sock = await open();
  });
  afterEach(async () => h.close());

  it('stores the pairs of lid-mapping.update, history syncs, contacts and message keys, and names both forms of a sender', async () => {
    sock.emit('lid-mapping.update', { lid: ANA.lid, pn: ANA.pn });
    sock.emit('messaging-history.set', { chats: [], contacts: [], messages: [], lidPnMappings: [{ lid: '444444444444444:3@lid', pn: '5215512345678:3@s.whatsapp.net' }] });
    sock.emit('contacts.upsert', [{ id: CARLA.lid, phoneNumber: CARLA.pn, notify: 'Carla' }]);
    // a DM whose key carries both forms
    const [fromBob] = await inbound(sock, [text('M1', { remoteJid: BOB.lid, remoteJidAlt: BOB.pn })]);
    expect(fromBob).to.include({ sender_jid: BOB.lid, sender_phone: BOB.phone, sender_lid: BOB.lid });
    await until(async () => (await repo.list('inst1')).length === 4, 'four pairs stored');
    expect((await repo.list('inst1')).map((d) => [d.lid, d.phone]).sort()).to.deep.equal(
      [[ANA.lid, ANA.phone], [BOB.lid, BOB.phone], [CARLA.lid, CARLA.phone], ['444444444444444@lid', '5215512345678']].sort(),
    );
    // a phone-addressed message from Ana: her LID comes from the stored pair
    const [fromAna] = await inbound(sock, [text('M2', { remoteJid: ANA.pn })]);
    expect(fromAna).to.include({ sender_jid: ANA.pn, sender_phone: ANA.phone, sender_lid: ANA.lid });
    // a LID-only group author: the phone comes from the stored pair, without asking Baileys
    const [inGroup] = await inbound(sock, [text('M3', { remoteJid: GROUP, participant: CARLA.lid })]);
    expect(inGroup).to.include({ sender_jid: CARLA.lid, sender_phone: CARLA.phone, sender_lid: CARLA.lid });
    expect(sock.callsTo('getPNForLID')).to.deep.equal([]);
  });

  it("keeps what Baileys' mapping store answers, so a restarted process still knows it", async () => {
    sock.lidToPn.set('222222222222222', '5491122334455:0@s.whatsapp.net');
    const [first] = await inbound(sock, [text('M1', { remoteJid: BOB.lid })]);
    expect(first).to.include({ sender_phone: BOB.phone, sender_lid: BOB.lid });
    expect(await repo.phoneOf('inst1', BOB.lid)).to.equal(BOB.phone);

    // a new process starts with an empty memory: the pair is read back from the store
    expect(await new LidDirectory(new LidMappingsRepo(h.store), Date.now).phoneOf('inst1', BOB.lid)).to.equal(BOB.phone);
    expect(await new LidDirectory(new LidMappingsRepo(h.store), Date.now).lidOf('inst1', BOB.phone)).to.equal(BOB.lid);
    // and a restarted engine, on a socket whose Baileys store knows nothing, still names Bob
    await h.engine.disconnect();
    const again = h.restart();
    const s2 = await open(again);
    const [second] = await inbound(s2, [text('M2', { remoteJid: BOB.lid })]);
    expect(second).to.include({ sender_phone: BOB.phone, sender_lid: BOB.lid });
    expect(s2.callsTo('getPNForLID')).to.deep.equal([]);
    await again.disconnect();
  });

  it('names group members by phone and LID in participant updates and the group list', async () => {
    sock.emit('lid-mapping.update', { lid: CARLA.lid, pn: CARLA.pn });
    sock.emit('group-participants.update', { id: GROUP, author: BOB.lid, action: 'add', participants: [{ id: CARLA.lid }, { id: ANA.lid, phoneNumber: ANA.pn }] });
    await until(() => h.events.groupParticipants.length === 1, 'participants');
    expect(h.events.groupParticipants[0].participants).to.deep.equal([
      { jid: CARLA.lid, phone: CARLA.phone, lid: CARLA.lid },
      { jid: ANA.lid, phone: ANA.phone, lid: ANA.lid },
    ]);
    sock.groupsResult = {
      [GROUP]: { id: GROUP, subject: 'Ventas', addressingMode: 'lid', participants: [{ id: CARLA.lid }, { id: ANA.pn, admin: 'admin' }] } as never,
    };
    const [group] = await h.engine.groups();
    // Ana's LID was learnt from the participant update, Carla's phone from the mapping update
    expect(group.participants).to.deep.equal([
      { jid: CARLA.lid, phone: CARLA.phone, lid: CARLA.lid, admin: false },
      { jid: ANA.pn, phone: ANA.phone, lid: ANA.lid, admin: true },
    ]);
  });

  it('still delivers a message when the store cannot be read for its sender', async () => {
    const { phoneOf, lidOf } = LidMappingsRepo.prototype;
    LidMappingsRepo.prototype.phoneOf = () => Promise.reject(new Error('store down'));
    LidMappingsRepo.prototype.lidOf = () => Promise.reject(new Error('store down'));
    try {
      const [m] = await inbound(sock, [text('M9', { remoteJid: '555555555555555@lid' }), text('M10', { remoteJid: ANA.pn })]);
      expect(m).to.include({ wa_message_id: 'M9', sender_phone: null, sender_lid: '555555555555555@lid' });
      expect(h.events.inbound.at(-1)!.map((x) => x.wa_message_id)).to.deep.equal(['M9', 'M10']);
    } finally {
      Object.assign(LidMappingsRepo.prototype, { phoneOf, lidOf });
    }
  });

  it('forgets the pairs of a deleted instance, and only those', async () => {
    await repo.remember('other', [{ lid: BOB.lid, phone: BOB.phone }], 1);
    sock.emit('lid-mapping.update', { lid: ANA.lid, pn: ANA.pn });
    await until(async () => (await repo.list('inst1')).length === 1, 'stored');
    await h.baileys.forget('inst1');
    expect(await repo.list('inst1')).to.deep.equal([]);
    expect(await repo.phoneOf('other', BOB.lid)).to.equal(BOB.phone);
  });
});
