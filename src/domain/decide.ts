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
 *     takeover   — with takeover_minutes, a fromMe message from the owner
 *                  (not our own reply) pauses the chat and ends its flow.
 *     pause      — a paused chat is not answered until the pause ends.
 *  6. reply_msgs — actions.reply_msgs, the master switch.
 *  7. group      — actions.reply_group_msgs, for group messages.
 *  8. unread     — actions.reply_unread_msgs, for messages that arrived while
 *                  the bot was offline (Baileys `append`).
 *     flow       — a chat inside a flow: its message answers the step
 *                  (or leaves with an exit keyword), before the schedule:
 *                  a running flow may finish outside active hours. A flow
 *                  that timed out, changed or went away is left first.
 *  9. schedule   — active_days / active_hours in bot_timezone.
 * 10. echo       — another bot repeating our reply back to us.
 * 11. reply_cap  — per-chat auto-reply cap (loop protection).
 *     flows      — a flow trigger starts its flow (before rules).
 * 12. rules      — every matching rule, best first; a rule is passed over when
 *                  its scope or message_types do not fit or it is cooling down
 *                  for this chat; the first remaining one answers (or
 *                  starts the flow its reply names).
 * 13. default    — no rule matched: default_msg if actions.send_default_msg.
 *                  (Not when a matching rule was only cooling down: that
 *                  would answer a known keyword with "no keyword here".)
 * 14. reply      — the rendered reply.
 */
import type { Content } from './content.js';
import type { BotRepliedData, DomainEvent } from './events.js';
import { answerFlow, leaveFlow, staleReason, startFlow, type FlowEnv, type FlowTurn } from './flow-run.js';
import { EMPTY_FLOWS, type CompiledFlow, type FlowSet } from './flow-set.js';
import type { InboundMessage } from './inbound.js';
import { inboundEvents, inboundEventTypes } from './inbound-events.js';
import { checkReplyCap, cooldownUntil, ECHO_MIN_LENGTH, matchesRecentReply, nextChatState, type ChatState } from './loop-guard.js';
import { normalizeMessageText } from './normalize.js';
import { formatInZone, type PlaceholderContext } from './placeholders.js';
import type { Random } from './random.js';
import { emptyReason, renderContent, renderText } from './render.js';
import type { CompiledRule, CompiledRules } from './rule-matcher.js';
import { lidFromJid, phoneFromJid } from './recipient.js';
import { checkSchedule } from './schedule.js';
import type { BotSettings } from './settings.js';
import { parseTimeZone } from './timezone.js';
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
  /** The owner wrote into the chat from the phone: the chat is paused (takeover_minutes). */
  | 'takeover'
  | 'paused'
  /** A rule starts a flow that is deleted or disabled. */
  | 'flow_unavailable'
  /** The flow took the message (an exit keyword, a step without content) and sent nothing. */
  | 'flow_no_reply'
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
  /** The flow that answered, and the step the chat is at after it (null once it left the flow). */
  flow: { id: string; name: string; step: string | null } | null;
  /** A flow kept a media answer under this variable, for now as the message's id (the pipeline stores the file). */
  media_variable?: string;
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
  /** The instance's enabled flows (none when left out). */
  flows?: FlowSet;
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
  /** The chat's memory as this decision changes it (a pause ends, a flow is left). */
  state: ChatState;
  /** Replies owed before this message's own answer: a timed-out flow's timeout_message (null: none, the usual case). */
  owed: Content[] | null = null;

  readonly messageId: string;
  readonly chatJid: string;
  readonly phone: string | null;
  readonly lid: string | null;

  constructor(
    private readonly ctx: DecideContext,
    readonly events: DomainEvent[],
    message: InboundMessage,
  ) {
    this.state = ctx.state;
    this.messageId = ctx.messageId;
    this.chatJid = message.chat_jid;
    this.phone = message.sender_phone;
    this.lid = message.sender_lid ?? null;
  }

  /** Takes a flow turn's trace and events (flow events are not message events: send_webhook does not gate them). */
  absorb(turn: FlowTurn): void {
    for (const t of turn.trace) this.trace.push(t);
    for (const e of turn.events) this.events.push(e);
  }

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

  silent(reason: StopReason, step: string, detail: string, state: ChatState = this.state): Decision {
    this.step(step, 'stop', detail);
    return { message_id: this.ctx.messageId, replies: this.owed ?? [], stop: reason, rule: null, flow: null, used_default: false, events: this.events, bot_replied: null, trace: this.trace, summary: `${step}: ${detail}`, state };
  }
}

export function decide(message: InboundMessage, bot: Bot, rules: CompiledRules, now: number, ctx: DecideContext): Decision {
  const settings = bot.settings;
  const actions = settings.actions;
  const run = new Run(ctx, actions.send_webhook ? inboundEvents(message, ctx.messageId) : [], message);

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
  const takeoverMinutes = settings.takeover_minutes ?? 0;
  if (message.from_me && takeoverMinutes > 0) {
    if (matchesRecentReply(ctx.state, comparableText, now, 0)) return run.silent('own_reply', 'origin', 'fromMe and identical to one of our recent auto-replies in this chat: our own reply, never answered');
    return takeover(run, message, settings, bot.flows ?? EMPTY_FLOWS, now, takeoverMinutes, flowEnv(message, ctx, now, placeholdersOf(message, settings, now)));
  }
  if (message.from_me) {
    if (!actions.multi_device) return run.silent('from_me', 'origin', 'sent from the linked phone and actions.multi_device is off');
    if (matchesRecentReply(ctx.state, comparableText, now, 0)) return run.silent('own_reply', 'origin', 'fromMe and identical to one of our recent auto-replies in this chat: our own reply, never answered');
    run.standard(STD['origin:multi_device']);
  } else {
    run.standard(STD['origin:contact']);
  }
  const pause = run.state.pause;
  if (pause) {
    if (now < pause.until) return run.silent('paused', 'pause', `paused by ${pause.by === 'api' ? 'the API' : 'the owner'} until ${localTime(pause.until, settings)}: the bot stays silent in this chat`);
    run.step('pause', 'info', `the pause ended at ${localTime(pause.until, settings)}`);
    run.events.push({ type: 'chat.resumed', data: { chat_jid: message.chat_jid, phone: pause.phone, lid: lidFromJid(message.chat_jid), reason: 'expired' } });
    run.state = { ...run.state, pause: null };
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

  const flows = bot.flows ?? EMPTY_FLOWS;
  const placeholders = placeholdersOf(message, settings, now);
  const inFlow = run.state.flow;
  if (inFlow && (!message.is_group || inFlow.participant === message.sender_jid)) {
    const cf = flows.byId.get(inFlow.flow_id);
    const stale = staleReason(cf, inFlow, now);
    if (stale === null) return flowAnswer(run, answerFlow(cf!, inFlow, message, text, flowEnv(message, ctx, now, placeholders)), cf!, rules, now, null);
    const left = leaveFlow(cf, inFlow, stale, flowEnv(message, ctx, now, placeholders));
    run.absorb(left);
    run.owed = left.replies;
    run.state = { ...run.state, flow: null };
  } else if (inFlow) {
    run.step('flow', 'info', `flow '${inFlow.flow_name}' is walked by another member of this group; answering as usual`);
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

  if (flows.size > 0 && run.state.flow === null) {
    const hit = flows.triggers.match(text, message.kind)[0];
    if (hit) {
      const cf = flows.byId.get(flows.triggers.rules[hit.rank].rule.id)!;
      return flowAnswer(run, startFlow(cf, flowEnv(message, ctx, now, placeholders), whoOf(message), `trigger ${hitLabel(hit.keyword, hit.mode)}`), cf, rules, now, null);
    }
  }

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

  let reply: Content;
  let usedDefault = false;
  if (chosen?.startFlow) {
    const cf = flows.byId.get(chosen.startFlow);
    if (!cf) return run.silent('flow_unavailable', 'flow', `rule '${chosen.rule.name}' starts flow ${chosen.startFlow}, which is deleted or disabled`);
    return flowAnswer(run, startFlow(cf, flowEnv(message, ctx, now, placeholders), whoOf(message), `rule '${chosen.rule.name}'`), cf, rules, now, chosen);
  } else if (chosen) {
    reply = renderContent(chosen.reply!, ctx.random, placeholders);
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
  const replies = run.owed ? [...run.owed, reply] : [reply];

  const rule = chosen ? { id: chosen.rule.id, name: chosen.rule.name } : null;
  const summary = chosen ? `rule '${chosen.rule.name}' matched ${hitSummary(hits, chosen)}` : 'no rule matched: sent the default message';
  const state = nextChatState(
    run.state,
    now,
    { replies: replies.map((r) => ({ text: textOf(r) })), ruleId: rule?.id ?? null, ruleCooldownSeconds: chosen?.rule.cooldown_seconds ?? null, capHit: false },
    rules.longestCooldownMs,
  );
  return {
    message_id: ctx.messageId,
    replies,
    stop: null,
    rule,
    flow: null,
    used_default: usedDefault,
    events: run.events,
    bot_replied: { inbound_message_id: ctx.messageId, to_jid: message.chat_jid, phone: message.sender_phone, lid: message.sender_lid ?? null, rule, flow: null, used_default: usedDefault, trace_summary: summary },
    trace: run.trace,
    summary,
    state,
  };
}

/** A flow took the message: its replies, events and next flow state make the decision. */
function flowAnswer(run: Run, turn: FlowTurn, cf: CompiledFlow, rules: CompiledRules, now: number, startedBy: CompiledRule | null): Decision {
  run.absorb(turn);
  const replies = run.owed ? [...run.owed, ...turn.replies] : turn.replies;
  const rule = startedBy ? { id: startedBy.rule.id, name: startedBy.rule.name } : null;
  const flow = { id: cf.flow.id, name: cf.flow.name, step: turn.flow?.step ?? null };
  // a flow's own replies are bounded by its steps and max_attempts, so the reply cap does not stop them; they still count towards it
  const state: ChatState = {
    ...nextChatState(run.state, now, { replies: replies.map((r) => ({ text: textOf(r) })), ruleId: rule?.id ?? null, ruleCooldownSeconds: startedBy?.rule.cooldown_seconds ?? null, capHit: false }, rules.longestCooldownMs),
    flow: turn.flow,
  };
  const messageId = run.messageId;
  if (replies.length === 0) {
    run.step('flow', 'stop', 'nothing to send');
    return { message_id: messageId, replies, stop: 'flow_no_reply', rule, flow, ...(turn.mediaVariable ? { media_variable: turn.mediaVariable } : {}), used_default: false, events: run.events, bot_replied: null, trace: run.trace, summary: turn.summary, state };
  }
  for (const r of turn.replies) run.step('reply', 'reply', previewOf(r));
  return {
    message_id: messageId,
    replies,
    stop: null,
    rule,
    flow,
    ...(turn.mediaVariable ? { media_variable: turn.mediaVariable } : {}),
    used_default: false,
    events: run.events,
    bot_replied: { inbound_message_id: messageId, to_jid: run.chatJid, phone: run.phone, lid: run.lid, rule, flow, used_default: false, trace_summary: turn.summary },
    trace: run.trace,
    summary: turn.summary,
    state,
  };
}

/** The owner wrote from the phone: the chat is paused for takeover_minutes and leaves its flow. */
function takeover(run: Run, message: InboundMessage, settings: BotSettings, flows: FlowSet, now: number, minutes: number, env: FlowEnv): Decision {
  const until = now + minutes * 60_000;
  const phone = message.is_group ? null : phoneFromJid(message.chat_jid);
  let state: ChatState = { ...run.state, pause: { until, by: 'owner_message', phone } };
  if (state.flow) {
    run.absorb(leaveFlow(flows.byId.get(state.flow.flow_id), state.flow, 'takeover', env));
    state = { ...state, flow: null };
  }
  run.events.push({ type: 'chat.paused', data: { chat_jid: message.chat_jid, phone, lid: lidFromJid(message.chat_jid), until: new Date(until).toISOString(), by: 'owner_message' } });
  return run.silent('takeover', 'takeover', `the owner wrote from the phone: paused by the owner until ${localTime(until, settings)} (takeover_minutes ${minutes})`, state);
}

function placeholdersOf(message: InboundMessage, settings: BotSettings, now: number): PlaceholderContext {
  return { pushName: message.push_name, phone: message.sender_phone, botName: settings.bot_name, timeZone: settings.bot_timezone, lang: settings.bot_lang, message: message.text, now };
}

function flowEnv(message: InboundMessage, ctx: DecideContext, now: number, placeholders: PlaceholderContext): FlowEnv {
  return { now, random: ctx.random, chatJid: message.chat_jid, placeholders, messageId: ctx.messageId };
}

function whoOf(message: InboundMessage): { participant: string | null; phone: string | null } {
  return { participant: message.is_group ? message.sender_jid : null, phone: message.sender_phone };
}

/** `14:32` in the bot's time zone (the date too when it is not today there). */
function localTime(at: number, settings: BotSettings): string {
  const zone = parseTimeZone(settings.bot_timezone) ?? { kind: 'offset' as const, minutes: 0 };
  return `${formatInZone(at, zone, 'en-GB', 'time')} ${settings.bot_timezone}`;
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
