import { expect } from 'chai';
import type { OutboxMessageDoc } from '../../store/repositories/outbox.js';
import { toProblem } from '../middleware/problem.js';
import { SendRefusedError, sendOutcome } from './send-outcome.js';

const doc = (fields: Partial<OutboxMessageDoc>) => ({ _id: '65f000000000000000000001', status: 'queued', ...fields }) as OutboxMessageDoc;

function refusal(fields: Partial<OutboxMessageDoc>): SendRefusedError {
  try {
    sendOutcome(doc(fields));
  } catch (err) {
    if (err instanceof SendRefusedError) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('the send outcome rule every API shares', () => {
  it('calls a message sent once WhatsApp has it, and pending while it waits', () => {
    for (const status of ['sent', 'delivered', 'read', 'played'] as const) expect(sendOutcome(doc({ status })), status).to.equal('sent');
    for (const status of ['queued', 'scheduled', 'sending'] as const) expect(sendOutcome(doc({ status })), status).to.equal('pending');
  });

  it('refuses a failed message with 502 and the reason, naming the recipient for the reach-out timelock', () => {
    const failed = refusal({ status: 'failed', error: 'not on WhatsApp', error_code: 'rejected' });
    expect(failed).to.include({ status: 502, message: 'message 65f000000000000000000001 failed: not on WhatsApp' });
    expect(failed.errors).to.deep.equal([]);
    expect(toProblem(failed, 'r1').problem.type).to.equal('https://tucan.dev/problems/send-failed');
    const timelock = refusal({ status: 'failed', error: 'reach-out timelock', error_code: '463' });
    expect(timelock.errors).to.deep.equal([{ field: 'body.to', message: 'reach-out timelock' }]);
    expect(refusal({ status: 'failed' }).message).to.equal('message 65f000000000000000000001 failed: unknown error');
  });

  it('refuses a cancelled message with 409', () => {
    const cancelled = refusal({ status: 'cancelled', error: 'cancelled through the API' });
    expect(cancelled).to.include({ status: 409, title: 'Cancelled', message: 'message 65f000000000000000000001 was cancelled before it was sent' });
    expect(toProblem(cancelled, 'r1').problem.type).to.equal('https://tucan.dev/problems/conflict');
  });
});
