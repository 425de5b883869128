/**
 * An instance's flows, compiled once per change for the pipeline: each
 * flow's steps by id, its content parsed once, and every keyword list
 * (triggers, exit keywords, choice options) compiled with the rule matcher,
 * so flows match exactly as rules do.
 */
import { parseContentBody, type Content } from './content.js';
import type { Flow, Step } from './flows.js';
import { compileRules, type CompiledRules } from './rule-matcher.js';
import type { MatchMode, ReplyContent, Rule } from './rules.js';

export interface CompiledStep {
  step: Step;
  /** The step's content, parsed; null when it sends nothing. */
  send: Content | null;
  /** The invalid-answer reply, parsed. */
  invalid: Content | null;
  /** Choice options as a rule set: rank = option index. */
  options: CompiledRules | null;
}

export interface CompiledFlow {
  flow: Flow;
  steps: ReadonlyMap<string, CompiledStep>;
  exit: CompiledRules | null;
  exitMessage: Content | null;
  timeoutMessage: Content | null;
  onFail: Content | null;
}

export interface FlowSet {
  /** Enabled flows by id (a disabled or deleted flow is absent). */
  readonly byId: ReadonlyMap<string, CompiledFlow>;
  /** Enabled flows' triggers as one rule set; each rule's id is its flow's id. */
  readonly triggers: CompiledRules;
  readonly size: number;
}

export const EMPTY_FLOWS: FlowSet = { byId: new Map(), triggers: compileRules([]), size: 0 };

const PLACEHOLDER_REPLY = { text: '-' } as const;

/** A keyword list as a one-off rule (the matcher's modes and normalisation). */
function keywordRule(id: string, keywords: string[], match: MatchMode, caseSensitive: boolean, priority: number): Rule {
  return { id, name: id, keywords, match, case_sensitive: caseSensitive, priority, enabled: true, scope: 'all', message_types: null, reply: PLACEHOLDER_REPLY, cooldown_seconds: null, created_at: 0 };
}

function parsed(content: ReplyContent | null | undefined): Content | null {
  return content ? parseContentBody(content) : null;
}

export function compileFlow(flow: Flow): CompiledFlow {
  const steps = new Map<string, CompiledStep>();
  for (const step of flow.steps) {
    const expect = step.expect;
    const options =
      expect?.type === 'choice'
        ? compileRules(expect.options.map((o, i) => keywordRule(String(i), o.match, expect.match_mode, expect.case_sensitive, expect.options.length - i)))
        : null;
    steps.set(step.id, { step, send: parsed(step.send), invalid: parsed(expect?.invalid), options });
  }
  return {
    flow,
    steps,
    exit: flow.exit_keywords.length > 0 ? compileRules([keywordRule('exit', flow.exit_keywords, flow.exit_match, false, 0)]) : null,
    exitMessage: parsed(flow.exit_message),
    timeoutMessage: parsed(flow.timeout_message),
    onFail: parsed(flow.on_fail),
  };
}

/** `flows` in creation order: an earlier flow's trigger wins a tie. */
export function compileFlows(flows: readonly Flow[]): FlowSet {
  const enabled = flows.filter((f) => f.enabled);
  if (enabled.length === 0) return EMPTY_FLOWS;
  const byId = new Map(enabled.map((f) => [f.id, compileFlow(f)]));
  const triggers = compileRules(enabled.flatMap((f, i) => (f.trigger ? [keywordRule(f.id, f.trigger.keywords, f.trigger.match, f.trigger.case_sensitive, enabled.length - i)] : [])));
  return { byId, triggers, size: enabled.length };
}
