/**
 * Rule compilation and matching. A rule set is compiled once per change into:
 *
 * - two keyword automata (case-folded and case-sensitive keywords) that find
 *   every literal keyword of every rule in one pass over the message;
 * - two RE2 sets for regex rules (one pass each, linear time);
 * - a per-message-type list of keyword-less rules ("any image").
 *
 * Each occurrence then checks its rule's mode (exact, starts_with, ends_with,
 * word) in constant time, so the cost of a message depends on its length and
 * its hits, not on the number of rules.
 */
import { RE2JS, RE2Set } from 're2js';
import { parseContentBody, type Content } from './content.js';
import type { InboundKind } from './inbound.js';
import { KeywordAutomaton } from './keyword-automaton.js';
import { normalizeFor, type NormalizedText } from './normalize.js';
import { regexFlags, regexSource, ruleProblems, type MatchMode, type Rule } from './rules.js';

export interface CompiledRule {
  rule: Rule;
  /** Position in priority order (0 is checked first). */
  rank: number;
  /** The reply, parsed once into the content union; spintax and placeholders are rendered per message. Null when the rule starts a flow. */
  reply: Content | null;
  /** The flow the rule starts instead of replying, or null. */
  startFlow: string | null;
  kinds: ReadonlySet<InboundKind> | null;
}

export interface RuleHit {
  rank: number;
  /** The keyword as the owner wrote it; null for a keyword-less (message type) rule. */
  keyword: string | null;
  mode: MatchMode | 'message_type';
}

interface Entry {
  rank: number;
  keyword: string;
  mode: Exclude<MatchMode, 'regex'>;
}

class RegexGroup {
  private readonly set: RE2Set | null;
  private readonly patterns: RE2JS[] = [];
  private readonly owners: { rank: number; keyword: string }[] = [];

  constructor(items: { rank: number; keyword: string }[], caseSensitive: boolean) {
    for (const item of items) {
      this.patterns.push(RE2JS.compile(regexSource(item.keyword), regexFlags(caseSensitive)));
      this.owners.push(item);
    }
    let set: RE2Set | null = null;
    if (items.length > 1) {
      try {
        set = new RE2Set(RE2Set.UNANCHORED, regexFlags(caseSensitive));
        for (const item of items) set.add(regexSource(item.keyword));
        set.compile();
      } catch {
        // too large for one automaton: fall back to testing each (still linear per pattern)
        set = null;
      }
    }
    this.set = set;
  }

  get size(): number {
    return this.owners.length;
  }

  hits(text: string, found: Map<number, RuleHit>): void {
    if (this.set) {
      for (const i of this.set.match(text)) keep(found, this.owners[i].rank, this.owners[i].keyword, 'regex');
      return;
    }
    for (let i = 0; i < this.patterns.length; i++) if (this.patterns[i].test(text)) keep(found, this.owners[i].rank, this.owners[i].keyword, 'regex');
  }
}

/** Records a rule's first hit (occurrences arrive in text order; a rule answers once). */
function keep(found: Map<number, RuleHit>, rank: number, keyword: string | null, mode: RuleHit['mode']): void {
  if (!found.has(rank)) found.set(rank, { rank, keyword, mode });
}

class LiteralIndex {
  readonly automaton = new KeywordAutomaton();
  private readonly entries: Entry[][] = [];

  add(normalized: string, entry: Entry): void {
    const k = this.automaton.add(normalized);
    (this.entries[k] ??= []).push(entry);
  }

  build(): this {
    this.automaton.build();
    return this;
  }

  hits(text: string, found: Map<number, RuleHit>): void {
    if (this.automaton.size === 0 || text.length === 0) return;
    const occurrences: number[] = [];
    this.automaton.collect(text, occurrences);
    let boundaries: Uint8Array | null = null;
    for (let o = 0; o < occurrences.length; o += 3) {
      const start = occurrences[o + 1];
      const end = occurrences[o + 2];
      for (const entry of this.entries[occurrences[o]]) {
        switch (entry.mode) {
          case 'contains':
            break;
          case 'exact':
            if (start !== 0 || end !== text.length) continue;
            break;
          case 'starts_with':
            if (start !== 0) continue;
            break;
          case 'ends_with':
            if (end !== text.length) continue;
            break;
          case 'word':
            // a keyword between spaces or text edges is a word whatever it holds (UAX #29 always breaks at white space): no segmentation needed
            if ((start === 0 || isSpace(text.charCodeAt(start - 1))) && (end === text.length || isSpace(text.charCodeAt(end)))) break;
            boundaries ??= wordBoundaries(text);
            if (!boundaries[start] || !boundaries[end]) continue;
            break;
        }
        keep(found, entry.rank, entry.keyword, entry.mode);
      }
    }
  }
}

const segmenter = new Intl.Segmenter('und', { granularity: 'word' });

/** Space, tab, line breaks: normalised text keeps no other white space. */
function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/**
 * Unicode (UAX #29) word boundaries: `c++` is a word in `I use c++!`, `3` is
 * not one in `3.14`, and scripts written without spaces are segmented too.
 * Only computed for messages in which a word-mode keyword occurs.
 */
function wordBoundaries(text: string): Uint8Array {
  const flags = new Uint8Array(text.length + 1);
  for (const s of segmenter.segment(text)) flags[s.index] = 1;
  flags[text.length] = 1;
  return flags;
}

export class CompiledRules {
  readonly rules: CompiledRule[];
  /** Enabled rules that could not be compiled, with the reason (shown in traces). */
  readonly invalid: { id: string; name: string; reason: string }[] = [];
  private readonly folded = new LiteralIndex();
  private readonly exact = new LiteralIndex();
  private readonly regexFolded: RegexGroup;
  private readonly regexExact: RegexGroup;
  private readonly anyOfKind = new Map<InboundKind, number[]>();
  /** The longest cooldown of any rule (0 without cooldowns): older cooldown entries can be forgotten. */
  readonly longestCooldownMs: number;

  /**
   * Disabled rules are left out; the rest are ordered by priority (higher
   * first), then creation. A stored rule that no longer passes validation
   * (written by an older version, or by hand) is set aside in `invalid`
   * instead of breaking matching for every other rule.
   */
  constructor(rules: readonly Rule[]) {
    const ordered = rules
      .filter((r) => r.enabled)
      .sort((a, b) => b.priority - a.priority || a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.rules = [];
    for (const rule of ordered) {
      const reason = storedRuleProblem(rule);
      if (reason !== null) {
        this.invalid.push({ id: rule.id, name: rule.name, reason });
        continue;
      }
      const startFlow = rule.reply.start_flow ?? null;
      let reply: Content | null = null;
      if (startFlow === null) {
        try {
          reply = parseContentBody(rule.reply);
        } catch {
          this.invalid.push({ id: rule.id, name: rule.name, reason: 'the reply has no content to send' });
          continue;
        }
      }
      this.rules.push({ rule, rank: this.rules.length, reply, startFlow, kinds: rule.message_types ? new Set<InboundKind>(rule.message_types) : null });
    }
    const regexFolded: { rank: number; keyword: string }[] = [];
    const regexExact: { rank: number; keyword: string }[] = [];
    for (const { rule, rank } of this.rules) {
      if (rule.keywords.length === 0) {
        for (const kind of rule.message_types ?? []) {
          const list = this.anyOfKind.get(kind) ?? [];
          list.push(rank);
          this.anyOfKind.set(kind, list);
        }
        continue;
      }
      for (const keyword of rule.keywords) {
        if (rule.match === 'regex') {
          (rule.case_sensitive ? regexExact : regexFolded).push({ rank, keyword });
          continue;
        }
        const normalized = normalizeFor(keyword, rule.case_sensitive);
        if (normalized === '') continue;
        (rule.case_sensitive ? this.exact : this.folded).add(normalized, { rank, keyword, mode: rule.match });
      }
    }
    this.folded.build();
    this.exact.build();
    this.regexFolded = new RegexGroup(regexFolded, false);
    this.regexExact = new RegexGroup(regexExact, true);
    this.longestCooldownMs = this.rules.reduce((max, r) => Math.max(max, (r.rule.cooldown_seconds ?? 0) * 1000), 0);
  }

  get size(): number {
    return this.rules.length;
  }

  /**
   * Every rule whose keywords (or message type, for keyword-less rules) match,
   * once each, best rank first. Scope, message-type limits and cooldowns are
   * left to decide(), which records why it passed over a rule.
   */
  match(text: NormalizedText | null, kind: InboundKind): RuleHit[] {
    const found = new Map<number, RuleHit>();
    if (text !== null && text.exact !== '') {
      this.folded.hits(text.folded, found);
      this.exact.hits(text.exact, found);
      if (this.regexFolded.size > 0) this.regexFolded.hits(text.exact, found);
      if (this.regexExact.size > 0) this.regexExact.hits(text.exact, found);
    }
    const byKind = this.anyOfKind.get(kind);
    if (byKind) for (const rank of byKind) keep(found, rank, null, 'message_type');
    if (found.size === 0) return [];
    const hits = [...found.values()];
    if (hits.length > 1) hits.sort((a, b) => a.rank - b.rank);
    return hits;
  }
}

function storedRuleProblem(rule: Rule): string | null {
  if (!Array.isArray(rule.keywords) || !rule.keywords.every((k) => typeof k === 'string')) return 'keywords are not a list of strings';
  if (rule.keywords.length === 0 && !rule.message_types?.length) return 'no keywords and no message_types';
  const problems = ruleProblems(rule);
  return problems.length > 0 ? `${problems[0].path.join('.')}: ${problems[0].message}` : null;
}

export function compileRules(rules: readonly Rule[]): CompiledRules {
  return new CompiledRules(rules);
}
