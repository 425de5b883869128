import { expect } from 'chai';
import { fillPlaceholders, mapMainText, missingVariables, placeholdersIn, recipientValues } from './bulk.js';
import type { Content } from './content.js';

describe('bulk personalisation', () => {
  const values = recipientValues({ name: 'Ana', phone: '573001234567', variables: { City: 'La Paz', order_id: 'A-17' } });

  it('fills [name], [phone] and custom variables (case-insensitive) in every shown string, leaving unknown ones', () => {
    const content: Content<unknown> = { type: 'buttons', text: 'Hi [name] from [city]', footer: 'Order [ORDER_ID]', buttons: [{ type: 'url', title: 'Track [order_id]', payload: 'https://t.example/[order_id]' }] };
    expect(fillPlaceholders(content, values)).to.deep.equal({
      type: 'buttons',
      text: 'Hi Ana from La Paz',
      footer: 'Order A-17',
      buttons: [{ type: 'url', title: 'Track A-17', payload: 'https://t.example/A-17' }],
    });
    expect(fillPlaceholders({ type: 'text', text: 'Price [USD] for [phone]' }, values)).to.deep.equal({ type: 'text', text: 'Price [USD] for 573001234567' });
  });

  it('does not touch ids or media', () => {
    const content: Content<unknown> = { type: 'image', media: { url: 'https://x.example/[name].jpg' }, caption: '[name]', reply_to: '[name]' };
    expect(fillPlaceholders(content, values)).to.deep.equal({ type: 'image', media: { url: 'https://x.example/[name].jpg' }, caption: 'Ana', reply_to: '[name]' });
  });

  it('leaves no stray space or punctuation when a value is empty', () => {
    const v = recipientValues({ name: null, phone: '1' });
    const fill = (text: string) => (fillPlaceholders({ type: 'text', text }, v) as { text: string }).text;
    expect(fill('Hi [name], welcome')).to.equal('Hi, welcome');
    expect(fill('[name] welcome')).to.equal('welcome');
    expect(fill('Dear [name] and team')).to.equal('Dear and team');
    expect(fill('Hello  world')).to.equal('Hello  world');
  });

  it('finds variables some recipients define but others lack', () => {
    const content: Content<unknown> = { type: 'text', text: '[name] in [city] [unknown]' };
    expect([...placeholdersIn(content)]).to.have.members(['name', 'city', 'unknown']);
    expect(missingVariables(content, [{ variables: { city: 'x' } }, { variables: {} }, { variables: { CITY: 'y' } }])).to.deep.equal([[1, 'city']]);
  });

  it('maps the main text of each content kind', () => {
    const up = (c: Content<unknown>) => mapMainText(c, (t) => t.toUpperCase());
    expect(up({ type: 'text', text: 'a' })).to.deep.include({ text: 'A' });
    expect(up({ type: 'document', media: {}, caption: 'c' })).to.deep.include({ caption: 'C' });
    expect(up({ type: 'location', lat: 1, lng: 2, name: 'n' })).to.deep.include({ name: 'n' });
  });
});
