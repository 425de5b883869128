/**
 * The bot's state in one chat, changed without a message from it: the
 * owner's pause and resume routes, and what falls due (a pause that runs
 * out, a flow past its deadline). Each change runs in the chat's place in
 * the chat queue, so it never interleaves with that chat's messages, and is
 * written like a decision: memory (durable part to the store), events, then
 * any bot message (a timeout_message) through the outbox.
 */
import { chatDue, pauseChat, resumeChat, type ChatChange } from '../domain/chat-control.js';
import type { FlowEnv } from '../domain/flow-run.js';
import type { FlowSet } from '../domain/flow-set.js';
import type { ChatState } from '../domain/loop-guard.js';
import type { Random } from '../domain/random.js';
import { phoneFromJid } from '../domain/recipient.js';
import type { BotSettings } from '../domain/settings.js';
import type { Logger } from '../logger.js';
import type { InstanceDoc } from '../store/repositories/instances.js';
import type { BotSettingsCache } from './bot-settings-cache.js';
import type { ChatMemory } from './chat-memory.js';
import type { ChatQueue } from './chat-queue.js';
import type { FlowSource } from './inbound-pipeline.js';
import type { ConversationRecord, EventSink } from './ports.js';

export interface ChatControlDeps {
  settings: BotSettingsCache;
  flows: FlowSource;
  memory: ChatMemory;
  queue: ChatQueue;
  sink: EventSink;
  record: ConversationRecord;
  clock: () => number;
  log: Logger;
  random?: Random;
}

/** The bot's state in a chat, as the test chat and the chat routes show it. */
export interface ChatStateView {
  paused_until: string | null;
  flow: { id: string; name: string; step: string; variables: Record<string, string | number | boolean>; attempts: number; deadline: string } | null;
}

export function chatStateView(state: ChatState, now: number): ChatStateView {
  const f = state.flow;
  return {
    paused_until: state.pause && state.pause.until > now ? new Date(state.pause.until).toISOString() : null,
    flow: f ? { id: f.flow_id, name: f.flow_name, step: f.step, variables: f.vars, attempts: f.attempts, deadline: new Date(f.deadline).toISOString() } : null,
  };
}

export interface ChatBotState extends ChatStateView {
  chat_jid: string;
  paused_by: 'owner_message' | 'api' | null;
}

export class ChatControl {
  private readonly random: Random;

  constructor(private readonly d: ChatControlDeps) {
    this.random = d.random ?? Math.random;
  }

  async get(instance: InstanceDoc, chatJid: string): Promise<ChatBotState> {
    return this.d.queue.run(instance._id, chatJid, async () => {
      await this.d.memory.ready(instance._id, chatJid, true);
      return view(chatJid, this.d.memory.current(instance._id, chatJid), this.d.clock());
    });
  }

  pause(instance: InstanceDoc, chatJid: string, minutes: number): Promise<ChatBotState> {
    return this.change(instance._id, chatJid, (state, _settings, flows, env) => pauseChat(state, env.now + minutes * 60_000, phoneOf(chatJid), flows, env));
  }

  resume(instance: InstanceDoc, chatJid: string): Promise<ChatBotState> {
    return this.change(instance._id, chatJid, (state, _settings, _flows, env) => resumeChat(state, chatJid, env.now));
  }

  /** What fell due in the chat (the due-time worker). */
  async due(instanceId: string, chatJid: string): Promise<void> {
    await this.change(instanceId, chatJid, (state, _settings, flows, env) => chatDue(state, flows, env));
  }

  private change(instanceId: string, chatJid: string, fn: (state: ChatState, settings: BotSettings, flows: FlowSet, env: FlowEnv) => ChatChange | null): Promise<ChatBotState> {
    return this.d.queue.run(instanceId, chatJid, async () => {
      const { memory, sink, record } = this.d;
      const settings = await this.d.settings.get(instanceId);
      const flows = await this.d.flows.compiled(instanceId);
      await memory.ready(instanceId, chatJid, true);
      const state = memory.current(instanceId, chatJid);
      const now = this.d.clock();
      if (!settings) return view(chatJid, state, now);
      const env: FlowEnv = {
        now,
        random: this.random,
        chatJid,
        messageId: '',
        placeholders: { pushName: null, phone: state.flow?.phone ?? phoneOf(chatJid), botName: settings.bot_name, timeZone: settings.bot_timezone, lang: settings.bot_lang, message: null, now },
      };
      const change = fn(state, settings, flows, env);
      if (!change) return view(chatJid, state, now);
      await Promise.all([memory.set(instanceId, chatJid, change.state), change.events.length > 0 ? sink.publish(instanceId, change.events) : undefined]);
      if (change.replies.length > 0) {
        const phone = env.placeholders.phone;
        await record.say(change.replies.map((content) => ({ instanceId, jid: chatJid, phone, content, inboundMessageId: null, inboundWaMessageId: null, ruleId: null })));
      }
      this.d.log.debug({ instance_id: instanceId, chat_jid: chatJid, change: change.summary }, 'chat state changed');
      return view(chatJid, change.state, now);
    });
  }
}

function phoneOf(chatJid: string): string | null {
  return chatJid.endsWith('@g.us') ? null : phoneFromJid(chatJid);
}

function view(chatJid: string, state: ChatState, now: number): ChatBotState {
  const paused = state.pause && state.pause.until > now ? state.pause : null;
  return { chat_jid: chatJid, paused_by: paused?.by ?? null, ...chatStateView(state, now) };
}
