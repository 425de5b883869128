import { expect } from 'chai';
import { inboundFixtureNames, loadInbound } from '../test-support/inbound-fixtures.js';
import { testRule } from '../test-support/rules.js';
import { decide } from './decide.js';
import { emptyChatState } from './loop-guard.js';
import { seededRandom } from './random.js';
import { compileRules } from './rule-matcher.js';
import { defaultSettings, mergeSettings, type SettingsPatch } from './settings.js';
import { CONTENT_PASS, packTrace, STANDARD_STEPS, unpackTrace, type StoredTraceStep } from './trace-steps.js';

const NOW = Date.UTC(2024, 4, 14, 10, 0);
const RULES = compileRules([testRule({ id: 'r1', name: 'Prices', keywords: ['precio', 'price'], reply: { text: 'Hola [name]' }, created_at: 1 })]);
const PATCHES: SettingsPatch[] = [{}, { actions: { send_webhook: true, multi_device: true } }, { actions: { reply_msgs: false } }, { active_hours: { from: '11:00', to: '18:00' } }];

describe('domain/trace-steps', () => {
  it('stores every trace decide() writes so that it reads back exactly, standard steps as their codes', () => {
    let codes = 0;
    for (const fixture of inboundFixtureNames()) {
      for (const patch of PATCHES) {
        const settings = mergeSettings({ ...defaultSettings('Bot'), bot_timezone: 'UTC' }, patch);
        const { trace } = decide(loadInbound(fixture), { settings }, RULES, NOW, { messageId: 'm1', random: seededRandom(1), state: emptyChatState() });
        const stored = JSON.parse(JSON.stringify(packTrace(trace))) as StoredTraceStep[];
        expect(unpackTrace(stored), `${fixture} ${JSON.stringify(patch)}`).to.deep.equal(trace);
        codes += stored.filter((s) => typeof s === 'string').length;
      }
    }
    expect(codes).to.be.greaterThan(100);
  });

  it('packs a plain answered text with its fixed-wording steps as codes', () => {
    const settings = mergeSettings({ ...defaultSettings('Bot'), bot_timezone: 'UTC' }, {});
    const { trace } = decide(loadInbound('text-private'), { settings }, RULES, NOW, { messageId: 'm1', random: seededRandom(1), state: emptyChatState() });
    expect(packTrace(trace).filter((s) => typeof s === 'string')).to.deep.equal(['webhook:off', 'broadcast', 'content:text', 'origin:contact', 'reply_msgs', 'echo', 'reply_cap']);
  });

  it('keeps the wording of stored codes (documents hold only the code)', () => {
    const table = Object.fromEntries(Object.entries(STANDARD_STEPS).map(([code, s]) => [code, [s.step, s.result, s.detail]]));
    expect(table).to.deep.equal({
      'webhook:off': ['webhook', 'info', 'actions.send_webhook is off: no message events'],
      'webhook:both': ['webhook', 'info', 'queued message.received and message.any'],
      broadcast: ['broadcast', 'pass', 'not a broadcast'],
      'origin:contact': ['origin', 'pass', 'from a contact'],
      'origin:multi_device': ['origin', 'pass', "fromMe from the owner's other device, processed because actions.multi_device is on"],
      reply_msgs: ['reply_msgs', 'pass', 'actions.reply_msgs is on'],
      group: ['group', 'pass', 'group message and actions.reply_group_msgs is on'],
      unread: ['unread', 'pass', 'arrived while the bot was offline and actions.reply_unread_msgs is on'],
      echo: ['echo', 'pass', 'not an echo of our replies'],
      reply_cap: ['reply_cap', 'pass', 'under the per-chat auto-reply cap'],
      'default:match': ['default', 'match', 'no rule matched: sending default_msg'],
    });
    expect(unpackTrace(['content:image'])).to.deep.equal([{ step: 'content', result: 'pass', detail: 'image can be answered' }]);
    expect([...CONTENT_PASS.keys()]).to.include.members(['text', 'image', 'location', 'list_reply']);
  });

  it('reads traces stored as tuples only (older documents) and codes it does not know', () => {
    const old: StoredTraceStep[] = [
      ['message', 'info', 'text from 591 in a private chat'],
      ['broadcast', 'pass', 'not a broadcast'],
    ];
    expect(unpackTrace(old)).to.deep.equal([
      { step: 'message', result: 'info', detail: 'text from 591 in a private chat' },
      { step: 'broadcast', result: 'pass', detail: 'not a broadcast' },
    ]);
    expect(unpackTrace(['some_future_step'])).to.deep.equal([{ step: 'some_future_step', result: 'info', detail: '' }]);
  });

  it('hands out copies, so a caller cannot change the shared steps', () => {
    const [step] = unpackTrace(['broadcast']);
    step.detail = 'changed';
    expect(unpackTrace(['broadcast'])[0].detail).to.equal('not a broadcast');
    expect(Object.isFrozen(STANDARD_STEPS.broadcast)).to.equal(true);
  });
});
