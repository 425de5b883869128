import { expect } from 'chai';
import { loadInbound } from '../test-support/inbound-fixtures.js';
import { inboundEvents } from './inbound-events.js';

describe('inbound webhook events', () => {
  it('a poll vote tucan could read names the poll and the chosen options in message.received', () => {
    const vote = { ...loadInbound('poll-vote'), text: 'Salad', poll_vote: { poll_id: '3EB0C0FFEE0000000003', poll_name: 'Lunch?', options: ['Salad'] } };
    const events = inboundEvents(vote, 'm1');
    expect(events.map((e) => e.type)).to.deep.equal(['message.received', 'message.any']);
    expect(events[0].data).to.deep.include({ kind: 'poll_vote', text: 'Salad' });
    expect((events[0].data as { details?: unknown }).details).to.deep.equal({ poll_vote: { poll_id: '3EB0C0FFEE0000000003', poll_name: 'Lunch?', options: ['Salad'] } });
  });

  it("names the sender by phone and LID when both are known, and null where the LID is not", () => {
    const [received] = inboundEvents(loadInbound('text-private', { sender_lid: '111111111111111@lid' }), 'm2');
    expect(received.data).to.include({ from_phone: loadInbound('text-private').sender_phone, from_lid: '111111111111111@lid' });
    const [plain] = inboundEvents(loadInbound('text-private'), 'm3');
    expect(plain.data).to.include({ from_lid: null });
  });
});
