import { expect } from 'chai';
import type { EngineContent, SendRequest } from '../engine.js';
import { mentionJid, toBaileysMessage } from './outbound.js';

const JID = '59171234567@s.whatsapp.net';
const GROUP = '120363025111111111@g.us';
const bytes = Buffer.from('file bytes');
const req = (content: EngineContent, extra: Partial<SendRequest> = {}): SendRequest => ({ jid: JID, content, wa_message_id: '3EB0ID', ...extra });

describe('Baileys outbound mapping', () => {
  it('uses the caller-generated WhatsApp id, so a retry after a crash reuses it', () => {
    expect(toBaileysMessage(req({ type: 'text', text: 'hi' })).options).to.deep.equal({ messageId: '3EB0ID' });
  });

  it('maps text with mentions (digits or any JID form) and never asks for a link preview', () => {
    const m = toBaileysMessage(req({ type: 'text', text: 'hi @59172222222 https://example.com', mentions: ['59172222222', '111@lid', '59173333333:4@c.us'] }));
    expect(m.content).to.deep.equal({ text: 'hi @59172222222 https://example.com', linkPreview: null, mentions: ['59172222222@s.whatsapp.net', '111@lid', '59173333333@s.whatsapp.net'] });
    expect(mentionJid('+591 7222-2222')).to.equal('59172222222@s.whatsapp.net');
  });

  it('passes media as Buffers only, never {url}', () => {
    const media = { data: bytes, mimetype: 'image/jpeg', filename: 'a.jpg' };
    const cases: [EngineContent, Record<string, unknown>][] = [
      [{ type: 'image', media, caption: 'c' }, { image: bytes, mimetype: 'image/jpeg', caption: 'c' }],
      [{ type: 'video', media: { ...media, mimetype: 'video/mp4' } }, { video: bytes, mimetype: 'video/mp4' }],
      [{ type: 'audio', media: { data: bytes, mimetype: 'audio/ogg; codecs=opus' }, ptt: true }, { audio: bytes, mimetype: 'audio/ogg; codecs=opus', ptt: true }],
      [{ type: 'document', media: { data: bytes, mimetype: 'application/pdf', filename: 'x.pdf' }, caption: 'see' }, { document: bytes, mimetype: 'application/pdf', fileName: 'x.pdf', caption: 'see' }],
      [{ type: 'document', media: { data: bytes, mimetype: 'application/pdf' }, filename: 'named.pdf' }, { document: bytes, mimetype: 'application/pdf', fileName: 'named.pdf' }],
      [{ type: 'sticker', media: { data: bytes, mimetype: 'image/webp' } }, { sticker: bytes, mimetype: 'image/webp' }],
    ];
    for (const [content, expected] of cases) {
      const out = toBaileysMessage(req(content)).content as Record<string, unknown>;
      expect(out).to.deep.equal(expected);
      const media = out[content.type];
      expect(Buffer.isBuffer(media), content.type).to.equal(true);
      expect(JSON.stringify(out)).not.to.contain('"url"');
    }
  });

  it('turns a Uint8Array into a Buffer (Baileys would read anything else as a URL or path)', () => {
    const out = toBaileysMessage(req({ type: 'image', media: { data: new Uint8Array([1, 2]) as Buffer, mimetype: 'image/png' } })).content as { image: unknown };
    expect(Buffer.isBuffer(out.image)).to.equal(true);
  });

  it('maps location, contact, poll and reaction', () => {
    expect(toBaileysMessage(req({ type: 'location', lat: -16.5, lng: -68.1, name: 'Office' })).content).to.deep.equal({
      location: { degreesLatitude: -16.5, degreesLongitude: -68.1, name: 'Office' },
    });
    const contact = toBaileysMessage(req({ type: 'contact', contact: { full_name: 'Carla Pérez', display_name: 'Carla', phone: '+591 72222222' } })).content as {
      contacts: { displayName: string; contacts: { vcard: string }[] };
    };
    expect(contact.contacts.displayName).to.equal('Carla');
    expect(contact.contacts.contacts[0].vcard).to.contain('TEL;type=CELL;type=VOICE;waid=59172222222:+59172222222');
    expect(toBaileysMessage(req({ type: 'poll', name: 'Lunch?', options: ['a', 'b'], selectable_count: 1 })).content).to.deep.equal({
      poll: { name: 'Lunch?', values: ['a', 'b'], selectableCount: 1 },
    });
    expect(toBaileysMessage(req({ type: 'reaction', emoji: '👍', message_id: 'ABC' })).content).to.deep.equal({
      react: { text: '👍', key: { remoteJid: JID, fromMe: false, id: 'ABC' } },
    });
  });

  it('quotes the replied-to message, naming its author in groups', () => {
    const dm = toBaileysMessage(req({ type: 'text', text: 'yes' }, { quoted: { wa_message_id: 'Q1', chat_jid: JID, from_me: false, text: 'really?' } }));
    expect(dm.options.quoted).to.deep.equal({ key: { remoteJid: JID, fromMe: false, id: 'Q1' }, message: { conversation: 'really?' } });
    const group = toBaileysMessage(
      req({ type: 'text', text: 'yes' }, { jid: GROUP, quoted: { wa_message_id: 'Q2', chat_jid: GROUP, from_me: false, sender_jid: '222@lid', text: null } }),
    );
    expect(group.options.quoted?.key).to.deep.equal({ remoteJid: GROUP, fromMe: false, id: 'Q2', participant: '222@lid' });
    expect(group.options.quoted?.message).to.deep.equal({ conversation: '' });
  });

  it('reacts to the quoted message with its full key (group author included)', () => {
    const m = toBaileysMessage(
      req({ type: 'reaction', emoji: '❤️', message_id: 'Q2' }, { jid: GROUP, quoted: { wa_message_id: 'Q2', chat_jid: GROUP, from_me: false, sender_jid: '222@lid' } }),
    );
    expect(m.content).to.deep.equal({ react: { text: '❤️', key: { remoteJid: GROUP, fromMe: false, id: 'Q2', participant: '222@lid' } } });
    expect(m.options.quoted).to.equal(undefined);
  });
});
