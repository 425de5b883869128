import { expect } from 'chai';
import { normalizeJid, parseCodePhone, parseRecipient, phoneFromJid } from './recipient.js';

describe('domain/recipient', () => {
  const ok: [string, string, string][] = [
    ['573001234567', 'user', '573001234567@s.whatsapp.net'],
    ['+57 300 123 4567', 'user', '573001234567@s.whatsapp.net'],
    ['+57 (300) 123-4567', 'user', '573001234567@s.whatsapp.net'],
    ['573001234567@s.whatsapp.net', 'user', '573001234567@s.whatsapp.net'],
    ['573001234567@c.us', 'user', '573001234567@s.whatsapp.net'],
    ['573001234567:12@s.whatsapp.net', 'user', '573001234567@s.whatsapp.net'],
    ['123456789012345@lid', 'lid', '123456789012345@lid'],
    ['120363025246125486@g.us', 'group', '120363025246125486@g.us'],
    ['5491112345678-1612345678@g.us', 'group', '5491112345678-1612345678@g.us'],
  ];
  for (const [input, kind, jid] of ok) {
    it(`accepts ${input}`, () => {
      const r = parseRecipient(input);
      expect(r.ok).to.equal(true);
      if (r.ok) expect(r.recipient).to.include({ kind, jid });
    });
  }

  const bad: [string, RegExp][] = [
    ['', /phone number/],
    ['hello', /phone number/],
    ['3001234567', /not a valid phone number/],
    ['+1234567890', /not a valid phone number/],
    ['1234', /7 to 15 digits/],
    ['abc@g.us', /group JID/],
    ['573001234567@example.com', /unsupported JID server/],
    ['12@lid', /@lid JID/],
  ];
  for (const [input, reason] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      const r = parseRecipient(input);
      expect(r.ok).to.equal(false);
      if (!r.ok) expect(r.reason).to.match(reason);
    });
  }

  it("follows seed 000's code/phone digit rules", () => {
    expect(parseCodePhone({ code: '591', phone: '71234567' })).to.deep.include({ ok: true });
    expect(parseRecipient({ code: '54', phone: '91123456789' })).to.deep.include({ ok: true });
    expect(parseCodePhone({ code: '+591', phone: '71234567' })).to.deep.equal({ ok: false, reason: 'code must be 2–3 digits (country code without +)' });
    expect(parseCodePhone({ code: '5910', phone: '71234567' }).ok).to.equal(false);
    expect(parseCodePhone({ code: '591', phone: '7123' })).to.deep.equal({ ok: false, reason: 'phone must be 8–15 digits' });
    expect(parseCodePhone({ code: '591', phone: '7123 4567' }).ok).to.equal(false);
  });

  it('normalises JIDs and extracts phone numbers', () => {
    expect(normalizeJid('573001234567:0@s.whatsapp.net')).to.equal('573001234567@s.whatsapp.net');
    expect(normalizeJid('573001234567@C.US')).to.equal('573001234567@s.whatsapp.net');
    expect(normalizeJid('573001234567@S.WhatsApp.Net')).to.equal('573001234567@s.whatsapp.net');
    expect(normalizeJid('123456789:4@lid')).to.equal('123456789@lid');
    for (const jid of ['573001234567@s.whatsapp.net', '123456789@lid', '120363025246125486@g.us', 'status@broadcast', 'plain']) expect(normalizeJid(jid)).to.equal(jid);
    expect(phoneFromJid('573001234567:3@s.whatsapp.net')).to.equal('573001234567');
    expect(phoneFromJid('123456789@lid')).to.equal(null);
    expect(phoneFromJid('120363025246125486@g.us')).to.equal(null);
    expect(phoneFromJid(undefined)).to.equal(null);
  });
});
