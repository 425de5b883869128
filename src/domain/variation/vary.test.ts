import { expect } from 'chai';
import { seededRandom } from '../random.js';
import { segment, unsegment } from './sentences.js';
import { join, tokenize } from './tokens.js';
import { varyText, type VariationData, type VariationOptions } from './vary.js';

// small hand-made data: the pure function takes whatever the service loads
const data: VariationData = {
  thesaurus: new Map([
    ['big', ['large']],
    ['buy', ['purchase']],
    ['car', ['automobile']],
    ['help', ['aid', 'assist']],
    ['wonderful', ['marvelous']],
  ]),
  emojis: new Map([
    ['birthday', { tier: 3, emojis: ['🎂'] }],
    ['happy', { tier: 5, emojis: ['😀', '😊'] }],
    ['coffee', { tier: 4, emojis: ['☕'] }],
    ['car', { tier: 2, emojis: ['🚗'] }],
  ]),
};

const ALL: VariationOptions = { useSynonyms: true, addEmojis: true, shuffleSentences: true };

function copies(text: string, options: VariationOptions = ALL, n = 40): string[] {
  return Array.from({ length: n }, (_, seed) => varyText(text, options, data, seededRandom(seed)));
}

describe('text variation (pure)', () => {
  it('tokenizes losslessly and keeps placeholders, URLs, e-mails, mentions and numbers whole', () => {
    const text = 'Hi [name], {{first}} & {x}: see https://ex.com/a.b?c=1. Mail me@ex.com, ping @573001234567 — $19.99 at 10:00 on 12/05!';
    const tokens = tokenize(text);
    expect(join(tokens)).to.equal(text);
    const protectedTexts = tokens.filter((t) => t.kind === 'protected').map((t) => t.text);
    expect(protectedTexts).to.deep.equal(['[name]', '{{first}}', '{x}', 'https://ex.com/a.b?c=1', 'me@ex.com', '@573001234567', '19.99', '10:00', '12/05']);
  });

  it('splits sentences without breaking at abbreviations, decimals or URLs, and joins them back exactly', () => {
    const text = 'Dr. Smith paid 3.5 USD at https://x.io/a.b today. Great! 🎉 See you e.g. tomorrow?\nNew line here.  Two spaces.';
    const paragraphs = segment(tokenize(text));
    expect(unsegment(paragraphs)).to.equal(text);
    const sentences = paragraphs.map((p) => p.map((s) => s.tokens.map((t) => t.text).join('')));
    expect(sentences).to.deep.equal([['Dr. Smith paid 3.5 USD at https://x.io/a.b today.', 'Great! 🎉', 'See you e.g. tomorrow?'], ['New line here.', 'Two spaces.']]);
  });

  it('is deterministic for a given random source and varies across seeds', () => {
    const text = 'Hello [name]! We help you buy a big car. Enjoy a free coffee with us. The offer is wonderful. Call us today.';
    const a = varyText(text, ALL, data, seededRandom(7));
    const b = varyText(text, ALL, data, seededRandom(7));
    expect(a).to.equal(b);
    expect(new Set(copies(text)).size).to.be.greaterThan(5);
  });

  it('swaps only listed words, keeping case and fixing the article', () => {
    const outs = copies('We help you buy a car and a big box. Big deals, BIG savings.', { useSynonyms: true }, 60);
    expect(outs.some((o) => o.includes('buy an automobile') || o.includes('purchase an automobile'))).to.equal(true);
    expect(outs.some((o) => o.includes('a large box'))).to.equal(true);
    expect(outs.some((o) => o.includes('a car and a big box'))).to.equal(true);
    for (const o of outs) {
      // capitalised and upper-case words may be names or acronyms: never swapped (a sentence's first word only when it is an everyday word)
      expect(o).to.match(/^We (help|aid|assist) you (buy|purchase) (a car|an automobile) and a (big|large) box\. (Big|Large) deals, BIG savings\.$/);
    }
  });

  it('leaves text in languages without a thesaurus unchanged by synonyms', () => {
    for (const text of ['Olá [nome], obrigado pela sua compra de um car. Você vai receber em breve.', 'Bonjour [nom], merci pour votre car. Nous sommes avec vous.']) {
      for (const o of copies(text, { useSynonyms: true })) expect(o).to.equal(text);
    }
  });

  it('swaps Spanish words in Spanish text, without touching the preposition "a"', () => {
    const outs = copies('Hola [nombre], te ayudamos a comprar productos con ofertas. ¡Gracias!', { useSynonyms: true }, 60);
    for (const o of outs) expect(o).to.match(/^Hola \[nombre\], te ayudamos a (comprar|adquirir) (productos|artículos) con (ofertas|promociones)\. ¡Gracias!$/);
    expect(new Set(outs).size).to.be.greaterThan(3);
    // an English word in Spanish text is not swapped by the English thesaurus
    for (const o of copies('Te ayudamos a comprar un car grande para tu familia.', { useSynonyms: true })) expect(o).to.contain('un car grande');
  });

  it("swaps a sentence's capitalised first word only when it is an everyday word, never a name", () => {
    const outs = copies('Hello Great Lakes team! Great news: the big sale begins. Maybe we meet.', { useSynonyms: true }, 60);
    expect(outs.some((o) => o.startsWith('Hi Great Lakes team!'))).to.equal(true);
    expect(outs.some((o) => /! (Excellent|Fantastic|Wonderful|Terrific) news/.test(o))).to.equal(true);
    expect(outs.some((o) => o.endsWith('Perhaps we meet.'))).to.equal(true);
    // mid-sentence capitals (names) stay
    for (const o of outs) expect(o).to.match(/^(Hello|Hi) Great Lakes team!/);
  });

  it('adds fitting emojis after sentence punctuation, never inside protected text, at most one per sentence', () => {
    const outs = copies('Happy birthday, Ana! Your coffee is ready. Visit https://car.example.com/coffee today.', { addEmojis: true });
    for (const o of outs) {
      expect(o).to.match(/^Happy birthday, Ana! 🎂 Your coffee is ready\. ☕ Visit https:\/\/car\.example\.com\/coffee today\.$/);
    }
    // a sentence that already has an emoji gets no other; none fits → none added
    expect(varyText('Happy birthday! 🎉 Nothing else here.', { addEmojis: true }, data, seededRandom(1))).to.equal('Happy birthday! 🎉 Nothing else here.');
  });

  it('shuffles sentences within a paragraph, keeping the opener, sign-off, back-references and line breaks', () => {
    const text = 'Hi [name]! Our sale starts Monday. It lasts a week. Shipping is free. Returns are easy.\nThanks!';
    const orders = new Set<string>();
    for (const o of copies(text, { shuffleSentences: true })) {
      expect(o).to.not.equal(text);
      expect(o.startsWith('Hi [name]! ')).to.equal(true);
      expect(o.endsWith('\nThanks!')).to.equal(true);
      const body = o.slice('Hi [name]! '.length, -'\nThanks!'.length);
      // "It lasts a week." points back, so it travels with the sentence before it
      expect(body).to.contain('Our sale starts Monday. It lasts a week.');
      expect(body.split(/(?<=\.) (?!It)/).sort()).to.deep.equal(['Our sale starts Monday. It lasts a week.', 'Returns are easy.', 'Shipping is free.']);
      orders.add(body);
    }
    expect(orders.size).to.be.greaterThan(2);
  });

  it('keeps an unterminated last sentence in place and changes nothing when no option is on', () => {
    const text = 'First one. Second one. third without a stop';
    for (const o of copies(text, { shuffleSentences: true })) expect(o.endsWith('third without a stop')).to.equal(true);
    expect(varyText(text, {}, data, seededRandom(1))).to.equal(text);
  });
});
