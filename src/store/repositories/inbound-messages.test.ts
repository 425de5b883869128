import { expect } from 'chai';
import { decide } from '../../domain/decide.js';
import { emptyChatState } from '../../domain/loop-guard.js';
import { seededRandom } from '../../domain/random.js';
import { compileRules } from '../../domain/rule-matcher.js';
import { defaultSettings } from '../../domain/settings.js';
import { inboundFixtureNames, loadInbound } from '../../test-support/inbound-fixtures.js';
import { inboundMessageOf, newInboundDoc, unpackTrace, type InboundMessageDoc } from './inbound-messages.js';

const NOW = Date.UTC(2024, 4, 14, 10, 0);

function stored(fixture: string): { doc: InboundMessageDoc; trace: ReturnType<typeof decide>['trace'] } {
  const message = loadInbound(fixture, { instance_id: 'inst1' });
  const decision = decide(message, { settings: defaultSettings('Bot') }, compileRules([]), NOW, { messageId: 'm1', random: seededRandom(1), state: emptyChatState() });
  // through JSON, as the store keeps it
  return { doc: JSON.parse(JSON.stringify(newInboundDoc('m1', 'inst1', message, decision, NOW))) as InboundMessageDoc, trace: decision.trace };
}

describe('inbound message documents', () => {
  it('keep each field once and give back the whole message and trace, for every kind of message', () => {
    for (const fixture of inboundFixtureNames()) {
      const { doc, trace } = stored(fixture);
      const message = loadInbound(fixture, { instance_id: 'inst1' });
      for (const field of ['instance_id', 'wa_message_id', 'chat_jid', 'sender_jid', 'sender_phone', 'from_me', 'kind', 'text']) {
        expect(doc.message, `${fixture}: message.${field}`).not.to.have.property(field);
      }
      expect(doc).to.include({ wa_message_id: message.wa_message_id, in_key: message.wa_message_id, phone: message.sender_phone, sender_jid: message.sender_jid, kind: message.kind });
      expect(inboundMessageOf(doc), fixture).to.deep.equal(message);
      expect(unpackTrace(doc.trace), fixture).to.deep.equal(trace);
    }
  });

  it('read documents written before, with the whole message inside and every trace step a tuple', () => {
    const { doc, trace } = stored('image-caption');
    const message = loadInbound('image-caption', { instance_id: 'inst1' });
    const older: InboundMessageDoc = { ...doc, message, trace: trace.map((t) => [t.step, t.result, t.detail]) };
    expect(inboundMessageOf(older)).to.deep.equal(message);
    expect(unpackTrace(older.trace)).to.deep.equal(trace);
  });
});
