import { expect } from 'chai';
import { KeywordAutomaton, type Occurrence } from './keyword-automaton.js';
import { seededRandom } from './random.js';

/** Every occurrence by brute force, in the automaton's order (by end, then longest first as the failure chain yields them). */
function naive(keywords: string[], text: string): Occurrence[] {
  const found: Occurrence[] = [];
  keywords.forEach((k, keyword) => {
    for (let start = text.indexOf(k); start >= 0; start = text.indexOf(k, start + 1)) found.push({ keyword, start, end: start + k.length });
  });
  return found.sort((a, b) => a.end - b.end || b.end - b.start - (a.end - a.start));
}

describe('keyword automaton', () => {
  it('finds exactly the occurrences a brute-force scan finds, over ASCII and non-ASCII text', () => {
    const random = seededRandom(7);
    // a small alphabet makes overlaps, shared prefixes and failure chains common
    const alphabet = ['a', 'b', 'c', ' ', 'é', 'ß', '字'];
    const word = (max: number) => Array.from({ length: 1 + Math.floor(random() * max) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    for (let round = 0; round < 200; round++) {
      const automaton = new KeywordAutomaton();
      const keywords: string[] = [];
      for (let i = 0; i < 1 + Math.floor(random() * 40); i++) {
        const k = word(5);
        if (keywords.includes(k)) continue;
        expect(automaton.add(k)).to.equal(keywords.length);
        keywords.push(k);
      }
      automaton.build();
      const text = word(60);
      expect(automaton.occurrences(text), `${JSON.stringify(keywords)} in ${JSON.stringify(text)}`).to.deep.equal(naive(keywords, text));
    }
  });

  it('grows its table past thousands of keywords', () => {
    const automaton = new KeywordAutomaton();
    for (let i = 0; i < 5000; i++) automaton.add(`kw${i}x`);
    automaton.build();
    expect(automaton.occurrences('say kw4999x and kw12x').map((o) => o.keyword)).to.deep.equal([4999, 12]);
  });
});
