import { expect } from 'chai';
import { fillPlaceholders, type PlaceholderContext } from './placeholders.js';
import { seededRandom } from './random.js';
import { renderContent, renderText } from './render.js';

// Tuesday 2024-05-14 10:05 UTC
const NOW = Date.UTC(2024, 4, 14, 10, 5);

const ctx: PlaceholderContext = {
  pushName: 'María',
  phone: '59171234567',
  botName: 'Tienda Bot',
  timeZone: 'UTC',
  lang: 'en',
  message: 'cuánto cuesta?',
  now: NOW,
};

describe('placeholders', () => {
  const cases: [string, string, Partial<PlaceholderContext>, string][] = [
    ['name', 'Hi [name]', {}, 'Hi María'],
    ['name falls back to the phone', 'Hi [name]', { pushName: null }, 'Hi 59171234567'],
    ['a blank push name falls back to the phone', 'Hi [name]', { pushName: '  ' }, 'Hi 59171234567'],
    ['phone', '[phone]', {}, '59171234567'],
    ['bot_name', 'I am [bot_name]', {}, 'I am Tienda Bot'],
    ['message', 'You said: [message]', {}, 'You said: cuánto cuesta?'],
    ['message without text', 'You said: [message]', { message: null }, 'You said: '],
    ['date in English', '[date]', {}, 'May 14, 2024'],
    ['time in English', '[time]', {}, '10:05 AM'],
    ['day in English', '[day]', {}, 'Tuesday'],
    ['day in Spanish', '[day]', { lang: 'es' }, 'martes'],
    ['date in Spanish', '[date]', { lang: 'es' }, '14 de mayo de 2024'],
    ['time in Spanish', '[time]', { lang: 'es' }, '10:05'],
    ['time in an IANA zone', '[time]', { timeZone: 'America/La_Paz', lang: 'es' }, '06:05'],
    ['time at a fixed offset', '[time]', { timeZone: '+5:30', lang: 'es' }, '15:35'],
    ['day at an offset crossing midnight', '[day]', { timeZone: 'UTC-11', now: Date.UTC(2024, 4, 14, 3, 0) }, 'Monday'],
    ['unknown placeholders stay', 'Hi [nombre] [NAME] [first name]', {}, 'Hi [nombre] [NAME] [first name]'],
    ['escaped brackets are literal', '\\[name\\] is [name]', {}, '[name] is María'],
    ['values are not expanded again', 'Hi [name]', { pushName: '{a|b} [phone]' }, 'Hi {a|b} [phone]'],
    ['repeated placeholders', '[name], [name]!', {}, 'María, María!'],
  ];
  for (const [name, template, overrides, expected] of cases) {
    it(name, () => expect(fillPlaceholders(template, { ...ctx, ...overrides })).to.equal(expected));
  }

  it('follows the clock from one minute, day and zone to the next', () => {
    const at = (now: number, overrides: Partial<PlaceholderContext> = {}) => fillPlaceholders('[day] [date] [time]', { ...ctx, ...overrides, now });
    expect(at(Date.UTC(2024, 4, 14, 23, 59, 0))).to.equal('Tuesday May 14, 2024 11:59 PM');
    expect(at(Date.UTC(2024, 4, 14, 23, 59, 59, 999))).to.equal('Tuesday May 14, 2024 11:59 PM');
    expect(at(Date.UTC(2024, 4, 15, 0, 0, 0))).to.equal('Wednesday May 15, 2024 12:00 AM');
    expect(at(Date.UTC(2024, 4, 15, 0, 0, 0), { timeZone: 'America/La_Paz', lang: 'es' })).to.equal('martes 14 de mayo de 2024 20:00');
    expect(at(Date.UTC(2024, 4, 15, 0, 0, 30), { timeZone: '+5:30', lang: 'es' })).to.equal('miércoles 15 de mayo de 2024 05:30');
    expect(at(Date.UTC(2024, 4, 15, 0, 0, 40))).to.equal('Wednesday May 15, 2024 12:00 AM');
    // back in time too (a test clock, or messages processed out of order)
    expect(at(Date.UTC(2024, 4, 14, 23, 59, 0))).to.equal('Tuesday May 14, 2024 11:59 PM');
  });
});

describe('rendering a reply', () => {
  it('resolves placeholders after spintax', () => {
    expect(renderText('{Hi|Hi} [name]', seededRandom(1), ctx)).to.equal('Hi María');
    // a spintax option that builds a placeholder still resolves it
    expect(renderText('[{name|name}]', seededRandom(1), ctx)).to.equal('María');
  });

  it('renders every text of rich content and leaves URLs alone', () => {
    const rendered = renderContent(
      { type: 'image', media: { url: 'https://example.com/{a|b}.jpg' }, caption: '{Hola|Hola} [name]' },
      seededRandom(1),
      ctx,
    );
    expect(rendered).to.deep.equal({ type: 'image', media: { url: 'https://example.com/{a|b}.jpg' }, caption: 'Hola María' });
  });

  it('renders poll names and options', () => {
    const rendered = renderContent({ type: 'poll', name: '[bot_name] asks', options: ['[name]', 'other'], selectable_count: 1 }, seededRandom(1), ctx);
    expect(rendered).to.deep.include({ name: 'Tienda Bot asks', options: ['María', 'other'] });
  });
});
