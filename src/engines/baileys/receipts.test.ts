import { expect } from 'chai';
import type { MessageUserReceiptUpdate, WAMessageUpdate } from '@whiskeysockets/baileys';
import { loadEvent } from '../../test-support/baileys/fixtures.js';
import { receiptsFromUpdates, receiptsFromUserReceipts } from './receipts.js';

describe('Baileys receipts', () => {
  it('maps messages.update statuses of our sends to receipts, by message id only', () => {
    const receipts = receiptsFromUpdates(loadEvent<WAMessageUpdate[]>('messages-update'));
    expect(receipts).to.deep.equal([
      // the 1:1 receipt came from the recipient's @lid: correlation is by id
      { wa_message_id: '3EB0AAAA0000000000000001', status: 'delivered' },
      { wa_message_id: '3EB0AAAA0000000000000001', status: 'read' },
      { wa_message_id: '3EB0AAAA0000000000000002', status: 'played' },
      { wa_message_id: '3EB0AAAA0000000000000003', status: 'failed', error_code: '463' },
      { wa_message_id: '3EB0AAAA0000000000000004', status: 'sent' },
      // PENDING says nothing new; a peer's message and an edit without status are not receipts
    ]);
  });

  it('maps group receipts (message-receipt.update) to the furthest state each reports', () => {
    expect(receiptsFromUserReceipts(loadEvent<MessageUserReceiptUpdate[]>('message-receipt-update'))).to.deep.equal([
      { wa_message_id: '3EB0BBBB0000000000000001', status: 'delivered' },
      { wa_message_id: '3EB0BBBB0000000000000001', status: 'read' },
      { wa_message_id: '3EB0BBBB0000000000000002', status: 'played' },
    ]);
  });

  it('keeps an ERROR without a code as a plain failure', () => {
    expect(receiptsFromUpdates([{ key: { id: 'X', fromMe: true, remoteJid: '1@s.whatsapp.net' }, update: { status: 0 } }])).to.deep.equal([{ wa_message_id: 'X', status: 'failed' }]);
  });
});
