import { expect } from 'chai';
import type { InboundMessage } from '../../domain/inbound.js';
import { loadMessage, messageFixtureNames } from '../../test-support/baileys/fixtures.js';
import { lidsToResolve, normalizeInbound, type Me, type NormalizeContext, type SkipReason } from './inbound-normalize.js';

const ME: Me = { jid: '59170000001:12@s.whatsapp.net', lid: '200000000000001:12@lid' };
const ANA = { phone: '59171234567', pn: '59171234567@s.whatsapp.net', lid: '111111111111111@lid' };
const BOB = { phone: '5491122334455', pn: '5491122334455@s.whatsapp.net', lid: '222222222222222@lid' };
const GROUP = '120363025111111111@g.us';

function ctx(name: string, overrides: Partial<NormalizeContext> = {}): NormalizeContext {
  return {
    instanceId: 'i1',
    type: loadMessage(name).type,
    me: ME,
    // what the engine resolves through the mapping store (getPNForLID answers with ':0', normalised by then)
    lidPhones: new Map([[ANA.lid, ANA.phone], [BOB.lid, BOB.phone]]),
    sentByApi: () => false,
    now: 1,
    ...overrides,
  };
}

function normalized(name: string, overrides: Partial<NormalizeContext> = {}): InboundMessage {
  const result = normalizeInbound(loadMessage(name).message, ctx(name, overrides));
  if (!result.ok) throw new Error(`${name} was skipped: ${result.reason}`);
  return result.message;
}

/** Every content variant and wrapper, with what tucan must read from it. */
const CONTENT: Record<string, Partial<InboundMessage>> = {
  'conversation-dm-pn': { kind: 'text', text: 'hola, ¿precio?' },
  'extended-text-quote-mention': { kind: 'text', text: 'at 5 @111111111111111', quoted_id: '3EB0C0FFEE0000000001', mentions: [ANA.lid] },
  image: { kind: 'image', text: 'the receipt', media: { mimetype: 'image/jpeg', filename: null, size: 52344, seconds: null } },
  video: { kind: 'video', text: 'look', media: { mimetype: 'video/mp4', filename: null, size: 1048576, seconds: 12 } },
  'video-note': { kind: 'video', text: null, media: { mimetype: 'video/mp4', filename: null, size: 204800, seconds: 5 } },
  'audio-ptt': { kind: 'audio', text: null, media: { mimetype: 'audio/ogg; codecs=opus', filename: null, size: 8192, seconds: 7, ptt: true } },
  audio: { kind: 'audio', media: { mimetype: 'audio/mpeg', filename: null, size: 300000, seconds: 30, ptt: false } },
  document: { kind: 'document', text: null, media: { mimetype: 'application/pdf', filename: 'invoice.pdf', size: 4096, seconds: null } },
  'document-with-caption': { kind: 'document', text: 'the quote', media: { mimetype: 'application/pdf', filename: 'quote.pdf', size: 4096, seconds: null } },
  sticker: { kind: 'sticker', text: null, media: { mimetype: 'image/webp', filename: null, size: 9000, seconds: null } },
  location: { kind: 'location', text: 'Oficina', location: { lat: -16.5, lng: -68.15, name: 'Oficina', address: 'Av. Arce 123' } },
  'live-location': { kind: 'location', text: 'on my way', location: { lat: -16.51, lng: -68.12, name: null, address: null } },
  contact: { kind: 'contact', text: 'Carla' },
  'contacts-array': { kind: 'contact', text: '2 contacts' },
  'button-reply': { kind: 'button_reply', text: 'Yes', selected_id: 'confirm_yes' },
  'template-button-reply': { kind: 'button_reply', text: 'Menu', selected_id: 'menu' },
  'list-reply': { kind: 'list_reply', text: 'Large pizza', selected_id: 'pizza_l' },
  'interactive-reply': { kind: 'button_reply', text: 'Track order', selected_id: 'track' },
  reaction: { kind: 'reaction', text: '👍', reaction: { emoji: '👍', target_id: '3EB0C0FFEE0000000002' } },
  'reaction-removed': { kind: 'reaction', text: null, reaction: { emoji: '', target_id: '3EB0C0FFEE0000000002' } },
  poll: { kind: 'poll', text: 'Lunch?' },
  'poll-vote': { kind: 'poll_vote', text: null, target_id: '3EB0C0FFEE0000000003' },
  revoke: { kind: 'protocol', protocol_type: 'REVOKE', target_id: '3A0001F1C2D3E4B5A6978', text: null },
  edit: { kind: 'protocol', protocol_type: 'MESSAGE_EDIT', target_id: '3A0001F1C2D3E4B5A6978', text: 'hola, ¿precio del plan?' },
  'edited-wrapper-text': { kind: 'text', text: 'corrected text' },
  ephemeral: { kind: 'text', text: 'this will vanish' },
  'view-once': { kind: 'image', text: 'once' },
  'view-once-v2': { kind: 'video', media: { mimetype: 'video/mp4', filename: null, size: 5000, seconds: 3 } },
  'view-once-v2-extension': { kind: 'audio', media: { mimetype: 'audio/ogg; codecs=opus', filename: null, size: 800, seconds: 2, ptt: true } },
  'ephemeral-setting': { kind: 'protocol', protocol_type: 'EPHEMERAL_SETTING' },
  'status-broadcast': { kind: 'image', text: 'my day', is_broadcast: true, is_group: false },
};

const SKIPPED: Record<string, SkipReason> = {
  'decrypt-failure': 'decrypt_failed',
  'group-stub': 'stub',
  'key-distribution-only': 'no_content',
  'history-sync-notification': 'internal',
};

describe('Baileys inbound normalisation', () => {
  it('has an expectation for every recorded fixture', () => {
    const covered = new Set([
      ...Object.keys(CONTENT),
      ...Object.keys(SKIPPED),
      'conversation-dm-lid',
      'conversation-dm-lid-no-alt',
      'conversation-group-pn',
      'conversation-group-lid',
      'conversation-group-lid-no-alt',
      'offline-append',
      'from-me-other-device',
      'history-long-timestamp',
    ]);
    expect(messageFixtureNames().filter((n) => !covered.has(n))).to.deep.equal([]);
  });

  for (const [name, expected] of Object.entries(CONTENT)) {
    it(`reads ${name}: ${loadMessage(name).description}`, () => {
      expect(normalized(name)).to.deep.include(expected);
    });
  }

  it('keeps the contact cards of contact messages', () => {
    expect(normalized('contact').contacts).to.deep.equal([
      { display_name: 'Carla', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Carla\nTEL;type=CELL;waid=59172222222:+59172222222\nEND:VCARD' },
    ]);
    expect(normalized('contacts-array').contacts?.map((c) => c.display_name)).to.deep.equal(['A', 'B']);
  });

  describe('addressing', () => {
    const cases: [string, Partial<InboundMessage>][] = [
      ['conversation-dm-pn', { chat_jid: ANA.pn, sender_jid: ANA.pn, sender_phone: ANA.phone, is_group: false, push_name: 'Ana' }],
      ['conversation-dm-lid', { chat_jid: ANA.lid, sender_jid: ANA.lid, sender_phone: ANA.phone, is_group: false }],
      ['conversation-dm-lid-no-alt', { chat_jid: BOB.lid, sender_jid: BOB.lid, sender_phone: BOB.phone }],
      ['conversation-group-pn', { chat_jid: GROUP, sender_jid: BOB.pn, sender_phone: BOB.phone, is_group: true, push_name: 'Bob' }],
      ['conversation-group-lid', { chat_jid: GROUP, sender_jid: BOB.lid, sender_phone: BOB.phone, is_group: true }],
      ['conversation-group-lid-no-alt', { chat_jid: GROUP, sender_jid: ANA.lid, sender_phone: ANA.phone, is_group: true }],
      ['status-broadcast', { chat_jid: 'status@broadcast', sender_jid: ANA.pn, sender_phone: ANA.phone }],
    ];
    for (const [name, expected] of cases) {
      it(`${name}: replies go to the chat as received, the phone is resolved`, () => {
        expect(normalized(name)).to.deep.include({ ...expected, instance_id: 'i1', from_me: false, sent_by_api: false, offline: false });
      });
    }

    it('asks the mapping store only for LID authors the key does not resolve', () => {
      const batch = messageFixtureNames().map((n) => loadMessage(n).message);
      expect(lidsToResolve(batch, ME).sort()).to.deep.equal([ANA.lid, BOB.lid]);
      // a key whose alt field carries the phone needs no lookup
      expect(lidsToResolve([loadMessage('conversation-dm-lid').message, loadMessage('conversation-group-lid').message], ME)).to.deep.equal([]);
    });

    it('reports no phone (rather than a wrong one) when a LID cannot be resolved', () => {
      const m = normalized('conversation-dm-lid-no-alt', { lidPhones: new Map() });
      expect(m).to.include({ chat_jid: BOB.lid, sender_jid: BOB.lid, sender_phone: null });
    });

    it('strips device suffixes from senders', () => {
      const fixture = loadMessage('conversation-group-pn').message;
      fixture.key.participant = '5491122334455:7@s.whatsapp.net';
      const result = normalizeInbound(fixture, ctx('conversation-group-pn'));
      expect(result.ok && result.message).to.include({ sender_jid: BOB.pn, sender_phone: BOB.phone });
    });
  });

  describe('offline, own and history messages', () => {
    it('marks append upserts offline and keeps them', () => {
      expect(normalized('offline-append')).to.include({ offline: true, kind: 'text', text: 'are you there?' });
      expect(normalized('conversation-dm-pn', { type: 'append' }).offline).to.equal(true);
    });

    it("attributes fromMe messages to the linked number, and flags tucan's own sends", () => {
      const other = normalized('from-me-other-device');
      expect(other).to.include({ from_me: true, sent_by_api: false, chat_jid: ANA.pn, sender_jid: '59170000001@s.whatsapp.net', sender_phone: '59170000001' });
      const id = loadMessage('from-me-other-device').message.key.id!;
      expect(normalized('from-me-other-device', { sentByApi: (x) => x === id }).sent_by_api).to.equal(true);
      // sent_by_api only ever applies to fromMe messages
      const peerId = loadMessage('conversation-dm-pn').message.key.id!;
      expect(normalized('conversation-dm-pn', { sentByApi: (x) => x === peerId }).sent_by_api).to.equal(false);
    });

    it('converts Long timestamps (history shape) and numeric ones to epoch ms', () => {
      const history = loadMessage('history-long-timestamp').message;
      expect(typeof history.messageTimestamp).to.equal('object');
      expect(normalized('history-long-timestamp')).to.include({ timestamp: 1715677200_000, offline: true, text: 'from yesterday' });
      expect(normalized('conversation-dm-pn').timestamp).to.equal(1715680800_000);
    });
  });

  describe('skipped messages', () => {
    for (const [name, reason] of Object.entries(SKIPPED)) {
      it(`skips ${name} (${reason})`, () => {
        expect(normalizeInbound(loadMessage(name).message, ctx(name))).to.deep.equal({ ok: false, reason });
      });
    }

    it('skips a message without a key', () => {
      expect(normalizeInbound({ key: {} }, ctx('conversation-dm-pn'))).to.deep.equal({ ok: false, reason: 'invalid_key' });
    });
  });

  describe('channels and status posts', () => {
    const post = (remoteJid: string, key: Record<string, unknown> = {}) =>
      ({ ...loadMessage('conversation-dm-pn').message, key: { remoteJid, id: '3EBCHANNEL1', fromMe: false, ...key } }) as ReturnType<typeof loadMessage>['message'];

    it('skips @newsletter (channel) messages unless newsletters is on', () => {
      const m = post('120363300000000000@newsletter');
      expect(normalizeInbound(m, ctx('conversation-dm-pn'))).to.deep.equal({ ok: false, reason: 'newsletter' });
      const kept = normalizeInbound(m, ctx('conversation-dm-pn', { newsletters: true }));
      expect(kept.ok && kept.message.chat_jid).to.equal('120363300000000000@newsletter');
    });

    it("reads a status post's author phone from remoteJidAlt when participantAlt is absent", () => {
      const m = post('status@broadcast', { participant: ANA.lid, remoteJidAlt: ANA.pn });
      const result = normalizeInbound(m, ctx('conversation-dm-pn', { lidPhones: new Map() }));
      expect(result.ok && result.message).to.deep.include({ is_broadcast: true, sender_phone: ANA.phone });
    });
  });
});
