/**
 * Keyword rules: the model, its schemas (validation, handler types and the
 * OpenAPI document come from the same declaration), and the checks that keep
 * an invalid rule from ever reaching matching.
 */
import { RE2JS } from 're2js';
import { z } from 'zod';
import { ContentSchema, contentOptions, contentShape, exactlyOneContent } from './content.js';
import { normalizeText } from './normalize.js';

export const MATCH_MODES = ['exact', 'contains', 'starts_with', 'ends_with', 'word', 'regex'] as const;
export type MatchMode = (typeof MATCH_MODES)[number];

export const RULE_SCOPES = ['private', 'group', 'all'] as const;
export type RuleScope = (typeof RULE_SCOPES)[number];

/**
 * Inbound kinds a rule may be limited to. Reactions, protocol messages, poll
 * votes and unknown stubs are never answered, so no rule can target them.
 */
export const RULE_MESSAGE_TYPES = ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contact', 'poll', 'button_reply', 'list_reply'] as const;
export type RuleMessageType = (typeof RULE_MESSAGE_TYPES)[number];

export const MAX_KEYWORDS = 200;
export const MAX_KEYWORD_LENGTH = 500;
/** RE2 program size: bounds the memory and per-character cost of one regex (a{1000}b{1000} is ~2,000). */
export const MAX_REGEX_PROGRAM = 5000;

const REPLY_TEMPLATE_HELP =
  'Text, captions, button/list texts and poll names support spintax (`{a|b|{c|d}}`, `\\{ \\} \\| \\[ \\]` escape) and the placeholders ' +
  '[name], [phone], [bot_name], [date], [time], [day] and [message]; unknown placeholders are kept as written.';

/** What the bot sends: the send API's content without a recipient (rule replies, flow steps). */
export const ReplyContentSchema = ContentSchema.superRefine((reply, ctx) => {
  if (reply.reaction !== undefined) ctx.addIssue({ code: 'custom', path: ['reaction'], message: 'is not supported in bot replies (a reaction needs the id of a message that does not exist yet)' });
  if (reply.reply_to !== undefined) ctx.addIssue({ code: 'custom', path: ['reply_to'], message: 'is not supported in bot replies; replies always go to the chat the message came from' });
}).meta({ description: `What the bot sends: the send API content without \`to\`, e.g. \`{"text": "{Hi|Hello} [name]"}\`. ${REPLY_TEMPLATE_HELP}` });
export type ReplyContent = z.output<typeof ReplyContentSchema>;

/** A rule reply: content, or `{"start_flow": id}` alone to start a conversation flow. */
export const RuleReplySchema = z
  .object({
    ...contentShape,
    ...contentOptions,
    start_flow: z.string().regex(/^[0-9a-f]{24}$/, 'must be a flow id (24 hex characters)').optional().meta({ description: 'Start this conversation flow instead of sending content (alone in the reply)' }),
  })
  .strict()
  .superRefine((reply, ctx) => {
    if (reply.start_flow !== undefined) {
      const others = Object.keys(reply).filter((k) => k !== 'start_flow' && (reply as Record<string, unknown>)[k] !== undefined);
      if (others.length > 0) ctx.addIssue({ code: 'custom', path: ['start_flow'], message: `stands alone in a reply (remove ${others.join(', ')}): the flow's steps send the content` });
      return;
    }
    exactlyOneContent(reply, ctx);
    if (reply.reaction !== undefined) ctx.addIssue({ code: 'custom', path: ['reaction'], message: 'is not supported in bot replies (a reaction needs the id of a message that does not exist yet)' });
    if (reply.reply_to !== undefined) ctx.addIssue({ code: 'custom', path: ['reply_to'], message: 'is not supported in bot replies; replies always go to the chat the message came from' });
  })
  .meta({
    description:
      'What the bot sends: the send API content without `to`, e.g. `{"text": "{Hi|Hello} [name]"}` or `{"image": {"url": "https://…"}, "caption": "…"}`, ' +
      `or \`{"start_flow": "<flow id>"}\` alone to start a conversation flow. ${REPLY_TEMPLATE_HELP}`,
  });
export type RuleReply = z.output<typeof RuleReplySchema>;

const fields = {
  name: z.string().trim().min(1).max(100),
  keywords: z
    .array(z.string().max(MAX_KEYWORD_LENGTH))
    .max(MAX_KEYWORDS)
    .meta({ description: 'Literal keywords (any one triggers the rule), or RE2 regular expressions when match is regex. May be empty only when message_types is set.' }),
  match: z.enum(MATCH_MODES).meta({
    description:
      'exact: the whole message; contains: anywhere; starts_with / ends_with; word: a whole word or phrase (Unicode word boundaries); regex: an RE2 pattern (linear time, no backreferences or lookaround). ' +
      'Text and keywords are compared after Unicode NFKC, accent removal, case folding (unless case_sensitive) and whitespace collapsing; keywords are literals in every mode except regex.',
  }),
  case_sensitive: z.boolean(),
  priority: z.number().int().min(-1_000_000).max(1_000_000).meta({ description: 'Higher priorities are checked first; equal priorities in creation order.' }),
  enabled: z.boolean(),
  scope: z.enum(RULE_SCOPES).meta({ description: 'private chats, groups, or all' }),
  message_types: z
    .array(z.enum(RULE_MESSAGE_TYPES))
    .min(1)
    .max(RULE_MESSAGE_TYPES.length)
    .nullable()
    .meta({
      description:
        'Limits the rule to these inbound message types. Without keywords the rule matches every message of these types ("any image"); with keywords, their text or caption must match too. ' +
        'null (the default) means any message that carries text: a text, a caption, or the title of a selected button or list row.',
    }),
  reply: RuleReplySchema,
  cooldown_seconds: z
    .number()
    .int()
    .min(1)
    .max(30 * 86400)
    .nullable()
    .meta({ description: 'Do not answer the same chat with this rule again within this many seconds; a cooling rule is skipped and the next matching rule is tried.' }),
};

/** Every field of a stored rule definition, all required. */
export const RuleDefinitionSchema = z.object(fields).strict();
export type RuleDefinition = z.output<typeof RuleDefinitionSchema>;

/** What a new rule gets for every field it leaves out (all but name and reply). */
export const RULE_DEFAULTS = {
  keywords: [],
  match: 'contains',
  case_sensitive: false,
  priority: 0,
  enabled: true,
  scope: 'all',
  message_types: null,
  cooldown_seconds: null,
} as const satisfies Omit<RuleDefinition, 'name' | 'reply'>;

export const RuleCreateSchema = z
  .object({
    name: fields.name,
    keywords: fields.keywords.default([...RULE_DEFAULTS.keywords]),
    match: fields.match.default(RULE_DEFAULTS.match),
    case_sensitive: fields.case_sensitive.default(RULE_DEFAULTS.case_sensitive),
    priority: fields.priority.default(RULE_DEFAULTS.priority),
    enabled: fields.enabled.default(RULE_DEFAULTS.enabled),
    scope: fields.scope.default(RULE_DEFAULTS.scope),
    message_types: fields.message_types.default(RULE_DEFAULTS.message_types),
    reply: fields.reply,
    cooldown_seconds: fields.cooldown_seconds.default(RULE_DEFAULTS.cooldown_seconds),
  })
  .strict()
  .superRefine((rule, ctx) => {
    for (const p of ruleProblems(rule)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });

/** A partial change; the merged rule is checked again as a whole. */
export const RulePatchSchema = RuleDefinitionSchema.partial().strict();
export type RulePatch = z.output<typeof RulePatchSchema>;

export interface Rule extends RuleDefinition {
  id: string;
  created_at: number;
}

export interface RuleProblem {
  path: (string | number)[];
  message: string;
}

/**
 * The cross-field checks: keywords present (or message_types), each keyword
 * non-empty after normalisation, each regex valid and bounded. Shared by
 * create (inside the schema) and update (on the merged rule).
 */
export function ruleProblems(rule: Pick<RuleDefinition, 'keywords' | 'match' | 'case_sensitive' | 'message_types'>): RuleProblem[] {
  const problems: RuleProblem[] = [];
  if (rule.keywords.length === 0 && rule.message_types === null) {
    problems.push({ path: ['keywords'], message: 'give at least one keyword, or message_types to match every message of those types' });
  }
  rule.keywords.forEach((keyword, i) => {
    if (normalizeText(keyword) === '') {
      problems.push({ path: ['keywords', i], message: 'is empty (after trimming and normalisation)' });
      return;
    }
    if (rule.match === 'regex') {
      const error = regexProblem(keyword, rule.case_sensitive);
      if (error) problems.push({ path: ['keywords', i], message: error });
    }
  });
  return problems;
}

/** The pattern as it is compiled: accents removed like the text it runs on, so `café` finds `cafe` and `café`. */
export function regexSource(pattern: string): string {
  return pattern.normalize('NFD').replace(/\p{Mn}+/gu, '').normalize('NFC');
}

export function regexFlags(caseSensitive: boolean): number {
  return caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE;
}

/** Why a pattern cannot be a rule, or null. RE2 runs in linear time, so any pattern it accepts cannot freeze the process. */
export function regexProblem(pattern: string, caseSensitive: boolean): string | null {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(regexSource(pattern), regexFlags(caseSensitive));
  } catch (err) {
    const detail = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    return `is not a supported regular expression (${detail}); RE2 syntax without backreferences or lookaround`;
  }
  if (compiled.programSize() > MAX_REGEX_PROGRAM) return `is too complex (RE2 program size ${compiled.programSize()} > ${MAX_REGEX_PROGRAM}); simplify the pattern or split it into several keywords`;
  return null;
}
