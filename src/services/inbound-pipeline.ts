/**
 * The inbound pipeline: engine 'inbound' events → decide() → the
 * conversation record, webhook events and the chat's memory.
 *
 * For each message of a batch (each isolated from the others' failures;
 * messages of one chat strictly one after another, in arrival order, through
 * the chat queue; different chats concurrently):
 * 1. Echoes of tucan's own API sends are left to the outbox; a WhatsApp id
 *    already seen is a redelivery and is dropped.
 * 2. decide() runs on cached settings, the compiled rules and flows and the
 *    chat's memory (loaded once, then kept in memory).
 * 3. In one event-loop turn — one transaction on a store with turn commit —
 *    the message is recorded with its trace and replies (ConversationRecord:
 *    one ordered insert, message first, so a crash never keeps the message
 *    and loses its answer, and a redelivery is refused before a second
 *    answer), its webhook events are published and the chat's durable
 *    memory is written. (A reply with media from a URL is stored once the
 *    media is taken in, and the message with it: its webhook events can
 *    precede the stored message by that fetch.)
 * 4. bot.replied then carries the reply ids.
 */
import { performance } from 'node:perf_hooks';
import { decide, type Decision } from '../domain/decide.js';
import type { InboundMessage } from '../domain/inbound.js';
import { inboundEvents } from '../domain/inbound-events.js';
import type { ChatState } from '../domain/loop-guard.js';
import type { Random } from '../domain/random.js';
import type { FlowSet } from '../domain/flow-set.js';
import type { CompiledRules } from '../domain/rule-matcher.js';
import type { BotSettings } from '../domain/settings.js';
import type { Logger } from '../logger.js';
import { botRepliedEvent } from '../domain/outbound-events.js';
import { withStoredMedia } from '../domain/flow-run.js';
import { newId } from '../store/port.js';
import { newInboundDoc, type InboundMessageDoc } from '../store/repositories/inbound-messages.js';
import type { BotSettingsCache } from './bot-settings-cache.js';
import type { ChatMemory } from './chat-memory.js';
import type { ChatQueue } from './chat-queue.js';
import type { KeepMedia } from './media-answers.js';
import type { ConversationRecord, EventSink, ReplyRequest } from './ports.js';
import { NO_OBSERVER, type Observer } from './metrics/observer.js';
import type { RulesService } from './rules.js';

/** The instance's compiled flows (the flows service). */
export interface FlowSource {
  compiled(instanceId: string): FlowSet | Promise<FlowSet>;
}

export interface InboundPipelineDeps {
  settings: BotSettingsCache;
  rules: RulesService;
  flows: FlowSource;
  memory: ChatMemory;
  queue: ChatQueue;
  record: ConversationRecord;
  sink: EventSink;
  clock: () => number;
  log: Logger;
  /** Spintax choices; Math.random unless a test injects a seeded source. */
  random?: Random;
  /** Inbound counts and decision outcomes, for the metrics. */
  observer?: Observer;
  /** Stores a flow's media answer as a file; its media id, or null (see media-answers.ts). */
  keepMedia?: KeepMedia;
  /** Marks an answered message read, with actions.read_messages (the engine, when it can). */
  markRead?: (instanceId: string, message: InboundMessage) => Promise<void>;
  /**
   * The store commits each write on its own (no turn commit): a message's
   * webhook events are written with it until published, so a node dying in
   * between leaves them for the redelivery to publish.
   */
  keepUnpublished?: boolean;
}

/** A message whose reply ids a caller waits for (see expectAnswer). */
export interface ExpectedAnswer {
  /** Stops expecting; the reply ids, empty when the message was not recorded yet or had none. */
  done(): string[];
}

/** How many WhatsApp ids are remembered to drop redeliveries without a store read. */
const SEEN_LIMIT = 100_000;

export class InboundPipeline {
  private readonly seen = new Set<string>();
  private lastBot: Bot | null = null;
  private readonly random: Random;
  private readonly observer: Observer;
  private onDecide: ((ms: number) => void) | undefined;
  private handedOver: ((count: number) => void) | undefined;
  /** Reply ids per expected message (instance|WhatsApp id), for callers that injected it. */
  private readonly expected = new Map<string, string[]>();

  constructor(private readonly deps: InboundPipelineDeps) {
    this.random = deps.random ?? Math.random;
    this.observer = deps.observer ?? NO_OBSERVER;
  }

  /** Instrumentation: observes each decide() duration in milliseconds (the pipeline benchmark). */
  observeDecide(observer: ((ms: number) => void) | undefined): void {
    this.onDecide = observer;
  }

  /** Instrumentation: observes how many replies each message handed to the sender (the pipeline benchmark waits for them). */
  observeHandedOver(observer: ((count: number) => void) | undefined): void {
    this.handedOver = observer;
  }

  /**
   * Keeps the reply ids of a message the caller is about to inject (the
   * test chat shows what became of them); they are known once the
   * injection resolved.
   */
  expectAnswer(instanceId: string, waMessageId: string): ExpectedAnswer {
    const key = `${instanceId}|${waMessageId}`;
    this.expected.set(key, []);
    return {
      done: () => {
        const ids = this.expected.get(key) ?? [];
        this.expected.delete(key);
        return ids;
      },
    };
  }

  /** Processes a whole batch; resolves when every message is stored and its replies were handed over. */
  async handle(instanceId: string, messages: InboundMessage[]): Promise<void> {
    this.observer.inbound(messages.length);
    const { queue } = this.deps;
    if (messages.length === 1) {
      // a live message comes alone
      const m = messages[0];
      await queue.run(instanceId, m.chat_jid, () => this.process(instanceId, m)).catch((err: unknown) => this.failed(instanceId, m, err));
      return;
    }
    // queued in arrival order before anything is awaited, so a later batch can never overtake
    const results = await Promise.allSettled(messages.map((m) => queue.run(instanceId, m.chat_jid, () => this.process(instanceId, m))));
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.failed(instanceId, messages[i], r.reason);
    });
  }

  /** Settings, rules and flows of the instance: cached values, not promises, on the busy path (so no await there). */
  private bot(instanceId: string): Bot | null | Promise<Bot | null> {
    const settings = this.deps.settings.get(instanceId);
    const rules = this.deps.rules.compiled(instanceId);
    const flows = this.deps.flows.compiled(instanceId);
    if (settings instanceof Promise || rules instanceof Promise || flows instanceof Promise) {
      return Promise.all([settings, rules, flows]).then(([s, r, f]) => (s ? { settings: s, rules: r, flows: f } : null));
    }
    if (!settings) return null;
    // the same object while nothing changed: no allocation per message
    const last = this.lastBot;
    if (last && last.settings === settings && last.rules === rules && last.flows === flows) return last;
    return (this.lastBot = { settings, rules, flows });
  }

  private failed(instanceId: string, message: InboundMessage, err: unknown): void {
    this.deps.log.error({ err, instance_id: instanceId, wa_message_id: message.wa_message_id }, 'inbound message processing failed');
  }

  /** The chat's memory as it is now (the test chat shows it after each message). */
  chatState(instanceId: string, chatJid: string): ChatState {
    return this.deps.memory.current(instanceId, chatJid);
  }

  /** The decision for a message, with nothing stored, sent or published (the rules test). */
  async dryRun(instanceId: string, settings: BotSettings, message: InboundMessage): Promise<Decision> {
    const [rules, flows] = await Promise.all([this.deps.rules.compiled(instanceId), this.deps.flows.compiled(instanceId)]);
    const bot = { settings, rules, flows };
    const wait = this.deps.memory.ready(instanceId, message.chat_jid, bot.rules.longestCooldownMs > 0);
    if (wait) await wait;
    const state = this.deps.memory.current(instanceId, message.chat_jid);
    return decide(message, { settings, flows }, rules, this.deps.clock(), { messageId: newId(), random: this.random, state });
  }

  private async process(instanceId: string, message: InboundMessage): Promise<void> {
    if (message.sent_by_api) return;
    if (!this.firstSighting(`${instanceId}|${message.wa_message_id}`)) {
      this.deps.log.debug({ instance_id: instanceId, wa_message_id: message.wa_message_id }, 'redelivered inbound message dropped');
      return;
    }
    const cached = this.bot(instanceId);
    const bot = cached instanceof Promise ? await cached : cached;
    if (!bot) {
      this.deps.log.warn({ instance_id: instanceId, wa_message_id: message.wa_message_id }, 'inbound message for an unknown instance dropped');
      return;
    }
    const { settings, rules, flows } = bot;
    const { memory, sink, clock } = this.deps;
    const wait = memory.ready(instanceId, message.chat_jid, bot.rules.longestCooldownMs > 0);
    if (wait) await wait;

    // the chat queue runs this chat's messages one at a time: its memory cannot change underneath from here to the writes
    const id = newId();
    const now = clock();
    const started = this.onDecide ? performance.now() : 0;
    const state = memory.current(instanceId, message.chat_jid);
    let decision: Decision;
    try {
      decision = decide(message, { settings, flows }, rules, now, { messageId: id, random: this.random, state });
    } catch (err) {
      // a bug in a rule or in decide() must not lose the message or its webhooks
      this.deps.log.error({ err, instance_id: instanceId, wa_message_id: message.wa_message_id }, 'decide() failed; message stored without a reply');
      decision = failedDecision(message, settings, id, state, err);
    }
    if (this.onDecide) this.onDecide(performance.now() - started);
    // the chat queue holds this chat's next message meanwhile, so waiting for the file changes nothing underneath
    if (decision.media_variable) decision = await this.keepMedia(instanceId, message, decision, decision.media_variable);
    this.observer.decision(decision.stop ?? (decision.used_default ? 'replied_default' : 'replied_rule'));

    const doc = newInboundDoc(id, instanceId, message, decision, now);
    // only what a webhook takes is owed: bot.replied is built only when a subscription wants it
    const botReplied = decision.bot_replied && sink.wants(instanceId, 'bot.replied') ? decision.bot_replied : null;
    const owes = this.deps.keepUnpublished === true && (decision.events.length > 0 || botReplied !== null);
    if (owes) {
      doc.unpublished = { events: decision.events, bot_replied: botReplied };
      doc.owes_events_since = now;
    }
    const stored = this.deps.record.record(doc, decision.replies.length > 0 ? this.replies(doc, message, decision) : NO_REPLIES);
    const published = decision.events.length > 0 ? sink.publish(instanceId, decision.events) : undefined;
    const remembered = memory.set(instanceId, message.chat_jid, decision.state);
    const [answered] = await Promise.all([stored, published, remembered]);
    if (!answered.stored) {
      this.deps.log.debug({ instance_id: instanceId, wa_message_id: message.wa_message_id }, 'inbound message already stored; not answered again');
      // the node that stored it may have died before its webhooks went out
      if (this.deps.keepUnpublished) await this.publishOwed(instanceId, message.wa_message_id);
      return;
    }
    await this.afterStored(instanceId, message, settings, botReplied, answered.ids);
    if (owes) await this.deps.record.published(id);
  }

  /** What follows a stored answer: blue ticks, the test chat's reply ids, bot.replied. */
  private async afterStored(instanceId: string, message: InboundMessage, settings: BotSettings, botReplied: Decision['bot_replied'], ids: string[]): Promise<void> {
    const { sink } = this.deps;
    if (ids.length === 0) return;
    if (settings.actions.read_messages && this.deps.markRead) {
      // the blue ticks are a courtesy: a failure is logged, never holds the chat's next message
      void this.deps.markRead(instanceId, message).catch((err: unknown) => this.deps.log.warn({ err, instance_id: instanceId, wa_message_id: message.wa_message_id }, 'could not mark the message read'));
    }
    // every message passes here; only injected test chat messages are expected
    if (this.expected.size > 0) {
      const key = `${instanceId}|${message.wa_message_id}`;
      if (this.expected.has(key)) this.expected.set(key, ids);
    }
    this.handedOver?.(ids.length);
    // built only when a subscription takes it (botReplied is null otherwise), as the outbox does for its events
    if (botReplied) await sink.publish(instanceId, [botRepliedEvent(botReplied, ids)]);
  }

  /** Publishes what a stored message still owes its webhooks (at least once: its first node may have published part of it). */
  async publishOwed(instanceId: string, waMessageId: string): Promise<void> {
    const { sink } = this.deps;
    const left = await this.deps.record.unpublished(instanceId, waMessageId);
    if (!left) return;
    if (left.owed.events.length > 0) await sink.publish(instanceId, left.owed.events);
    if (left.owed.bot_replied && left.replyIds.length > 0 && sink.wants(instanceId, 'bot.replied')) await sink.publish(instanceId, [botRepliedEvent(left.owed.bot_replied, left.replyIds)]);
    await this.deps.record.published(left.messageId);
  }

  private async keepMedia(instanceId: string, message: InboundMessage, decision: Decision, variable: string): Promise<Decision> {
    try {
      const mediaId = this.deps.keepMedia ? await this.deps.keepMedia(instanceId, message) : null;
      return mediaId ? withStoredMedia(decision, variable, decision.message_id, mediaId) : decision;
    } catch (err) {
      this.deps.log.warn({ err, instance_id: instanceId, wa_message_id: message.wa_message_id }, "a flow's media answer could not be stored; the variable keeps the message id");
      return decision;
    }
  }

  private replies(doc: InboundMessageDoc, message: InboundMessage, decision: Decision): ReplyRequest[] {
    return decision.replies.map((content) => ({
      instanceId: doc.instance_id,
      jid: message.chat_jid,
      phone: message.sender_phone,
      content,
      inboundMessageId: doc._id,
      inboundWaMessageId: message.wa_message_id,
      ruleId: decision.rule?.id ?? null,
    }));
  }

  private firstSighting(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.values().next().value!);
    return true;
  }
}

const NO_REPLIES: ReplyRequest[] = [];

interface Bot {
  settings: BotSettings;
  rules: CompiledRules;
  flows: FlowSet;
}

function failedDecision(message: InboundMessage, settings: BotSettings, id: string, state: ChatState, err: unknown): Decision {
  const detail = `the decision failed (${err instanceof Error ? err.message : String(err)}); no reply was sent`;
  return {
    message_id: id,
    replies: [],
    stop: 'internal_error',
    rule: null,
    flow: null,
    used_default: false,
    events: settings.actions.send_webhook ? inboundEvents(message, id) : [],
    bot_replied: null,
    trace: [{ step: 'decide', result: 'stop', detail }],
    summary: detail,
    state,
  };
}
