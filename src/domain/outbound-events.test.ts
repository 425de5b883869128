import { expect } from 'chai';
import { messageStatusEvent, type OutboundMessage } from './outbound-events.js';

const sent = (chat_jid: string, phone: string | null): OutboundMessage => ({ _id: 'm1', wa_message_id: '3EB0A', chat_jid, phone, kind: 'text', content: { type: 'text', text: 'hola' }, source: 'api' });

describe('outbound webhook events', () => {
  it('message.status names the recipient by phone, and by LID when the message went to a …@lid address', () => {
    expect(messageStatusEvent(sent('222222222222222@lid', '5491122334455'), 'delivered').data).to.include({ to_jid: '222222222222222@lid', phone: '5491122334455', lid: '222222222222222@lid' });
    expect(messageStatusEvent(sent('59171234567@s.whatsapp.net', '59171234567'), 'read').data).to.include({ phone: '59171234567', lid: null });
  });
});
