/** A complete Rule for domain tests: every field at its default, unique id and creation order, overridden as needed. */
import { RULE_DEFAULTS, type Rule } from '../domain/rules.js';

let seq = 0;

export function testRule(overrides: Partial<Rule> = {}): Rule {
  seq++;
  return {
    id: `rule${seq}`,
    name: `rule ${seq}`,
    ...RULE_DEFAULTS,
    keywords: [],
    reply: { text: 'ok' },
    created_at: seq,
    ...overrides,
  };
}
