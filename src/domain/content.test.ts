import { expect } from 'chai';
import { ContentSchema, contentToJson, parseContentBody } from './content.js';
import { renderInteractive } from './interactive.js';
import { buildVCard } from './vcard.js';

const PNG_BASE64 = 'iVBORw0KGgo=';

describe('domain/content', () => {
  const valid: [string, unknown, string][] = [
    ['text', { text: 'hi', mentions: ['573001234567'], reply_to: 'ABC' }, 'text'],
    ['image url', { image: { url: 'https://example.com/a.jpg' }, caption: 'look' }, 'image'],
    ['image base64', { image: { base64: PNG_BASE64, mimetype: 'image/png' } }, 'image'],
    ['image data url', { image: { base64: `data:image/png;base64,${PNG_BASE64}` } }, 'image'],
    ['video media id', { video: { media_id: '6650f1c2a1b2c3d4e5f60718' }, caption: 'v' }, 'video'],
    ['voice note', { audio: { url: 'https://example.com/a.ogg', ptt: true } }, 'audio'],
    ['document', { document: { url: 'https://example.com/f.pdf', filename: 'f.pdf', mimetype: 'application/pdf' }, caption: 'doc' }, 'document'],
    ['sticker', { sticker: { url: 'https://example.com/s.webp' } }, 'sticker'],
    ['location with string coordinates', { location: { lat: '6.556452', lng: '3.2774487', name: 'Office' } }, 'location'],
    ['contact card', { contact: { full_name: 'John Doe', organization: 'MIB', phone: '919999999999' } }, 'contact'],
    ['saved contact', { contact: { contact_id: '64a00ec7c5e487d95dcb0d5e' } }, 'contact_ref'],
    ['reaction', { reaction: { emoji: '👍', message_id: 'ABC' } }, 'reaction'],
    ['reaction removal', { reaction: { emoji: '', message_id: 'ABC' } }, 'reaction'],
    ['poll', { poll: { name: 'Lunch?', options: ['Pizza', 'Sushi'], selectable_count: 1 } }, 'poll'],
    ['buttons', { buttons: { text: 'Pick', buttons: [{ type: 'reply', title: 'Yes' }, { type: 'url', title: 'Site', payload: 'https://x.y' }] } }, 'buttons'],
    ['list', { list: { text: 'Menu', button_text: 'Open', sections: [{ title: 'Food', rows: [{ id: '1', title: 'Pizza' }] }] } }, 'list'],
  ];
  for (const [label, body, type] of valid) {
    it(`accepts ${label}`, () => {
      const parsed = ContentSchema.safeParse(body);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).to.equal(true);
      const content = parseContentBody(parsed.data!);
      expect(content.type).to.equal(type);
      // the JSON shape round-trips
      expect(parseContentBody(ContentSchema.parse(contentToJson(content))).type).to.equal(type);
    });
  }

  const invalid: [string, unknown, string][] = [
    ['nothing', {}, ''],
    ['two content fields', { text: 'a', image: { url: 'https://x.y/a.png' } }, ''],
    ['empty text', { text: '' }, 'text'],
    ['ftp url', { image: { url: 'ftp://x.y/a.png' } }, 'image.url'],
    ['two sources', { image: { url: 'https://x.y/a.png', media_id: '6650f1c2a1b2c3d4e5f60718' } }, 'image'],
    ['base64 without mimetype', { image: { base64: PNG_BASE64 } }, 'image.mimetype'],
    ['invalid base64', { image: { base64: '***', mimetype: 'image/png' } }, 'image.base64'],
    ['bad media id', { image: { media_id: 'nope' } }, 'image.media_id'],
    ['caption on text', { text: 'a', caption: 'b' }, 'caption'],
    ['latitude out of range', { location: { lat: 91, lng: 0 } }, 'location.lat'],
    ['poll with one option', { poll: { name: 'x', options: ['a'] } }, 'poll.options'],
    ['selectable count too high', { poll: { name: 'x', options: ['a', 'b'], selectable_count: 3 } }, 'poll.selectable_count'],
    ['url button without payload', { buttons: { text: 't', buttons: [{ type: 'url', title: 'x' }] } }, 'buttons.buttons.0.payload'],
    ['unknown type', { carousel: {} }, ''],
  ];
  for (const [label, body, path] of invalid) {
    it(`rejects ${label}`, () => {
      const parsed = ContentSchema.safeParse(body);
      expect(parsed.success).to.equal(false);
      const paths = parsed.error!.issues.map((i) => i.path.join('.'));
      expect(paths).to.include(path);
    });
  }

  it('renders buttons and lists as faithful text', () => {
    const buttons = renderInteractive(
      parseContentBody(
        ContentSchema.parse({
          buttons: {
            text: 'title Head',
            footer: 'title footer',
            buttons: [
              { type: 'reply', title: 'Reply this text (REPLY)' },
              { type: 'url', title: 'Click me (URL)', payload: 'https://google.com' },
              { type: 'call', title: 'Click to call (CALL)', payload: '918788889688' },
            ],
          },
        }),
      ),
    );
    expect(buttons).to.deep.equal({
      type: 'text',
      text: 'title Head\n\n1. Reply this text (REPLY)\n2. Click me (URL): https://google.com\n3. Click to call (CALL): +918788889688\n\nReply with the number of your choice.\n\n_title footer_',
    });
    const withImage = renderInteractive(parseContentBody(ContentSchema.parse({ buttons: { text: 'T', media: { url: 'https://x.y/i.jpg' }, buttons: [{ type: 'reply', title: 'A' }] } })));
    expect(withImage.type).to.equal('image');
    const list = renderInteractive(
      parseContentBody(
        ContentSchema.parse({
          list: { title: 'Head Title', text: 'Middle Text', footer: 'Footer', button_text: 'Button Text', sections: [{ title: 'title', rows: [{ id: 'r1', title: 'Title Option 1', description: 'Option Description' }] }] },
        }),
      ),
    );
    expect(list).to.deep.equal({
      type: 'text',
      text: '*Head Title*\nMiddle Text\n\n*title*\n1. Title Option 1 — Option Description\n\nButton Text: reply with the number of your choice.\n\n_Footer_',
    });
  });

  it('builds vCards WhatsApp recognises', () => {
    expect(buildVCard({ full_name: 'john doe', organization: 'Men In Black', phone: '+91 99999 99999' })).to.equal(
      'BEGIN:VCARD\nVERSION:3.0\nFN:john doe\nORG:Men In Black;\nTEL;type=CELL;type=VOICE;waid=919999999999:+919999999999\nEND:VCARD',
    );
  });
});
