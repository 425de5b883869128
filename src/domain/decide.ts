/**
 * decide(): what the bot does with one inbound message. Pure: no I/O, the
 * clock and randomness are parameters, and per-chat memory (cooldowns,
 * recent replies) comes in as a value and goes out as the next value.
 *
 * Checks, in this order (each is a trace step; the first `stop` ends it):
 *
 *  1. message    — what arrived (info).
 *  2. webhook    — message.received / message.any, if actions.send_webhook.
 *                  Events never depend on the checks below: outside active
 *                  hours, in muted chats, for fromMe messages, webhooks fire.
 *  3. broadcast  — status broadcasts are never answered.
 *  4. content    — reactions, protocol messages (deletes, edits), poll votes
 *                  and unknown stubs are never answered.
 *  5. origin     — tucan's own API sends are never answered; fromMe messages
 *                  only with actions.multi_device, and never when they are our
 *                  own auto-reply coming back (see loop-guard.ts).
 *  6. reply_msgs — actions.reply_msgs, the master switch.
 *  7. group      — actions.reply_group_msgs, for group messages.
 *  8. unread     — actions.reply_unread_msgs, for messages that arrived while
 *                  the bot was offline (Baileys `append`).
 *  9. schedule   — active_days / active_hours in bot_timezone.
 * 10. echo       — another bot repeating our reply back to us.
 * 11. reply_cap  — per-chat auto-reply cap (loop protection).
 * 12. rules      — every matching rule, best first; a rule is passed over when
 *                  its scope or message_types do not fit or it is cooling down
 *                  for this chat; the first remaining one answers.
 * 13. default    — no rule matched: default_msg if actions.send_default_msg.
 *                  (Not when a matching rule was only cooling down: that
 *                  would answer a known keyword with "no keyword here".)
 * 14. reply      — the rendered reply.
 */
import type { Content } from './content.js';
import type { BotRepliedData, DomainEvent } from './events.js';
import type { InboundMessage } from './inbound.js';
import { inboundEvents, inboundEventTypes } from './inbound-events.js';
import { checkReplyCap, cooldownUntil, ECHO_MIN_LENGTH, matchesRecentReply, nextChatState, type ChatState } from './loop-guard.js';
import { normalizeMessageText } from './normalize.js';
import type { PlaceholderContext } from './placeholders.js';
import type { Random } from './random.js';
import { emptyReason, renderContent, renderText } from './render.js';
import type { CompiledRule, CompiledRules } from './rule-matcher.js';
import { checkSchedule } from './schedule.js';
import type { BotSettings } from './settings.js';
import { CONTENT_PASS, STANDARD_STEPS as STD, type TraceStep } from './trace-steps.js';

export type StopReason =
  | 'status_broadcast'
  | 'not_answerable'
  | 'own_api_send'
  | 'from_me'
  | 'own_reply'
  | 'reply_msgs_off'
  | 'group_msgs_off'
  | 'unread_msgs_off'
  | 'outside_schedule'
  | 'echo'
  | 'reply_cap'
  | 'cooldown'
  | 'no_match'
  | 'empty_reply'
  /** Set by the pipeline when decide() itself threw: the message is stored and its webhooks fire, unanswered. */
  | 'internal_error';

export type { TraceStep } from './trace-steps.js';

export interface Decision {
  message_id: string;
  /** The rendered replies, in sending order (empty when the bot stays silent). */
  replies: Content[];
  /** Null when the bot replied. */
  stop: StopReason | null;
  rule: { id: string; name: string } | null;
  used_default: boolean;
  /** Inbound message events (already gated by send_webhook). */
  events: DomainEvent[];
  /** The bot.replied event, once the pipeline knows the reply ids. */
  bot_replied: Omit<BotRepliedData, 'reply_message_ids'> | null;
  trace: TraceStep[];
  /** One line: why the bot answered, or did not. */
  summary: string;
  /** Per-chat memory after this message. */
  state: ChatState;
}

export interface Bot {
  settings: BotSettings;
}

export interface DecideContext {
  /** tucan's id for the inbound message (used in events). */
  messageId: string;
  random: Random;
  /** This chat's memory, as loaded by the pipeline. */
  state: ChatState;
}

const MAX_SKIP_STEPS = 20;

/** One decision in progress: its trace and the silent exits share state without per-call closures. */
class Run {
  readonly trace: TraceStep[] = [];
  skipped = 0;

  constructor(
    private readonly ctx: DecideContext,
    readonly events: DomainEvent[],
  ) {}

  step(step: string, result: TraceStep['result'], detail: string): void {
    this.trace.push({ step, result, detail });
  }

  /** A step with fixed wording: shared, and stored as its code. */
  standard(step: TraceStep): void {
    this.trace.push(step);
  }

  skip(detail: string): void {
    if (++this.skipped <= MAX_SKIP_STEPS) this.step('rule', 'skip', detail);
  }

  silent(reason: StopReason, step: string, detail: string, state: ChatState = this.ctx.state): Decision {
    this.step(step, 'stop', detail);
    return { message_id: this.ctx.messageId, replies: [], stop: reason, rule: null, used_default: false, events: this.events, bot_replied: null, trace: this.trace, summary: `${step}: ${detail}`, state };
  }
}

export function decide(message: InboundMessage, bot: Bot, rules: CompiledRules, now: number, ctx: DecideContext): Decision {
  const settings = bot.settings;
  const actions = settings.actions;
  const run = new Run(ctx, actions.send_webhook ? inboundEvents(message, ctx.messageId) : []);

  run.step('message', 'info', describe(message));
  if (!actions.send_webhook) run.standard(STD['webhook:off']);
  else {
    const { note } = inboundEventTypes(message);
    const detail = run.events.length > 0 ? `queued ${note}` : `no events: ${note}`;
    if (detail === STD['webhook:both'].detail) run.standard(STD['webhook:both']);
    else run.step('webhook', 'info', detail);
  }

  if (message.is_broadcast) return run.silent('status_broadcast', 'broadcast', 'status broadcasts are never answered');
  run.standard(STD.broadcast);
  const contentPass = CONTENT_PASS.get(message.kind);
  if (!contentPass) return run.silent('not_answerable', 'content', `${message.kind} messages are never answered`);
  run.standard(contentPass);

  const text = normalizeMessageText(message.text);
  // the folded form is exactly what recent replies are remembered as
  const comparableText = text && text.folded !== '' ? text.folded : null;
  if (message.sent_by_api) return run.silent('own_api_send', 'origin', "sent through tucan's API: never answered");
  if (message.from_me) {
    if (!actions.multi_device) return run.silent('from_me', 'origin', 'sent from the linked phone and actions.multi_device is off');
    if (matchesRecentReply(ctx.state, comparableText, now, 0)) return run.silent('own_reply', 'origin', 'fromMe and identical to one of our recent auto-replies in this chat: our own reply, never answered');
    run.standard(STD['origin:multi_device']);
  } else {
    run.standard(STD['origin:contact']);
  }

  if (!actions.reply_msgs) return run.silent('reply_msgs_off', 'reply_msgs', 'actions.reply_msgs is off');
  run.standard(STD.reply_msgs);
  if (message.is_group) {
    if (!actions.reply_group_msgs) return run.silent('group_msgs_off', 'group', 'group message and actions.reply_group_msgs is off');
    run.standard(STD.group);
  }
  if (message.offline) {
    if (!actions.reply_unread_msgs) return run.silent('unread_msgs_off', 'unread', 'arrived while the bot was offline and actions.reply_unread_msgs is off');
    run.standard(STD.unread);
  }

  const schedule = checkSchedule(settings, now);
  if (!schedule.active) return run.silent('outside_schedule', 'schedule', schedule.reason);
  run.step('schedule', 'pass', schedule.reason);

  if (!message.from_me && matchesRecentReply(ctx.state, comparableText, now, ECHO_MIN_LENGTH)) {
    return run.silent('echo', 'echo', 'the text repeats one of our recent auto-replies to this chat: another bot echoing us (loop protection)');
  }
  run.standard(STD.echo);

  const cap = checkReplyCap(ctx.state, now);
  if (!cap.ok) return run.silent('reply_cap', 'reply_cap', cap.reason, nextChatState(ctx.state, now, { replies: [], ruleId: null, ruleCooldownSeconds: null, capHit: true }, rules.longestCooldownMs));
  run.standard(STD.reply_cap);

  const hits = rules.match(text, message.kind);
  const invalid = rules.invalid.length > 0 ? ` (${rules.invalid.length} invalid rule${rules.invalid.length === 1 ? '' : 's'} ignored: ${rules.invalid.map((r) => `'${r.name}' ${r.reason}`).slice(0, 3).join('; ')})` : '';
  run.step('rules', 'info', `${rules.size} enabled rule${rules.size === 1 ? '' : 's'}, ${hits.length} matched${invalid}`);
  let chosen: CompiledRule | null = null;
  let cooling = false;
  for (const hit of hits) {
    const compiled = rules.rules[hit.rank];
    const rule = compiled.rule;
    const label = `rule '${rule.name}' (${hitLabel(hit.keyword, hit.mode)})`;
    if (rule.scope === 'private' && message.is_group) run.skip(`${label}: scope is private, the message is in a group`);
    else if (rule.scope === 'group' && !message.is_group) run.skip(`${label}: scope is group, the message is private`);
    else if (compiled.kinds && !compiled.kinds.has(message.kind)) run.skip(`${label}: limited to ${[...compiled.kinds].join(', ')}`);
    else {
      const until = cooldownUntil(ctx.state, rule.id, rule.cooldown_seconds, now);
      if (until !== null) {
        cooling = true;
        run.skip(`${label}: cooling down for this chat until ${new Date(until).toISOString()}`);
        continue;
      }
      run.step('rule', 'match', `${label} matched`);
      chosen = compiled;
      break;
    }
  }
  if (run.skipped > MAX_SKIP_STEPS) run.step('rule', 'info', `${run.skipped - MAX_SKIP_STEPS} more rules passed over`);

  const placeholders: PlaceholderContext = {
    pushName: message.push_name,
    phone: message.sender_phone,
    botName: settings.bot_name,
    timeZone: settings.bot_timezone,
    lang: settings.bot_lang,
    message: message.text,
    now,
  };

  let reply: Content;
  let usedDefault = false;
  if (chosen) {
    reply = renderContent(chosen.reply, ctx.random, placeholders);
  } else if (cooling) {
    return run.silent('cooldown', 'default', 'a matching rule is cooling down for this chat; the default message is not sent instead');
  } else if (!actions.send_default_msg) {
    return run.silent('no_match', 'default', 'no rule matched and actions.send_default_msg is off');
  } else if (settings.default_msg.trim() === '') {
    return run.silent('no_match', 'default', 'no rule matched and default_msg is empty');
  } else {
    run.standard(STD['default:match']);
    reply = { type: 'text', text: renderText(settings.default_msg, ctx.random, placeholders) };
    usedDefault = true;
  }

  const empty = emptyReason(reply);
  if (empty) return run.silent('empty_reply', 'reply', `${empty} (spintax chose only empty options)`);
  run.step('reply', 'reply', previewOf(reply));

  const rule = chosen ? { id: chosen.rule.id, name: chosen.rule.name } : null;
  const summary = chosen ? `rule '${chosen.rule.name}' matched ${hitSummary(hits, chosen)}` : 'no rule matched: sent the default message';
  const state = nextChatState(
    ctx.state,
    now,
    { replies: [{ text: textOf(reply) }], ruleId: rule?.id ?? null, ruleCooldownSeconds: chosen?.rule.cooldown_seconds ?? null, capHit: false },
    rules.longestCooldownMs,
  );
  return {
    message_id: ctx.messageId,
    replies: [reply],
    stop: null,
    rule,
    used_default: usedDefault,
    events: run.events,
    bot_replied: { inbound_message_id: ctx.messageId, to_jid: message.chat_jid, phone: message.sender_phone, rule, used_default: usedDefault, trace_summary: summary },
    trace: run.trace,
    summary,
    state,
  };
}

function describe(m: InboundMessage): string {
  const who = m.from_me ? 'fromMe' : `from ${m.sender_phone ?? m.sender_jid}${m.push_name ? ` (${m.push_name})` : ''}`;
  const where = m.is_group ? `in group ${m.chat_jid}` : m.is_broadcast ? `on ${m.chat_jid}` : 'in a private chat';
  return `${m.kind} ${who} ${where}${m.offline ? ', arrived while offline' : ''}`;
}

function hitLabel(keyword: string | null, mode: string): string {
  return keyword === null ? 'any message of its types' : `${mode} '${keyword}'`;
}

function hitSummary(hits: ReturnType<CompiledRules['match']>, chosen: CompiledRule): string {
  const hit = hits.find((h) => h.rank === chosen.rank)!;
  return hit.keyword === null ? `by message type ${[...(chosen.kinds ?? [])].join(', ')}` : `${hit.mode} '${hit.keyword}'`;
}

function textOf(content: Content): string | null {
  switch (content.type) {
    case 'text':
    case 'buttons':
    case 'list':
      return content.text;
    case 'image':
    case 'video':
    case 'document':
      return content.caption ?? null;
    default:
      return null;
  }
}

function previewOf(content: Content): string {
  const text = textOf(content);
  const shown = text === null ? '' : `: ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
  return `${content.type}${shown}`;
}
