/**
 * Conversation flows: the model, its schemas (validation, handler types and
 * the OpenAPI document come from the same declaration), and the save-time
 * checks that keep a broken flow from ever reaching a chat.
 *
 * A flow is a set of steps. Each step sends content, then either waits for
 * an answer (`expect`), goes straight on to another step (`next`), or ends
 * the flow (`end: true`). An answer that fits moves the chat to the step the
 * expectation (or the chosen option) names.
 */
import { z } from 'zod';
import { MATCH_MODES, MAX_KEYWORD_LENGTH, MAX_KEYWORDS, ReplyContentSchema, ruleProblems, type MatchMode } from './rules.js';

export const EXPECT_TYPES = ['choice', 'text', 'number', 'email', 'phone', 'date', 'media'] as const;
export type ExpectType = (typeof EXPECT_TYPES)[number];

export const FLOW_MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export const MAX_STEPS = 100;

const StepId = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 letters, digits, _ . or -')
  .meta({ description: 'A step id, unique in the flow', example: 'menu' });
const VarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a name of letters, digits and _ (not starting with a digit)')
  .meta({ description: 'A variable name, used in texts as [var.<name>]', example: 'qty' });
const Keywords = z.array(z.string().max(MAX_KEYWORD_LENGTH)).min(1).max(MAX_KEYWORDS);
const VarValue = z.union([z.string().max(1000), z.number(), z.boolean()]);

const answerCommon = {
  save_as: VarName.optional().meta({ description: 'Keep the answer as this variable' }),
  invalid: ReplyContentSchema.optional().meta({ description: 'Sent when an answer does not fit; the step is asked again when left out' }),
  max_attempts: z.number().int().min(1).max(20).default(3).meta({ description: 'Answers that do not fit before the flow ends with on_fail (or timeout_message)' }),
};

const ChoiceOption = z
  .object({
    match: Keywords.meta({ description: 'Keywords that choose this option, matched like rule keywords', example: ['1', 'pizza'] }),
    set: z.record(VarName, VarValue).optional().meta({ description: 'Variables set when this option is chosen', example: { item: 'pizza' } }),
    next: StepId,
  })
  .strict();

const ChoiceExpect = z
  .object({
    type: z.literal('choice'),
    options: z.array(ChoiceOption).min(1).max(50),
    match_mode: z.enum(MATCH_MODES).default('word').meta({ description: "How options' keywords match the answer (the rule match modes); the first option in order wins" }),
    case_sensitive: z.boolean().default(false),
    ...answerCommon,
  })
  .strict();

const TextExpect = z
  .object({
    type: z.literal('text'),
    min_length: z.number().int().min(0).max(4096).default(1),
    max_length: z.number().int().min(1).max(4096).default(1000),
    next: StepId,
    ...answerCommon,
  })
  .strict();

const NumberExpect = z
  .object({
    type: z.literal('number'),
    min: z.number().optional(),
    max: z.number().optional(),
    integer: z.boolean().default(true).meta({ description: 'Only whole numbers (the default)' }),
    next: StepId,
    ...answerCommon,
  })
  .strict();

const simpleExpect = <T extends 'email' | 'phone' | 'date'>(type: T, description: string) =>
  z
    .object({ type: z.literal(type), next: StepId, ...answerCommon })
    .strict()
    .meta({ description });

const MediaExpect = z
  .object({
    type: z.literal('media'),
    media_types: z
      .array(z.enum(FLOW_MEDIA_TYPES))
      .min(1)
      .default(['image', 'document', 'audio'])
      .meta({ description: 'Which kinds of message count as an answer (audio includes voice notes)' }),
    next: StepId,
    ...answerCommon,
  })
  .strict();

export const ExpectSchema = z
  .discriminatedUnion('type', [
    ChoiceExpect,
    TextExpect,
    NumberExpect,
    simpleExpect('email', 'An e-mail address, kept lower-cased'),
    simpleExpect('phone', 'A phone number with its country code, kept as digits'),
    simpleExpect('date', "A date (2026-12-24, 24/12/2026, 24/12, today, tomorrow; in the bot's time zone), kept as YYYY-MM-DD"),
    MediaExpect,
  ])
  .meta({ description: 'What the step waits for: choice, text, number, email, phone, date or media' });
export type Expect = z.output<typeof ExpectSchema>;

export const StepSchema = z
  .object({
    id: StepId,
    send: ReplyContentSchema.optional().meta({ description: 'What the step sends, as the send API accepts it; texts take spintax, placeholders and [var.<name>]' }),
    expect: ExpectSchema.optional(),
    next: StepId.optional().meta({ description: 'Go on to this step at once, without waiting for an answer' }),
    end: z.literal(true).optional().meta({ description: 'The flow ends after this step' }),
  })
  .strict();
export type Step = z.output<typeof StepSchema>;

export const FlowTriggerSchema = z
  .object({
    keywords: Keywords.meta({ example: ['pedido', 'order'] }),
    match: z.enum(MATCH_MODES).default('word'),
    case_sensitive: z.boolean().default(false),
  })
  .strict()
  .meta({ description: "Keywords that start the flow, matched like rule keywords; without a trigger the flow starts only from a rule's {\"start_flow\": id}" });

const fields = {
  name: z.string().trim().min(1).max(100),
  enabled: z.boolean(),
  trigger: FlowTriggerSchema.nullable(),
  exit_keywords: z.array(z.string().max(MAX_KEYWORD_LENGTH)).max(MAX_KEYWORDS).meta({ description: 'Keywords that leave the flow at any step (matched as exit_match)' }),
  exit_match: z.enum(MATCH_MODES),
  exit_message: ReplyContentSchema.nullable().meta({ description: 'Sent when a customer leaves with an exit keyword' }),
  timeout_minutes: z.number().int().min(1).max(7 * 24 * 60).meta({ description: 'A chat that does not answer for this long leaves the flow' }),
  timeout_message: ReplyContentSchema.nullable(),
  on_fail: ReplyContentSchema.nullable().meta({ description: 'Sent when max_attempts is exceeded; timeout_message when left out' }),
  start: StepId,
  steps: z.array(StepSchema).min(1).max(MAX_STEPS),
};

export const FLOW_DEFAULTS = {
  enabled: true,
  trigger: null,
  exit_keywords: [],
  exit_match: 'word',
  exit_message: null,
  timeout_minutes: 30,
  timeout_message: null,
  on_fail: null,
} as const;

/** Every field of a stored flow definition, all required. */
export const FlowDefinitionSchema = z.object(fields).strict();
export type FlowDefinition = z.output<typeof FlowDefinitionSchema>;

export const FlowCreateSchema = z
  .object({
    name: fields.name,
    enabled: fields.enabled.default(FLOW_DEFAULTS.enabled),
    trigger: fields.trigger.default(FLOW_DEFAULTS.trigger),
    exit_keywords: fields.exit_keywords.default([]),
    exit_match: fields.exit_match.default(FLOW_DEFAULTS.exit_match),
    exit_message: fields.exit_message.default(FLOW_DEFAULTS.exit_message),
    timeout_minutes: fields.timeout_minutes.default(FLOW_DEFAULTS.timeout_minutes),
    timeout_message: fields.timeout_message.default(FLOW_DEFAULTS.timeout_message),
    on_fail: fields.on_fail.default(FLOW_DEFAULTS.on_fail),
    start: fields.start,
    steps: fields.steps,
  })
  .strict()
  .superRefine((flow, ctx) => {
    for (const p of flowProblems(flow)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });

/** A partial change; the merged flow is checked again as a whole. */
export const FlowPatchSchema = FlowDefinitionSchema.partial().strict();
export type FlowPatch = z.output<typeof FlowPatchSchema>;

export interface Flow extends FlowDefinition {
  id: string;
  /** Bumped by every change; a chat inside an older version is ended with flow.abandoned (flow_changed). */
  version: number;
}

export interface FlowProblem {
  path: (string | number)[];
  message: string;
}

/** Where a step may go next: its own next, its expectation's next, or its options'. */
export function stepTargets(step: Step): { path: (string | number)[]; target: string }[] {
  const out: { path: (string | number)[]; target: string }[] = [];
  if (step.next !== undefined) out.push({ path: ['next'], target: step.next });
  const expect = step.expect;
  if (expect?.type === 'choice') expect.options.forEach((o, j) => out.push({ path: ['expect', 'options', j, 'next'], target: o.next }));
  else if (expect) out.push({ path: ['expect', 'next'], target: expect.next });
  return out;
}

/**
 * The checks a schema cannot express: step ids unique, every `next` known,
 * every step reachable from `start`, an end reachable from every step, no
 * loop of steps that never wait, keywords that can match. Shared by create
 * (inside the schema) and update (on the merged flow).
 */
export function flowProblems(flow: Pick<FlowDefinition, 'trigger' | 'exit_keywords' | 'exit_match' | 'start' | 'steps'>): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const index = new Map<string, number>();
  flow.steps.forEach((step, i) => {
    if (index.has(step.id)) problems.push({ path: ['steps', i, 'id'], message: `'${step.id}' is already the id of steps.${index.get(step.id)}` });
    else index.set(step.id, i);
    const ways = [step.expect !== undefined, step.next !== undefined, step.end === true].filter(Boolean).length;
    if (ways !== 1) problems.push({ path: ['steps', i], message: 'give exactly one of expect (wait for an answer), next (go on at once) or end: true' });
    const expect = step.expect;
    if (expect?.type === 'number' && expect.min !== undefined && expect.max !== undefined && expect.min > expect.max) {
      problems.push({ path: ['steps', i, 'expect', 'max'], message: `must be at least min (${expect.min})` });
    }
    if (expect?.type === 'text' && expect.min_length > expect.max_length) {
      problems.push({ path: ['steps', i, 'expect', 'max_length'], message: `must be at least min_length (${expect.min_length})` });
    }
    if (expect?.type === 'choice') {
      expect.options.forEach((option, j) => keywordProblems(option.match, expect.match_mode, expect.case_sensitive, ['steps', i, 'expect', 'options', j, 'match'], problems));
    }
  });
  if (flow.trigger) keywordProblems(flow.trigger.keywords, flow.trigger.match, flow.trigger.case_sensitive, ['trigger', 'keywords'], problems);
  if (flow.exit_keywords.length > 0) keywordProblems(flow.exit_keywords, flow.exit_match, false, ['exit_keywords'], problems);
  if (!index.has(flow.start)) {
    problems.push({ path: ['start'], message: `no step has the id '${flow.start}' (steps: ${[...index.keys()].slice(0, 10).join(', ')})` });
  }
  flow.steps.forEach((step, i) => {
    for (const { path, target } of stepTargets(step)) {
      if (!index.has(target)) problems.push({ path: ['steps', i, ...path], message: `no step has the id '${target}'` });
    }
  });
  if (problems.length > 0) return problems;

  const byId = new Map(flow.steps.map((s) => [s.id, s]));
  if (!flow.steps.some((s) => s.end === true)) {
    problems.push({ path: ['steps'], message: 'no step ends the flow: give at least one step end: true' });
    return problems;
  }
  // reachable from start
  const reached = new Set<string>([flow.start]);
  const queue = [flow.start];
  while (queue.length > 0) {
    for (const { target } of stepTargets(byId.get(queue.shift()!)!)) {
      if (!reached.has(target)) {
        reached.add(target);
        queue.push(target);
      }
    }
  }
  flow.steps.forEach((step, i) => {
    if (!reached.has(step.id)) problems.push({ path: ['steps', i], message: `step '${step.id}' is unreachable from start '${flow.start}'` });
  });
  // an end reachable from every step: walk the edges backwards from the ends
  const into = new Map<string, string[]>();
  for (const step of flow.steps) for (const { target } of stepTargets(step)) into.set(target, [...(into.get(target) ?? []), step.id]);
  const ending = new Set(flow.steps.filter((s) => s.end === true).map((s) => s.id));
  const back = [...ending];
  while (back.length > 0) {
    for (const from of into.get(back.pop()!) ?? []) {
      if (!ending.has(from)) {
        ending.add(from);
        back.push(from);
      }
    }
  }
  flow.steps.forEach((step, i) => {
    if (reached.has(step.id) && !ending.has(step.id)) problems.push({ path: ['steps', i], message: `step '${step.id}' can never reach a step with end: true` });
  });
  // steps joined only by `next` never wait: a loop of them would never stop
  flow.steps.forEach((step, i) => {
    const seen = new Set<string>([step.id]);
    for (let at = step.next; at !== undefined; at = byId.get(at)?.next) {
      if (seen.has(at)) {
        if (at === step.id) problems.push({ path: ['steps', i, 'next'], message: `makes a loop of steps that never wait for an answer (${[...seen].join(' → ')} → ${at})` });
        break;
      }
      seen.add(at);
    }
  });
  return problems;
}

function keywordProblems(keywords: string[], match: MatchMode, caseSensitive: boolean, path: (string | number)[], problems: FlowProblem[]): void {
  for (const p of ruleProblems({ keywords, match, case_sensitive: caseSensitive, message_types: null })) problems.push({ path: [...path, ...p.path.slice(1)], message: p.message });
}
