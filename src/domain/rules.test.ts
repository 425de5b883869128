import { expect } from 'chai';
import { RuleCreateSchema, RulePatchSchema, ruleProblems } from './rules.js';

function problems(body: Record<string, unknown>): string[] {
  const result = RuleCreateSchema.safeParse(body);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const valid = { name: 'Prices', keywords: ['price'], reply: { text: 'Our prices: …' } };

describe('rule validation', () => {
  it('fills the defaults', () => {
    const rule = RuleCreateSchema.parse(valid);
    expect(rule).to.deep.include({ match: 'contains', case_sensitive: false, priority: 0, enabled: true, scope: 'all', message_types: null, cooldown_seconds: null });
  });

  const rejected: [string, Record<string, unknown>, string][] = [
    ['empty keywords', { ...valid, keywords: [] }, 'keywords: give at least one keyword'],
    ['missing keywords', { name: 'x', reply: { text: 'y' } }, 'keywords: give at least one keyword'],
    ['a blank keyword', { ...valid, keywords: ['ok', '   '] }, 'keywords.1: is empty'],
    ['a keyword of only accents', { ...valid, keywords: ['\u0301'] }, 'keywords.0: is empty'],
    ['an unknown match mode', { ...valid, match: 'fuzzy' }, 'match:'],
    ['an unknown scope', { ...valid, scope: 'channels' }, 'scope:'],
    ['an unknown message type', { ...valid, message_types: ['reaction'] }, 'message_types.0:'],
    ['an invalid regex', { ...valid, match: 'regex', keywords: ['(unclosed'] }, 'keywords.0: is not a supported regular expression'],
    ['a backreference', { ...valid, match: 'regex', keywords: ['(a)\\1'] }, 'keywords.0: is not a supported regular expression'],
    ['lookahead', { ...valid, match: 'regex', keywords: ['(?=a)b'] }, 'keywords.0: is not a supported regular expression'],
    ['a huge repeat', { ...valid, match: 'regex', keywords: ['a{1001}'] }, 'keywords.0: is not a supported regular expression'],
    ['a too complex regex', { ...valid, match: 'regex', keywords: ['a{1000}b{1000}c{1000}d{1000}e{1000}f{1000}'] }, 'keywords.0: is too complex'],
    ['an empty reply', { ...valid, reply: {} }, 'reply: give one content field'],
    ['an empty reply text', { ...valid, reply: { text: '' } }, 'reply.text: must not be empty'],
    ['an unknown reply type', { ...valid, reply: { carousel: {} } }, 'reply:'],
    ['two reply types', { ...valid, reply: { text: 'a', location: { lat: 1, lng: 2 } } }, 'reply: give only one content field'],
    ['a reaction reply', { ...valid, reply: { reaction: { emoji: '👍', message_id: 'x' } } }, 'reply.reaction: is not supported'],
    ['reply_to in a reply', { ...valid, reply: { text: 'a', reply_to: 'x' } }, 'reply.reply_to: is not supported'],
    ['a media reply without a source', { ...valid, reply: { image: {} } }, 'reply.image: give exactly one of url'],
    ['a zero cooldown', { ...valid, cooldown_seconds: 0 }, 'cooldown_seconds:'],
    ['a fractional priority', { ...valid, priority: 1.5 }, 'priority:'],
    ['an unknown field', { ...valid, colour: 'red' }, ''],
    ['a missing name', { keywords: ['a'], reply: { text: 'b' } }, 'name:'],
  ];
  for (const [name, body, expected] of rejected) {
    it(`rejects ${name}`, () => {
      const found = problems(body);
      expect(found, 'should be rejected').to.not.be.empty;
      expect(found.some((p) => p.startsWith(expected)), found.join('; ')).to.equal(true);
    });
  }

  const accepted: [string, Record<string, unknown>][] = [
    ['a keyword-less rule limited to images', { name: 'any image', message_types: ['image'], reply: { text: 'Nice picture, [name]!' } }],
    ['a regex rule', { ...valid, match: 'regex', keywords: ['^order\\s*#?\\d+$'] }],
    ['an image reply by URL', { ...valid, reply: { image: { url: 'https://example.com/menu.jpg' }, caption: 'Our menu' } }],
    ['a location reply', { ...valid, reply: { location: { lat: -16.5, lng: -68.15, name: 'Shop' } } }],
    ['a contact reply', { ...valid, reply: { contact: { full_name: 'Sales', phone: '+59171234567' } } }],
    ['special characters as literal keywords', { ...valid, match: 'word', keywords: ['c++', 'a.b', '(x)', '['] }],
    ['a cooldown', { ...valid, cooldown_seconds: 3600 }],
  ];
  for (const [name, body] of accepted) {
    it(`accepts ${name}`, () => expect(problems(body)).to.deep.equal([]));
  }

  it('checks a merged patch as a whole', () => {
    const patch = RulePatchSchema.parse({ match: 'regex' });
    expect(ruleProblems({ keywords: ['(a)\\1'], match: patch.match!, case_sensitive: false, message_types: null })).to.have.length(1);
  });
});
