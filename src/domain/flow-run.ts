/**
 * One chat's walk through a flow, as pure transitions: start, answer,
 * leave. Each takes the chat's flow state as a value and returns the next
 * one (null once the flow is over) with the replies to send, the webhook
 * events and the trace steps that explain it.
 */
import type { Content } from './content.js';
import type { DomainEvent, FlowAbandonReason } from './events.js';
import { checkAnswer, type FlowValue } from './flow-answers.js';
import type { CompiledFlow, CompiledStep } from './flow-set.js';
import { MAX_STEPS } from './flows.js';
import type { InboundMessage } from './inbound.js';
import type { NormalizedText } from './normalize.js';
import type { PlaceholderContext } from './placeholders.js';
import type { Random } from './random.js';
import { lidFromJid } from './recipient.js';
import { emptyReason, renderContent } from './render.js';
import type { TraceStep } from './trace-steps.js';

export type { FlowValue } from './flow-answers.js';

/** Where a chat is inside a flow: stored with the chat's memory, so a restart continues there. */
export interface FlowState {
  flow_id: string;
  flow_name: string;
  /** The flow's version when the chat entered it. */
  version: number;
  /** The step waiting for an answer. */
  step: string;
  vars: Record<string, FlowValue>;
  /** Answers to this step that did not fit. */
  attempts: number;
  started_at: number;
  /** Epoch ms after which the chat leaves the flow (timeout_minutes after the last step was asked). */
  deadline: number;
  /** In a group, the member walking the flow; the others are answered as usual. */
  participant: string | null;
  phone: string | null;
}

/** The bot's silence in a chat the owner took over. */
export interface ChatPause {
  until: number;
  by: 'owner_message' | 'api';
  phone: string | null;
}

export interface FlowEnv {
  now: number;
  random: Random;
  chatJid: string;
  /** Placeholders of the message being answered (or of the chat, for timeouts). */
  placeholders: PlaceholderContext;
  /** tucan's id of the message being answered (kept for media answers). */
  messageId: string;
}

export interface FlowTurn {
  replies: Content[];
  events: DomainEvent[];
  /** The chat's flow state after this turn; null once it left the flow. */
  flow: FlowState | null;
  trace: TraceStep[];
  summary: string;
  /** A media answer was kept under this variable (as the message's id: the pipeline stores the file and puts its media id there). */
  mediaVariable: string | null;
}

class Turn {
  readonly replies: Content[] = [];
  readonly events: DomainEvent[] = [];
  readonly trace: TraceStep[] = [];
  mediaVariable: string | null = null;

  constructor(
    private readonly cf: CompiledFlow,
    private readonly env: FlowEnv,
  ) {}

  note(result: TraceStep['result'], detail: string): void {
    this.trace.push({ step: 'flow', result, detail: `flow '${this.cf.flow.name}': ${detail}` });
  }

  send(content: Content | null, vars: Record<string, FlowValue>, what: string): void {
    if (!content) return;
    const rendered = renderContent(content, this.env.random, { ...this.env.placeholders, vars });
    const empty = emptyReason(rendered);
    if (empty) {
      this.note('skip', `${what}: ${empty} (spintax chose only empty options), nothing sent`);
      return;
    }
    this.replies.push(rendered);
  }

  done(flow: FlowState | null, summary: string): FlowTurn {
    return { replies: this.replies, events: this.events, flow, trace: this.trace, summary, mediaVariable: this.mediaVariable };
  }

  /** Sends steps from `stepId` on until one waits for an answer or ends the flow. */
  enter(stepId: string, state: Omit<FlowState, 'step' | 'attempts' | 'deadline'>): FlowTurn {
    let id = stepId;
    for (let hops = 0; hops <= MAX_STEPS; hops++) {
      const cs = this.cf.steps.get(id);
      if (!cs) {
        this.note('stop', `step '${id}' does not exist; leaving the flow`);
        this.abandoned({ ...state, step: id, attempts: 0, deadline: this.env.now }, 'flow_changed');
        return this.done(null, `flow '${this.cf.flow.name}' ended: step '${id}' does not exist`);
      }
      this.send(cs.send, state.vars, `step '${id}'`);
      if (cs.step.end) {
        this.note('reply', `step '${id}' ends the flow: completed`);
        this.events.push({ type: 'flow.completed', data: eventData({ ...state, step: id, attempts: 0, deadline: 0 }, this.env) });
        return this.done(null, `flow '${this.cf.flow.name}' completed at step '${id}'`);
      }
      if (cs.step.next !== undefined) {
        id = cs.step.next;
        continue;
      }
      this.note('reply', `step '${id}' asked; waiting for ${describeExpect(cs)}`);
      const next: FlowState = { ...state, step: id, attempts: 0, deadline: this.env.now + this.cf.flow.timeout_minutes * 60_000 };
      return this.done(next, `flow '${this.cf.flow.name}' at step '${id}'`);
    }
    // flowProblems refuses loops of steps that never wait; this only guards stored documents
    this.note('stop', 'too many steps without an answer; leaving the flow');
    return this.done(null, `flow '${this.cf.flow.name}' stopped: too many steps without an answer`);
  }

  abandoned(state: FlowState, reason: FlowAbandonReason): void {
    this.events.push({ type: 'flow.abandoned', data: { ...eventData(state, this.env), reason } });
  }
}

/** A chat enters the flow at its start step. */
export function startFlow(cf: CompiledFlow, env: FlowEnv, who: { participant: string | null; phone: string | null }, why: string): FlowTurn {
  const turn = new Turn(cf, env);
  turn.note('match', `started (${why})`);
  const flow = cf.flow;
  return turn.enter(flow.start, { flow_id: flow.id, flow_name: flow.name, version: flow.version, vars: {}, started_at: env.now, participant: who.participant, phone: who.phone });
}

/** A message from a chat inside the flow: an exit keyword, an answer that fits, or one that does not. */
export function answerFlow(cf: CompiledFlow, state: FlowState, message: InboundMessage, text: NormalizedText | null, env: FlowEnv): FlowTurn {
  const turn = new Turn(cf, env);
  if (cf.exit && cf.exit.match(text, message.kind).length > 0) {
    turn.note('stop', `exit keyword at step '${state.step}': left the flow`);
    turn.send(cf.exitMessage, state.vars, 'exit_message');
    turn.abandoned(state, 'exit');
    return turn.done(null, `flow '${cf.flow.name}' left with an exit keyword`);
  }
  const cs = cf.steps.get(state.step);
  if (!cs || !cs.step.expect) {
    turn.note('stop', `step '${state.step}' no longer waits for an answer; leaving the flow`);
    turn.abandoned(state, 'flow_changed');
    return turn.done(null, `flow '${cf.flow.name}' ended: step '${state.step}' changed`);
  }
  const expect = cs.step.expect;
  let vars = state.vars;
  let next: string | null = null;
  let refused = '';
  if (expect.type === 'choice') {
    const hit = cs.options!.match(text, message.kind)[0];
    if (hit) {
      const index = Number(cs.options!.rules[hit.rank].rule.id);
      const option = expect.options[index];
      vars = { ...vars, ...(option.set ?? {}), ...(expect.save_as ? { [expect.save_as]: message.text?.trim() ?? '' } : {}) };
      next = option.next;
      turn.note('pass', `step '${state.step}': option ${index + 1} chosen (${hit.mode} '${hit.keyword}')${describeSet(option.set)}`);
    } else {
      refused = `matches none of the ${expect.options.length} options`;
    }
  } else {
    const check = checkAnswer(expect, message, { now: env.now, timeZone: env.placeholders.timeZone, lang: env.placeholders.lang, messageId: env.messageId });
    if (check.ok) {
      if (expect.save_as) vars = { ...vars, [expect.save_as]: check.value };
      if (expect.type === 'media' && expect.save_as) turn.mediaVariable = expect.save_as;
      next = expect.next;
      turn.note('pass', `step '${state.step}': ${expect.type} answer accepted${expect.save_as ? `, captured ${expect.save_as} = ${JSON.stringify(check.value)}` : ''}`);
    } else {
      refused = check.reason;
    }
  }
  if (next !== null) return turn.enter(next, { ...state, vars });

  const attempts = state.attempts + 1;
  if (attempts >= expect.max_attempts) {
    turn.note('stop', `step '${state.step}': answer refused (${refused}); ${attempts} of max_attempts ${expect.max_attempts}: leaving the flow`);
    turn.send(cf.onFail ?? cf.timeoutMessage, vars, cf.onFail ? 'on_fail' : 'timeout_message');
    turn.abandoned({ ...state, attempts }, 'max_attempts');
    return turn.done(null, `flow '${cf.flow.name}' ended after ${attempts} answers that did not fit`);
  }
  turn.note('reply', `step '${state.step}': answer refused (${refused}); attempt ${attempts} of ${expect.max_attempts}`);
  turn.send(cs.invalid ?? cs.send, vars, cs.invalid ? 'invalid' : `step '${state.step}' again`);
  return turn.done({ ...state, attempts, deadline: env.now + cf.flow.timeout_minutes * 60_000 }, `flow '${cf.flow.name}' step '${state.step}': answer refused`);
}

/**
 * The chat leaves the flow without finishing it: timeout (timeout_message
 * is sent), takeover, or a flow that changed or went away (`cf` is then the
 * current flow, or undefined).
 */
export function leaveFlow(cf: CompiledFlow | undefined, state: FlowState, reason: FlowAbandonReason, env: FlowEnv): FlowTurn {
  const label = `flow '${state.flow_name}'`;
  const trace: TraceStep[] = [{ step: 'flow', result: 'stop', detail: `${label}: ${LEAVE_WORDS[reason]} at step '${state.step}'` }];
  const replies: Content[] = [];
  if (reason === 'timeout' && cf && cf.flow.version === state.version && cf.timeoutMessage) {
    const rendered = renderContent(cf.timeoutMessage, env.random, { ...env.placeholders, vars: state.vars });
    if (!emptyReason(rendered)) replies.push(rendered);
  }
  const events: DomainEvent[] = [{ type: 'flow.abandoned', data: { ...eventData(state, env), reason } }];
  return { replies, events, flow: null, trace, summary: `${label} ${LEAVE_WORDS[reason]}`, mediaVariable: null };
}

/** Why a chat can no longer continue the flow it is in, or null. */
export function staleReason(cf: CompiledFlow | undefined, state: FlowState, now: number): FlowAbandonReason | null {
  if (!cf) return 'flow_removed';
  if (cf.flow.version !== state.version) return 'flow_changed';
  if (now >= state.deadline) return 'timeout';
  return null;
}

const LEAVE_WORDS: Record<FlowAbandonReason, string> = {
  exit: 'left with an exit keyword',
  timeout: 'timed out (no answer within timeout_minutes)',
  max_attempts: 'ended after too many answers that did not fit',
  takeover: 'ended: the owner took the chat over',
  flow_changed: 'ended: the flow was changed since the chat entered it',
  flow_removed: 'ended: the flow was deleted or disabled',
};

function eventData(state: FlowState, env: Pick<FlowEnv, 'now' | 'chatJid'>) {
  return {
    flow_id: state.flow_id,
    flow_name: state.flow_name,
    flow_version: state.version,
    chat_jid: env.chatJid,
    phone: state.phone,
    // the person who walked the flow: the group member, or the chat itself
    lid: lidFromJid(state.participant ?? env.chatJid),
    participant_jid: state.participant,
    variables: { ...state.vars },
    step: state.step,
    started_at: new Date(state.started_at).toISOString(),
    ended_at: new Date(env.now).toISOString(),
  };
}

function describeExpect(cs: CompiledStep): string {
  const e = cs.step.expect!;
  switch (e.type) {
    case 'choice':
      return `a choice of ${e.options.length} options`;
    case 'text':
      return `a text of ${e.min_length}–${e.max_length} characters`;
    case 'number':
      return `a ${e.integer ? 'whole ' : ''}number${e.min !== undefined ? ` ≥ ${e.min}` : ''}${e.max !== undefined ? ` ≤ ${e.max}` : ''}`;
    case 'media':
      return `a ${e.media_types.join(' / ')} message`;
    default:
      return `a ${e.type}`;
  }
}

function describeSet(set: Record<string, FlowValue> | undefined): string {
  if (!set) return '';
  const pairs = Object.entries(set).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
  return pairs.length > 0 ? `, set ${pairs.join(', ')}` : '';
}

/**
 * The decision's flow state and flow events with a media answer's value
 * (the message id it was kept as) replaced by the id of the stored file.
 */
export function withStoredMedia<T extends { state: { flow: FlowState | null }; events: DomainEvent[] }>(decision: T, variable: string, messageId: string, mediaId: string): T {
  const swap = (vars: Record<string, FlowValue>) => (vars[variable] === messageId ? { ...vars, [variable]: mediaId } : vars);
  const flow = decision.state.flow;
  const events = decision.events.map((e) =>
    (e.type === 'flow.completed' || e.type === 'flow.abandoned') && e.data.variables[variable] === messageId ? ({ ...e, data: { ...e.data, variables: swap(e.data.variables) } } as DomainEvent) : e,
  );
  return { ...decision, state: { ...decision.state, flow: flow ? { ...flow, vars: swap(flow.vars) } : null }, events };
}
