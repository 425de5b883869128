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
});
