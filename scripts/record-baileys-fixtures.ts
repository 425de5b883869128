/**
 * Records the Baileys message and event fixtures (fixtures/baileys/) with
 * Baileys' own offline helpers, so their shapes are what the library really
 * produces, not what we think it produces:
 *
 *   npx tsx scripts/record-baileys-fixtures.ts
 *
 * - Keys come from `decodeMessageNode` fed with stanza attributes as WhatsApp
 *   sends them (PN and LID addressing, `sender_pn` / `participant_pn` …), so
 *   the v7 fields `remoteJidAlt`, `participantAlt` and `addressingMode` are
 *   Baileys' own. Keys stay plain objects: `fromObject` would drop them.
 * - Non-media content comes from `generateWAMessageContent`; media content
 *   (which would need an upload) is built with `proto.Message.fromObject`.
 *   Every content is then encoded and decoded once, exactly like content off
 *   the wire, and stored in protobuf JSON form (bytes base64, Longs strings).
 * - Live messages are plain objects with a numeric timestamp, as Baileys
 *   emits them; `history: true` marks one stored as a WebMessageInfo with a
 *   Long timestamp, as history sync delivers them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMessageNode, generateWAMessageContent, proto, WAMessageStatus, WAMessageStubType, type AnyMessageContent } from '@whiskeysockets/baileys';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'baileys');
const ME = '59170000001:12@s.whatsapp.net';
const ME_LID = '200000000000001:12@lid';
export const PEOPLE = {
  ana: { pn: '59171234567@s.whatsapp.net', lid: '111111111111111@lid' },
  bob: { pn: '5491122334455@s.whatsapp.net', lid: '222222222222222@lid' },
};
const GROUP = '120363025111111111@g.us';
const T = 1715680800; // 2024-05-14 10:00 UTC

type Attrs = Record<string, string>;
const ADDRESSING: Record<string, Attrs> = {
  dmPn: { from: PEOPLE.ana.pn, addressing_mode: 'pn', sender_lid: PEOPLE.ana.lid, notify: 'Ana' },
  dmLid: { from: PEOPLE.ana.lid, addressing_mode: 'lid', sender_pn: PEOPLE.ana.pn, notify: 'Ana' },
  dmLidNoAlt: { from: PEOPLE.bob.lid, addressing_mode: 'lid', notify: 'Bob' },
  groupPn: { from: GROUP, participant: PEOPLE.bob.pn, addressing_mode: 'pn', participant_lid: PEOPLE.bob.lid, notify: 'Bob' },
  groupLid: { from: GROUP, participant: PEOPLE.bob.lid, addressing_mode: 'lid', participant_pn: PEOPLE.bob.pn, notify: 'Bob' },
  groupLidNoAlt: { from: GROUP, participant: PEOPLE.ana.lid, addressing_mode: 'lid', notify: 'Ana' },
  fromMe: { from: ME, recipient: PEOPLE.ana.pn, notify: 'Tienda' },
  status: { from: 'status@broadcast', participant: PEOPLE.ana.pn, notify: 'Ana' },
};

let seq = 0;
function envelope(addressing: keyof typeof ADDRESSING, t = T): Record<string, unknown> {
  const id = `3A${String(++seq).padStart(4, '0')}F1C2D3E4B5A6978`;
  const { fullMessage } = decodeMessageNode({ tag: 'message', attrs: { id, t: String(t), ...ADDRESSING[addressing] }, content: [] }, ME, ME_LID);
  // decodeMessageNode marks own messages SERVER_ACK; the rest is as Baileys emits it
  return JSON.parse(JSON.stringify(fullMessage)) as Record<string, unknown>;
}

function wire(message: proto.IMessage): Record<string, unknown> {
  return proto.Message.decode(proto.Message.encode(proto.Message.fromObject(message)).finish()).toJSON();
}

async function generated(content: AnyMessageContent): Promise<Record<string, unknown>> {
  const m = await generateWAMessageContent(content, { upload: async () => Promise.reject(new Error('offline')) });
  return wire(m);
}

const bytes = (n: number) => Buffer.alloc(32, n);
function media(mimetype: string, fileLength: number, extra: Record<string, unknown> = {}) {
  const directPath = `/v/t62.7118-24/1000${fileLength}_2000_n.enc?ccb=11-4&oh=01_Q5AaIA&oe=66800000&_nc_sid=5e03e0`;
  return { url: `https://mmg.whatsapp.net${directPath}&mms3=true`, directPath, mimetype, fileLength, mediaKey: bytes(1), fileSha256: bytes(2), fileEncSha256: bytes(3), mediaKeyTimestamp: T, ...extra };
}
const text = (t: string) => ({ conversation: t });

interface Fixture {
  description: string;
  upsert_type: 'notify' | 'append';
  history?: boolean;
  message: Record<string, unknown>;
}

async function messages(): Promise<Record<string, Fixture>> {
  const live = async (description: string, addressing: keyof typeof ADDRESSING, content: Record<string, unknown> | null, extra: Record<string, unknown> = {}, upsert: 'notify' | 'append' = 'notify'): Promise<Fixture> => ({
    description,
    upsert_type: upsert,
    message: { ...envelope(addressing), ...(content ? { message: content } : {}), ...extra },
  });
  const quote = { stanzaId: '3EB0C0FFEE0000000001', participant: PEOPLE.ana.pn, quotedMessage: { conversation: 'what time?' } };
  return {
    'conversation-dm-pn': await live('plain text in a DM, phone-number addressing', 'dmPn', wire(text('hola, ¿precio?'))),
    'conversation-dm-lid': await live('plain text in a DM addressed by LID, phone in remoteJidAlt', 'dmLid', wire(text('hola'))),
    'conversation-dm-lid-no-alt': await live('LID DM without the alt field: the phone comes from the mapping store', 'dmLidNoAlt', wire(text('hi'))),
    'conversation-group-pn': await live('group message, phone-number addressing', 'groupPn', wire(text('buenos días'))),
    'conversation-group-lid': await live('group message, LID addressing, phone in participantAlt', 'groupLid', wire(text('buenos días'))),
    'conversation-group-lid-no-alt': await live('group message by LID without participantAlt', 'groupLidNoAlt', wire(text('hello group'))),
    'extended-text-quote-mention': await live('reply quoting a message and mentioning someone', 'groupPn', wire({ extendedTextMessage: { text: 'at 5 @111111111111111', contextInfo: { ...quote, mentionedJid: [PEOPLE.ana.lid] } } })),
    'offline-append': await live('a message queued while offline, delivered as append', 'dmPn', wire(text('are you there?')), {}, 'append'),
    'from-me-other-device': await live("the owner typing on the phone (fromMe, not sent by tucan's API)", 'fromMe', wire(text('ok, done'))),
    'status-broadcast': await live('a status update', 'status', wire({ imageMessage: media('image/jpeg', 2048, { caption: 'my day' }) })),
    image: await live('image with caption', 'dmPn', wire({ imageMessage: media('image/jpeg', 52344, { caption: 'the receipt', width: 800, height: 600, jpegThumbnail: Buffer.from('thumb') }) })),
    video: await live('video with caption', 'dmPn', wire({ videoMessage: media('video/mp4', 1048576, { caption: 'look', seconds: 12 }) })),
    'video-note': await live('round video note (ptvMessage)', 'dmPn', wire({ ptvMessage: media('video/mp4', 204800, { seconds: 5 }) })),
    'audio-ptt': await live('voice note', 'dmLid', wire({ audioMessage: media('audio/ogg; codecs=opus', 8192, { seconds: 7, ptt: true }) })),
    audio: await live('audio file', 'dmPn', wire({ audioMessage: media('audio/mpeg', 300000, { seconds: 30, ptt: false }) })),
    document: await live('document without caption', 'dmPn', wire({ documentMessage: media('application/pdf', 4096, { fileName: 'invoice.pdf', title: 'invoice.pdf', pageCount: 1 }) })),
    'document-with-caption': await live('documentWithCaptionMessage wrapper', 'dmPn', wire({ documentWithCaptionMessage: { message: { documentMessage: media('application/pdf', 4096, { fileName: 'quote.pdf', caption: 'the quote' }) } } })),
    sticker: await live('sticker', 'groupLid', wire({ stickerMessage: media('image/webp', 9000, { isAnimated: false }) })),
    location: await live('location pin', 'dmPn', await generated({ location: { degreesLatitude: -16.5, degreesLongitude: -68.15, name: 'Oficina', address: 'Av. Arce 123' } })),
    'live-location': await live('live location', 'dmPn', wire({ liveLocationMessage: { degreesLatitude: -16.51, degreesLongitude: -68.12, caption: 'on my way', sequenceNumber: 1 } })),
    contact: await live('one contact card', 'dmPn', await generated({ contacts: { displayName: 'Carla', contacts: [{ displayName: 'Carla', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Carla\nTEL;type=CELL;waid=59172222222:+59172222222\nEND:VCARD' }] } })),
    'contacts-array': await live('several contact cards', 'dmPn', await generated({ contacts: { displayName: '2 contacts', contacts: [{ displayName: 'A', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:A\nEND:VCARD' }, { displayName: 'B', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:B\nEND:VCARD' }] } })),
    'button-reply': await live('reply to a buttons message', 'dmPn', await generated({ buttonReply: { displayText: 'Yes', id: 'confirm_yes', index: 0 }, type: 'plain' })),
    'template-button-reply': await live('reply to a template button', 'dmPn', await generated({ buttonReply: { displayText: 'Menu', id: 'menu', index: 1 }, type: 'template' })),
    'list-reply': await live('reply to a list message', 'dmLid', await generated({ listReply: { title: 'Large pizza', listType: proto.Message.ListResponseMessage.ListType.SINGLE_SELECT, singleSelectReply: { selectedRowId: 'pizza_l' } } })),
    'interactive-reply': await live('native-flow reply (interactiveResponseMessage)', 'dmPn', wire({ interactiveResponseMessage: { body: { text: 'Track order' }, nativeFlowResponseMessage: { name: 'quick_reply', paramsJson: '{"id":"track"}', version: 3 } } })),
    reaction: await live('reaction to our message', 'dmPn', await generated({ react: { text: '👍', key: { remoteJid: PEOPLE.ana.pn, fromMe: true, id: '3EB0C0FFEE0000000002' } } })),
    'reaction-removed': await live('a removed reaction (empty text)', 'dmPn', await generated({ react: { text: '', key: { remoteJid: PEOPLE.ana.pn, fromMe: true, id: '3EB0C0FFEE0000000002' } } })),
    poll: await live('poll creation', 'groupPn', await generated({ poll: { name: 'Lunch?', values: ['pizza', 'salad'], selectableCount: 1 } })),
    'poll-vote': await live('an (encrypted) poll vote', 'groupPn', wire({ pollUpdateMessage: { pollCreationMessageKey: { remoteJid: GROUP, fromMe: true, id: '3EB0C0FFEE0000000003' }, vote: { encPayload: bytes(9), encIv: Buffer.alloc(12, 7) }, senderTimestampMs: T * 1000 } })),
    revoke: await live('message deleted for everyone', 'dmPn', wire({ protocolMessage: { key: { remoteJid: PEOPLE.ana.pn, fromMe: false, id: '3A0001F1C2D3E4B5A6978' }, type: proto.Message.ProtocolMessage.Type.REVOKE } })),
    edit: await live('message edited (protocol edit inside the editedMessage wrapper)', 'dmPn', wire({ editedMessage: { message: { protocolMessage: { key: { remoteJid: PEOPLE.ana.pn, fromMe: false, id: '3A0001F1C2D3E4B5A6978' }, type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT, editedMessage: { conversation: 'hola, ¿precio del plan?' }, timestampMs: T * 1000 } } } })),
    'edited-wrapper-text': await live('legacy edit: plain text inside editedMessage', 'dmPn', wire({ editedMessage: { message: text('corrected text') } })),
    ephemeral: await live('text inside a disappearing-messages wrapper', 'dmPn', wire({ ephemeralMessage: { message: { extendedTextMessage: { text: 'this will vanish', contextInfo: { expiration: 604800 } } } } })),
    'view-once': await live('view-once image (v1 wrapper)', 'dmPn', wire({ viewOnceMessage: { message: { imageMessage: media('image/jpeg', 1000, { viewOnce: true, caption: 'once' }) } } })),
    'view-once-v2': await live('view-once video (v2 wrapper) inside ephemeral', 'dmPn', wire({ ephemeralMessage: { message: { viewOnceMessageV2: { message: { videoMessage: media('video/mp4', 5000, { viewOnce: true, seconds: 3 }) } } } } })),
    'view-once-v2-extension': await live('view-once voice note (v2 extension wrapper)', 'dmPn', wire({ viewOnceMessageV2Extension: { message: { audioMessage: media('audio/ogg; codecs=opus', 800, { viewOnce: true, ptt: true, seconds: 2 }) } } })),
    'ephemeral-setting': await live('disappearing messages turned on', 'dmPn', wire({ protocolMessage: { type: proto.Message.ProtocolMessage.Type.EPHEMERAL_SETTING, ephemeralExpiration: 604800 } })),
    'history-sync-notification': await live('device plumbing: a history sync notification from our own phone', 'fromMe', wire({ protocolMessage: { type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION, historySyncNotification: { syncType: proto.HistorySync.HistorySyncType.RECENT, chunkOrder: 1 } } })),
    'decrypt-failure': await live('a message that failed to decrypt: a CIPHERTEXT stub without content', 'dmLid', null, { messageStubType: WAMessageStubType.CIPHERTEXT, messageStubParameters: ['Bad MAC'] }),
    'group-stub': await live('a group notification stub (participant added), no content', 'groupPn', null, { messageStubType: WAMessageStubType.GROUP_PARTICIPANT_ADD, messageStubParameters: [JSON.stringify({ id: PEOPLE.ana.pn })] }),
    'key-distribution-only': await live('a bare sender-key distribution message, no user content', 'groupPn', wire({ senderKeyDistributionMessage: { groupId: GROUP, axolotlSenderKeyDistributionMessage: bytes(4) } })),
    'history-long-timestamp': {
      description: 'a message stored as WebMessageInfo with a Long timestamp (history sync shape)',
      upsert_type: 'append',
      history: true,
      message: { ...envelope('dmPn', T - 3600), messageTimestamp: String(T - 3600), message: wire(text('from yesterday')) },
    },
  };
}

function events(): Record<string, unknown> {
  const sent = (id: string, remoteJid: string) => ({ remoteJid, fromMe: true, id });
  return {
    'messages-update': {
      description: "status updates for our sends; 1:1 receipts may come from the recipient's @lid",
      event: [
        { key: sent('3EB0AAAA0000000000000001', PEOPLE.ana.lid), update: { status: WAMessageStatus.DELIVERY_ACK } },
        { key: sent('3EB0AAAA0000000000000001', PEOPLE.ana.lid), update: { status: WAMessageStatus.READ } },
        { key: sent('3EB0AAAA0000000000000002', PEOPLE.bob.pn), update: { status: WAMessageStatus.PLAYED } },
        { key: sent('3EB0AAAA0000000000000003', PEOPLE.bob.pn), update: { status: WAMessageStatus.ERROR, messageStubParameters: ['463', 'Your account has been restricted'] } },
        { key: sent('3EB0AAAA0000000000000004', PEOPLE.bob.pn), update: { status: WAMessageStatus.SERVER_ACK } },
        { key: sent('3EB0AAAA0000000000000005', PEOPLE.bob.pn), update: { status: WAMessageStatus.PENDING } },
        { key: { remoteJid: PEOPLE.ana.pn, fromMe: false, id: '3A0001F1C2D3E4B5A6978' }, update: { status: WAMessageStatus.READ } },
        { key: sent('3EB0AAAA0000000000000006', PEOPLE.ana.pn), update: { message: { editedMessage: { message: text('edited') } } } },
      ],
    },
    'message-receipt-update': {
      description: 'group receipts, one per participant',
      event: [
        { key: sent('3EB0BBBB0000000000000001', GROUP), receipt: { userJid: PEOPLE.bob.lid, receiptTimestamp: T + 5 } },
        { key: sent('3EB0BBBB0000000000000001', GROUP), receipt: { userJid: PEOPLE.ana.lid, readTimestamp: T + 60 } },
        { key: sent('3EB0BBBB0000000000000002', GROUP), receipt: { userJid: PEOPLE.ana.lid, playedTimestamp: T + 90 } },
      ],
    },
    'group-participants-update': {
      description: 'rc14 participant objects {id, phoneNumber?, admin}',
      event: { id: GROUP, author: PEOPLE.bob.lid, participants: [{ id: PEOPLE.ana.lid, phoneNumber: PEOPLE.ana.pn, admin: null }, { id: '333333333333333@lid', admin: null }], action: 'add' },
    },
    'contacts-upsert': {
      description: 'contacts learned from the phone',
      event: [{ id: PEOPLE.ana.lid, lid: PEOPLE.ana.lid, phoneNumber: PEOPLE.ana.pn, notify: 'Ana María' }],
    },
  };
}

async function main(): Promise<void> {
  fs.mkdirSync(path.join(ROOT, 'messages'), { recursive: true });
  fs.mkdirSync(path.join(ROOT, 'events'), { recursive: true });
  for (const [name, fixture] of Object.entries(await messages())) {
    fs.writeFileSync(path.join(ROOT, 'messages', `${name}.json`), `${JSON.stringify(fixture, null, 2)}\n`);
  }
  for (const [name, fixture] of Object.entries(events())) {
    fs.writeFileSync(path.join(ROOT, 'events', `${name}.json`), `${JSON.stringify(fixture, null, 2)}\n`);
  }
  console.log(`wrote fixtures to ${path.relative(process.cwd(), ROOT)}`);
}

await main();
