import { expect } from 'chai';
import { KeywordAutomaton } from './keyword-automaton.js';
import { normalizeMessageText } from './normalize.js';
import { testRule } from '../test-support/rules.js';
import { compileRules } from './rule-matcher.js';
import type { MatchMode, Rule } from './rules.js';

/** Rules here match 'x' unless a case says otherwise. */
const rule = (overrides: Partial<Rule>): Rule => testRule({ keywords: ['x'], ...overrides });

function matches(mode: MatchMode, keyword: string, text: string, caseSensitive = false): boolean {
  const compiled = compileRules([rule({ keywords: [keyword], match: mode, case_sensitive: caseSensitive })]);
  return compiled.match(normalizeMessageText(text), 'text').length > 0;
}

describe('KeywordAutomaton', () => {
  it('finds every occurrence of overlapping keywords', () => {
    const a = new KeywordAutomaton();
    const he = a.add('he');
    const she = a.add('she');
    const hers = a.add('hers');
    const his = a.add('his');
    a.build();
    const found = a.occurrences('ushers his').map((o) => [o.keyword, o.start, o.end]);
    expect(found).to.deep.equal([
      [she, 1, 4],
      [he, 2, 4],
      [hers, 2, 6],
      [his, 7, 10],
    ]);
  });

  it('gives a repeated keyword its first index', () => {
    const a = new KeywordAutomaton();
    expect(a.add('abc')).to.equal(a.add('abc'));
  });
});

describe('rule matching modes', () => {
  const table: [MatchMode, string, string, boolean, boolean?][] = [
    // exact
    ['exact', 'hola', 'Hola', true],
    ['exact', 'hola', '  HOLA  ', true],
    ['exact', 'hola', 'hola amigo', false],
    ['exact', 'buenos dias', 'Buenos   días', true],
    // contains
    ['contains', 'precio', 'cual es el PRECIO?', true],
    ['contains', 'cafe', 'un café por favor', true],
    ['contains', 'café', 'un cafe por favor', true],
    ['contains', 'precio', 'aprecio', true],
    ['contains', 'precio', 'prezio', false],
    // starts_with / ends_with
    ['starts_with', 'hola', 'Hola, ¿qué tal?', true],
    ['starts_with', 'hola', 'dije hola', false],
    ['ends_with', 'gracias', 'muchas GRACIAS', true],
    ['ends_with', 'gracias', 'gracias amigo', false],
    // word: Unicode word boundaries
    ['word', 'precio', 'el precio es', true],
    ['word', 'precio', 'aprecio mucho', false],
    ['word', 'precio', 'precio?', true],
    ['word', 'cafe', '¡café!', true],
    ['word', 'c++', 'I use c++ daily', true],
    ['word', 'c++', 'I use C++!', true],
    ['word', 'c++', 'abc++', false],
    ['word', '3', 'pi is 3.14', false],
    ['word', '3', 'give me 3 please', true],
    ['word', 'mail', 'send an e-mail', true],
    ['word', 'ñandu', 'el ÑANDÚ corre', true],
    ['word', 'привет', 'ну привет!', true],
    ['word', 'привет', 'приветствую', false],
    ['word', 'buenos dias', 'hola, buenos días!', true],
    // literals: special characters are not regex
    ['contains', 'a.b', 'a.b', true],
    ['contains', 'a.b', 'axb', false],
    ['contains', 'c++', 'learning c++ now', true],
    ['contains', '(1)', 'option (1)', true],
    ['exact', '.*', 'anything', false],
    ['exact', '.*', '.*', true],
    ['starts_with', '$price', '$price list', true],
    ['contains', '[x]', 'box [x]', true],
    ['contains', '\\d', '\\d', true],
    ['contains', '\\d', '5', false],
    // case sensitivity
    ['contains', 'SALE', 'big sale', false, true],
    ['contains', 'SALE', 'big SALE', true, true],
    ['contains', 'Café', 'CAFE', false, true],
    ['contains', 'Café', 'Cafe', true, true],
    // regex: RE2, on normalised text
    ['regex', '^order\\s*#?\\d+$', 'Order #123', true],
    ['regex', '^order\\s*#?\\d+$', 'my order 123', false],
    ['regex', 'colou?r', 'What COLOR?', true],
    ['regex', 'colou?r', 'What COLOR?', false, true],
    ['regex', 'caf[eé]', 'CAFÉ', true],
    ['regex', 'café', 'cafe', true],
    ['regex', '\\bhi\\b', 'oh hi there', true],
    ['regex', '\\bhi\\b', 'this', false],
  ];
  for (const [mode, keyword, text, expected, caseSensitive] of table) {
    it(`${mode}${caseSensitive ? ' (case-sensitive)' : ''} '${keyword}' ${expected ? 'matches' : 'does not match'} '${text}'`, () => {
      expect(matches(mode, keyword, text, caseSensitive ?? false)).to.equal(expected);
    });
  }

  it('runs a pathological pattern in linear time (RE2)', () => {
    const compiled = compileRules([rule({ keywords: ['(x+x+)+y'], match: 'regex' })]);
    expect(compiled.match(normalizeMessageText('x'.repeat(20_000)), 'text')).to.deep.equal([]);
  });
});

describe('CompiledRules', () => {
  it('orders by priority (higher first), then creation', () => {
    const low = rule({ name: 'low', keywords: ['hi'], priority: 0 });
    const high = rule({ name: 'high', keywords: ['hi'], priority: 5 });
    const lowLater = rule({ name: 'low later', keywords: ['hi'], priority: 0 });
    const compiled = compileRules([lowLater, low, high]);
    const hits = compiled.match(normalizeMessageText('hi'), 'text');
    expect(hits.map((h) => compiled.rules[h.rank].rule.name)).to.deep.equal(['high', 'low', 'low later']);
  });

  it('leaves disabled rules out', () => {
    const compiled = compileRules([rule({ keywords: ['hi'], enabled: false })]);
    expect(compiled.size).to.equal(0);
    expect(compiled.match(normalizeMessageText('hi'), 'text')).to.deep.equal([]);
  });

  it('reports each rule once, with the keyword that hit', () => {
    const compiled = compileRules([rule({ keywords: ['hi', 'hello', 'hi there'] })]);
    const hits = compiled.match(normalizeMessageText('hi there, hello'), 'text');
    expect(hits).to.have.length(1);
    expect(hits[0].keyword).to.equal('hi');
  });

  it('shares a keyword between rules with different modes', () => {
    const exact = rule({ name: 'exact', keywords: ['menu'], match: 'exact' });
    const contains = rule({ name: 'contains', keywords: ['menu'], match: 'contains' });
    const compiled = compileRules([exact, contains]);
    expect(compiled.match(normalizeMessageText('menu'), 'text').map((h) => h.mode)).to.deep.equal(['exact', 'contains']);
    expect(compiled.match(normalizeMessageText('the menu'), 'text').map((h) => h.mode)).to.deep.equal(['contains']);
  });

  it('matches keyword-less rules by message type', () => {
    const anyImage = rule({ name: 'any image', keywords: [], message_types: ['image'] });
    const compiled = compileRules([anyImage]);
    expect(compiled.match(null, 'image')).to.have.length(1);
    expect(compiled.match(null, 'video')).to.have.length(0);
    expect(compiled.match(normalizeMessageText('hello'), 'text')).to.have.length(0);
  });

  it('finds a hit among thousands of rules', () => {
    const rules = Array.from({ length: 5000 }, (_, i) => rule({ name: `n${i}`, keywords: [`alpha${i}z`, `beta${i}z`, `gamma${i}z`] }));
    const compiled = compileRules(rules);
    const hits = compiled.match(normalizeMessageText('I would like gamma4321z please'), 'text');
    expect(hits.map((h) => compiled.rules[h.rank].rule.name)).to.deep.equal(['n4321']);
  });

  it('sets aside stored rules that no longer validate, and keeps matching the others', () => {
    const broken = [
      rule({ name: 'bad regex', keywords: ['(a)\\1'], match: 'regex' }),
      rule({ name: 'bad reply', keywords: ['hi'], reply: {} as Rule['reply'] }),
      rule({ name: 'no keywords', keywords: [] }),
    ];
    const good = rule({ name: 'good', keywords: ['hi'] });
    const compiled = compileRules([...broken, good]);
    expect(compiled.invalid.map((r) => r.name)).to.deep.equal(['bad regex', 'bad reply', 'no keywords']);
    expect(compiled.match(normalizeMessageText('hi'), 'text').map((h) => compiled.rules[h.rank].rule.name)).to.deep.equal(['good']);
  });

  it('tests many regex rules in one set', () => {
    const rules = Array.from({ length: 50 }, (_, i) => rule({ name: `re${i}`, keywords: [`^ticket-${i}$`], match: 'regex' }));
    const compiled = compileRules(rules);
    const hits = compiled.match(normalizeMessageText('TICKET-42'), 'text');
    expect(hits.map((h) => compiled.rules[h.rank].rule.name)).to.deep.equal(['re42']);
  });
});
