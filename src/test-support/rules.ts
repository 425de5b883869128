/** A complete Rule for domain tests: every field at its default, unique id and creation order, overridden as needed. */
import type { Rule } from '../domain/rules.js';

let seq = 0;

export function testRule(overrides: Partial<Rule> = {}): Rule {
  seq++;
  return {
    id: `rule${seq}`,
    name: `rule ${seq}`,
    keywords: [],
    match: 'contains',
    case_sensitive: false,
    priority: 0,
    enabled: true,
    scope: 'all',
    message_types: null,
    reply: { text: 'ok' },
    cooldown_seconds: null,
    created_at: seq,
    ...overrides,
  };
}
