/**
 * The owner's test chat and decision traces:
 * - a sandbox message runs through the real engine → pipeline path and is
 *   stored like any other (its trace is then read back from the store);
 * - a dry run answers the same question for any instance with nothing sent,
 *   stored or published;
 * - the stored trace of any inbound message, by tucan id or WhatsApp id.
 */
import { contentToJson } from '../domain/content.js';
import type { Decision, StopReason, TraceStep } from '../domain/decide.js';
import type { EventType } from '../domain/events.js';
import type { InboundMessage } from '../domain/inbound.js';
import { chatStateView, type ChatStateView } from './chat-control.js';
import { buildSandboxMessage, sandboxAttachment, type SandboxMessageInput } from '../engines/sandbox/sandbox-input.js';
import { SandboxEngine } from '../engines/sandbox/sandbox-engine.js';
import { isId } from '../store/port.js';
import { unpackTrace, type InboundMessageDoc, type InboundMessagesRepo } from '../store/repositories/inbound-messages.js';
import type { EngineManager } from './engine-manager.js';
import { ConflictError, NotFoundError, UnavailableError } from './errors.js';
import type { InboundPipeline } from './inbound-pipeline.js';
import type { InstanceDoc } from '../store/repositories/instances.js';

export interface TraceView {
  /** tucan's id; null for a dry run, which stores nothing. */
  message_id: string | null;
  wa_message_id: string;
  chat_jid: string;
  kind: string;
  text: string | null;
  received_at: string;
  replied: boolean;
  stop: StopReason | null;
  rule: { id: string; name: string } | null;
  /** The flow that answered, and the step the chat is at after it (null step: it left the flow). */
  flow: { id: string; name: string; step: string | null } | null;
  used_default: boolean;
  summary: string;
  events: EventType[];
  trace: TraceStep[];
  /** The rendered replies (send API content JSON). */
  replies: Record<string, unknown>[];
  reply_error: string | null;
  /** Test chat and dry run: the bot's state in the chat after this message (a dry run's is what it would be; nothing is kept). */
  chat_state?: ChatStateView;
  /** Test chat only: each reply's outbox message and what became of it (sent by the sandbox engine, failed, or still queued). */
  reply_messages?: ReplyMessageView[];
}

export interface ReplyMessageView {
  message_id: string;
  status: string;
  wa_message_id: string | null;
  error: string | null;
}

/** Where the test chat learns what became of a reply (the outbox). */
export type ReplyOutcomes = (instanceId: string, messageId: string, waitMs: number) => Promise<{ status: string; wa_message_id: string | null; error?: string | null } | null>;

/** Replies are paced like any other send; the test chat waits this long for them to leave. */
const REPLY_WAIT_MS = 15_000;

export class TestChatService {
  constructor(
    private readonly engines: EngineManager,
    private readonly pipeline: InboundPipeline,
    private readonly messages: InboundMessagesRepo,
    private readonly clock: () => number,
    private readonly outcomes: ReplyOutcomes,
  ) {}

  async sandboxMessage(instance: InstanceDoc, input: SandboxMessageInput): Promise<TraceView> {
    const instanceId = instance._id;
    if (instance.engine !== 'sandbox') {
      throw new ConflictError('the test chat injects messages into sandbox instances only; use POST /v1/instances/{id}/rules/test for a dry run on this instance', 'params.id');
    }
    this.engines.assertHere(instance);
    const engine = this.engines.get(instanceId);
    if (!(engine instanceof SandboxEngine) || engine.status().status !== 'connected') {
      // it should be connected: it is on its way (a node taking it over, a start-up), so the caller may retry
      if (instance.desired_state === 'connected') throw new UnavailableError('the sandbox instance is connecting (its node is starting it, or taking it over from another); retry', 1);
      throw new ConflictError('the sandbox instance is not connected; POST /v1/instances/{id}/connect first', 'params.id');
    }
    const message = buildSandboxMessage(instanceId, input, input.id ?? SandboxEngine.messageId(), this.clock());
    const attachment = sandboxAttachment(input);
    if (attachment) engine.attach(message.wa_message_id, attachment);
    const answer = this.pipeline.expectAnswer(instanceId, message.wa_message_id);
    let ids: string[];
    try {
      await engine.inject([message]);
    } finally {
      ids = answer.done();
    }
    const doc = await this.messages.byWaId(instanceId, message.wa_message_id);
    if (!doc) throw new UnavailableError('the message was not processed (was the instance deleted meanwhile?)');
    const outcomes = await Promise.all(ids.map((id) => this.outcomes(instanceId, id, REPLY_WAIT_MS)));
    const reply_messages = ids.map((id, i) => ({
      message_id: id,
      status: outcomes[i]?.status ?? 'unknown',
      wa_message_id: outcomes[i]?.wa_message_id ?? null,
      error: outcomes[i]?.error ?? null,
    }));
    return { ...storedView(doc), chat_state: chatStateView(this.pipeline.chatState(instanceId, message.chat_jid), this.clock()), reply_messages };
  }

  async dryRun(instance: InstanceDoc, input: SandboxMessageInput): Promise<TraceView> {
    const message = buildSandboxMessage(instance._id, input, SandboxEngine.messageId(), this.clock());
    const decision = await this.pipeline.dryRun(instance._id, instance.settings, message);
    return { ...dryRunView(message, decision), chat_state: chatStateView(decision.state, this.clock()) };
  }

  async trace(instance: InstanceDoc, messageId: string): Promise<TraceView> {
    const instanceId = instance._id;
    const doc = (isId(messageId) ? await this.messages.byId(instanceId, messageId) : null) ?? (await this.messages.byWaId(instanceId, messageId));
    if (!doc) throw new NotFoundError('inbound message');
    return storedView(doc);
  }
}

function storedView(doc: InboundMessageDoc): TraceView {
  const d = doc.decision;
  return {
    message_id: doc._id,
    wa_message_id: doc.in_key,
    chat_jid: doc.chat_jid,
    kind: doc.kind,
    text: doc.text,
    received_at: new Date(doc.created_at).toISOString(),
    replied: d.stop === null,
    stop: d.stop,
    rule: d.rule,
    flow: d.flow ?? null,
    used_default: d.used_default,
    summary: d.summary,
    events: d.events,
    trace: unpackTrace(doc.trace),
    replies: d.replies,
    reply_error: d.reply_error,
  };
}

function dryRunView(message: InboundMessage, decision: Decision): TraceView {
  return {
    message_id: null,
    wa_message_id: message.wa_message_id,
    chat_jid: message.chat_jid,
    kind: message.kind,
    text: message.text,
    received_at: new Date(message.timestamp).toISOString(),
    replied: decision.stop === null,
    stop: decision.stop,
    rule: decision.rule,
    flow: decision.flow,
    used_default: decision.used_default,
    summary: decision.summary,
    events: decision.events.map((e) => e.type),
    trace: decision.trace,
    replies: decision.replies.map((c) => contentToJson(c)),
    reply_error: null,
  };
}
