import { expect } from 'chai';
import { foldCase, normalizeFor, normalizeMessageText, normalizeText } from './normalize.js';

describe('normalizeText', () => {
  const cases: [string, string, string][] = [
    ['accents are removed', 'café crème', 'cafe creme'],
    ['ñ and ü lose their marks', 'Año pingüino', 'Ano pinguino'],
    ['NFKC folds full-width letters', 'ｃａｆｅ', 'cafe'],
    ['NFKC folds ligatures', 'ﬁle', 'file'],
    ['decomposed input equals composed input', 'cafe\u0301', 'cafe'],
    ['whitespace runs collapse', 'a \t\n  b', 'a b'],
    ['non-breaking and ideographic spaces collapse', 'a\u00a0\u3000b', 'a b'],
    ['zero-width spaces collapse', 'a\u200bb', 'a b'],
    ['leading and trailing whitespace is trimmed', '  hi  ', 'hi'],
    ['Hangul survives decomposition', '안녕하세요', '안녕하세요'],
    ['case is kept', 'HeLLo', 'HeLLo'],
    ['only whitespace becomes empty', ' \n\t ', ''],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => expect(normalizeText(input)).to.equal(expected));
  }
});

describe('foldCase', () => {
  const cases: [string, string][] = [
    ['HELLO', 'hello'],
    ['Straße', 'strasse'],
    ['ΟΔΟΣ', 'οδοσ'],
    ['οδος', 'οδοσ'],
    ['İstanbul', 'i̇stanbul'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${expected}`, () => expect(foldCase(input)).to.equal(expected));
  }

  it('a dotted capital I loses its dot before folding, so it matches a plain i', () => {
    expect(normalizeFor('İstanbul', false)).to.equal(normalizeFor('istanbul', false));
  });
});

describe('normalizeMessageText', () => {
  it('gives both forms', () => {
    expect(normalizeMessageText('  Café  AU lait ')).to.deep.equal({ exact: 'Cafe AU lait', folded: 'cafe au lait' });
  });

  it('gives exactly normalizeText and its folded form, ASCII or not', () => {
    for (const text of ['Hello  World', '\tHi\nthere ', 'PRICE?', '  ', '', 'a\r\nb', 'café CRÈME', 'Straße', 'a\u00a0b', 'x\u200by']) {
      const exact = normalizeText(text);
      expect(normalizeMessageText(text), JSON.stringify(text)).to.deep.equal({ exact, folded: foldCase(exact) });
    }
  });

  it('keeps null for messages without text', () => {
    expect(normalizeMessageText(null)).to.equal(null);
  });
});
