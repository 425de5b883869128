import { expect } from 'chai';
import { seededRandom, type Random } from './random.js';
import { spin, spinAll, Spintax } from './spintax.js';

/** A random source that always picks option `i` of each group (when it exists). */
function always(i: number, of: number): Random {
  return () => (i + 0.5) / of;
}

describe('spintax', () => {
  const outcomes: [string, string, string[]][] = [
    ['plain text', 'Hello there', ['Hello there']],
    ['one group', '{Hi|Hello} you', ['Hi you', 'Hello you']],
    ['nested groups', '{a|b{c|d}}', ['a', 'bc', 'bd']],
    ['empty options', 'ok{|!}', ['ok', 'ok!']],
    ['an empty group', 'x{}y', ['xy']],
    ['only empty options', '{|}', ['']],
    ['escaped braces and bars', '\\{a\\|b\\}', ['{a|b}']],
    ['escapes inside a group', '{a\\|b|c}', ['a|b', 'c']],
    ['a bar outside any group is literal', 'a|b', ['a|b']],
    ['an unclosed brace is literal', 'price {a|b', ['price {a|b']],
    ['a stray closing brace is literal', 'a} {x|y}', ['a} x', 'a} y']],
    ['an unclosed outer brace keeps the inner group', '{a{b|c}', ['{ab', '{ac']],
    ['a doubled closing brace', '{a|b}}', ['a}', 'b}']],
    ['escaped placeholders stay escaped for the placeholder pass', '\\[name\\]', ['\\[name\\]']],
    ['placeholders pass through', '{Hi|Hello} [name]', ['Hi [name]', 'Hello [name]']],
    ['a lone backslash', 'a\\b', ['a\\b']],
    ['a trailing backslash', 'a\\', ['a\\']],
    ['unicode', '{¡Hola|Olá} 👋', ['¡Hola 👋', 'Olá 👋']],
  ];
  for (const [name, template, expected] of outcomes) {
    it(name, () => {
      expect(spinAll(template).sort()).to.deep.equal([...expected].sort());
      expect(expected).to.include(spin(template, seededRandom(7)));
    });
  }

  it('uses the injected random source', () => {
    expect(spin('{a|b|c}', always(0, 3))).to.equal('a');
    expect(spin('{a|b|c}', always(2, 3))).to.equal('c');
  });

  it('is deterministic for a seed', () => {
    const t = '{a|b|c|d} {e|f|g|h} {i|j|k|l}';
    expect(spin(t, seededRandom(42))).to.equal(spin(t, seededRandom(42)));
  });

  it('reaches every option over many draws', () => {
    const random = seededRandom(1);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(spin('{a|b|c}', random));
    expect([...seen].sort()).to.deep.equal(['a', 'b', 'c']);
  });

  it('tells static templates apart', () => {
    expect(new Spintax('no groups, a|b').isStatic).to.equal(true);
    expect(new Spintax('{x|y}').isStatic).to.equal(false);
  });

  it('copes with deep nesting and long input', () => {
    const deep = '{'.repeat(500) + 'x' + '}'.repeat(500);
    expect(spin(deep, seededRandom(3))).to.equal('x');
    expect(spin('{'.repeat(10_000), seededRandom(3))).to.equal('{'.repeat(10_000));
  });
});
