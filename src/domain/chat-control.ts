/**
 * What happens to a chat without a message from it: the owner pauses or
 * resumes the bot there, a pause runs out, a flow's deadline passes. Pure
 * transitions of the chat's state, like decide(): the caller stores the
 * state, sends the replies and publishes the events.
 */
import type { Content } from './content.js';
import type { DomainEvent } from './events.js';
import { leaveFlow, type FlowEnv } from './flow-run.js';
import type { FlowSet } from './flow-set.js';
import type { ChatState } from './loop-guard.js';
import { lidFromJid } from './recipient.js';

export interface ChatChange {
  state: ChatState;
  replies: Content[];
  events: DomainEvent[];
  /** What happened, in words (logs, the route's answer). */
  summary: string;
}

/** The bot goes silent in the chat until `until`; a flow in progress there ends (takeover). */
export function pauseChat(state: ChatState, until: number, phone: string | null, flows: FlowSet, env: FlowEnv): ChatChange {
  const events: DomainEvent[] = [];
  let next: ChatState = { ...state, pause: { until, by: 'api', phone } };
  if (state.flow) {
    events.push(...leaveFlow(flows.byId.get(state.flow.flow_id), state.flow, 'takeover', env).events);
    next = { ...next, flow: null };
  }
  events.push({ type: 'chat.paused', data: { chat_jid: env.chatJid, phone, lid: lidFromJid(env.chatJid), until: new Date(until).toISOString(), by: 'api' } });
  return { state: next, replies: [], events, summary: `paused until ${new Date(until).toISOString()}` };
}

/** The bot answers the chat again; null when it was not paused. */
export function resumeChat(state: ChatState, chatJid: string, now: number): ChatChange | null {
  if (!state.pause || state.pause.until <= now) return null;
  return {
    state: { ...state, pause: null },
    replies: [],
    events: [{ type: 'chat.resumed', data: { chat_jid: chatJid, phone: state.pause.phone, lid: lidFromJid(chatJid), reason: 'api' } }],
    summary: 'resumed',
  };
}

/** A pause that ran out, a flow past its deadline (its timeout_message is sent); null when nothing is due. */
export function chatDue(state: ChatState, flows: FlowSet, env: FlowEnv): ChatChange | null {
  let next = state;
  const replies: Content[] = [];
  const events: DomainEvent[] = [];
  const done: string[] = [];
  if (state.pause && state.pause.until <= env.now) {
    events.push({ type: 'chat.resumed', data: { chat_jid: env.chatJid, phone: state.pause.phone, lid: lidFromJid(env.chatJid), reason: 'expired' } });
    next = { ...next, pause: null };
    done.push('pause ended');
  }
  if (state.flow && state.flow.deadline <= env.now) {
    const cf = flows.byId.get(state.flow.flow_id);
    const reason = !cf ? 'flow_removed' : cf.flow.version !== state.flow.version ? 'flow_changed' : 'timeout';
    const left = leaveFlow(cf, state.flow, reason, env);
    replies.push(...left.replies);
    events.push(...left.events);
    next = { ...next, flow: null };
    done.push(left.summary);
  }
  return done.length > 0 ? { state: next, replies, events, summary: done.join('; ') } : null;
}
