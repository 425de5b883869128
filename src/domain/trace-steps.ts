/**
 * Decision trace steps, and the ones whose wording never varies.
 *
 * Most messages pass the same checks with the same words ("not a broadcast",
 * "under the per-chat auto-reply cap", …). decide() emits those as shared,
 * frozen steps, and a stored trace keeps only their code, so each stored
 * message does not repeat a few hundred bytes of fixed prose. Codes are
 * stored data: never reuse or remove one. Rewording a step's detail changes
 * how already stored traces read, so give new wording a new code instead.
 */
import { RULE_MESSAGE_TYPES } from './rules.js';

export interface TraceStep {
  step: string;
  result: 'info' | 'pass' | 'skip' | 'match' | 'stop' | 'reply';
  detail: string;
}

const standard = (step: string, result: TraceStep['result'], detail: string): TraceStep => Object.freeze({ step, result, detail });

export const STANDARD_STEPS = {
  'webhook:off': standard('webhook', 'info', 'actions.send_webhook is off: no message events'),
  'webhook:both': standard('webhook', 'info', 'queued message.received and message.any'),
  broadcast: standard('broadcast', 'pass', 'not a broadcast'),
  'origin:contact': standard('origin', 'pass', 'from a contact'),
  'origin:multi_device': standard('origin', 'pass', "fromMe from the owner's other device, processed because actions.multi_device is on"),
  reply_msgs: standard('reply_msgs', 'pass', 'actions.reply_msgs is on'),
  group: standard('group', 'pass', 'group message and actions.reply_group_msgs is on'),
  unread: standard('unread', 'pass', 'arrived while the bot was offline and actions.reply_unread_msgs is on'),
  echo: standard('echo', 'pass', 'not an echo of our replies'),
  reply_cap: standard('reply_cap', 'pass', 'under the per-chat auto-reply cap'),
  'default:match': standard('default', 'match', 'no rule matched: sending default_msg'),
} as const;

/** The content check passed, per answerable kind (`content:text`, `content:image`, …). */
export const CONTENT_PASS: ReadonlyMap<string, TraceStep> = new Map(RULE_MESSAGE_TYPES.map((kind) => [kind, standard('content', 'pass', `${kind} can be answered`)]));

const byCode = new Map<string, TraceStep>([...Object.entries(STANDARD_STEPS), ...[...CONTENT_PASS].map(([kind, step]) => [`content:${kind}`, step] as const)]);
const codeOf = new Map<TraceStep, string>([...byCode].map(([code, step]) => [step, code]));

/** A trace step as stored: a standard step's code, or a tuple (no key names repeated a dozen times per message). */
export type StoredTraceStep = string | [step: string, result: TraceStep['result'], detail: string];

export function packTrace(trace: readonly TraceStep[]): StoredTraceStep[] {
  const out: StoredTraceStep[] = new Array(trace.length);
  for (let i = 0; i < trace.length; i++) {
    const t = trace[i];
    out[i] = codeOf.get(t) ?? [t.step, t.result, t.detail];
  }
  return out;
}

export function unpackTrace(stored: readonly StoredTraceStep[]): TraceStep[] {
  return stored.map((s) => {
    if (typeof s !== 'string') return { step: s[0], result: s[1], detail: s[2] };
    const known = byCode.get(s);
    // only a newer version's code can be unknown here: show it rather than fail the whole trace
    return known ? { ...known } : { step: s, result: 'info', detail: '' };
  });
}
