import { expect } from 'chai';
import { loadInbound } from '../test-support/inbound-fixtures.js';
import { testRule } from '../test-support/rules.js';
import { decide, type Decision, type StopReason } from './decide.js';
import type { InboundMessage } from './inbound.js';
import { emptyChatState, REPLY_CAP, type ChatState } from './loop-guard.js';
import { seededRandom } from './random.js';
import { compileRules } from './rule-matcher.js';
import type { Rule } from './rules.js';
import { defaultSettings, mergeSettings, type BotSettings, type SettingsPatch } from './settings.js';

// the fixtures' timestamp: Tuesday 2024-05-14 10:00 UTC
const NOW = Date.UTC(2024, 4, 14, 10, 0);

const rule = testRule;

const prices = rule({ id: 'prices', name: 'Prices', keywords: ['precio', 'price'], reply: { text: '{Hola|Hola} [name], our prices are on the web' } });
const anyImage = rule({ id: 'image', name: 'Any image', message_types: ['image'], reply: { text: 'Nice picture, [name]' } });
const groupHours = rule({ id: 'group-hours', name: 'Group hours', keywords: ['horario'], scope: 'group', reply: { text: 'We open at 9' } });
const privateHours = rule({ id: 'private-hours', name: 'Private hours', keywords: ['opening hours'], scope: 'private', reply: { text: 'We open at 9 (private)' } });
const RULES = compileRules([prices, anyImage, groupHours, privateHours]);

function settings(patch: SettingsPatch = {}): BotSettings {
  return mergeSettings({ ...defaultSettings('Tienda'), bot_timezone: 'UTC', default_msg: 'Sorry [name], no keyword here.' }, patch);
}

interface Case {
  name: string;
  fixture: string;
  overrides?: Partial<InboundMessage>;
  settings?: SettingsPatch;
  state?: ChatState;
  rules?: Rule[];
  stop?: StopReason;
  rule?: string;
  default?: boolean;
  reply?: string;
}

function run(c: Pick<Case, 'fixture' | 'overrides' | 'settings' | 'state' | 'rules'>): Decision {
  const message = loadInbound(c.fixture, c.overrides);
  return decide(message, { settings: settings(c.settings) }, c.rules ? compileRules(c.rules) : RULES, NOW, {
    messageId: 'm1',
    random: seededRandom(1),
    state: c.state ?? emptyChatState(),
  });
}

function recent(text: string, agoMs: number, count = 1): ChatState {
  return { cooldowns: {}, recent: Array.from({ length: count }, () => ({ at: NOW - agoMs, text })), muted_until: null, flow: null, pause: null };
}

describe('decide', () => {
  const cases: Case[] = [
    // matching
    { name: 'a private text matches a rule (accents and case ignored)', fixture: 'text-private', rule: 'Prices', reply: 'Hola María, our prices are on the web' },
    { name: 'a group text matches a group-scoped rule', fixture: 'text-group', rule: 'Group hours' },
    { name: 'a private-scoped rule is passed over in a group, default sent', fixture: 'text-group', overrides: { text: 'opening hours?' }, default: true },
    { name: 'a group-scoped rule is passed over in a private chat', fixture: 'text-private', overrides: { text: 'horario?' }, default: true },
    { name: 'an @lid sender is answered with its resolved phone', fixture: 'text-lid-sender', rule: 'Private hours' },
    { name: 'a caption matches keyword rules', fixture: 'image-caption', rule: 'Prices' },
    { name: 'an image without caption matches the any-image rule', fixture: 'image-no-caption', rule: 'Any image', reply: 'Nice picture, María' },
    { name: 'a button reply matches on its title', fixture: 'button-reply', rule: 'Prices' },
    { name: 'a list reply without a keyword gets the default', fixture: 'list-reply', default: true },
    { name: 'a video without a rule gets the default', fixture: 'video', default: true, reply: 'Sorry María, no keyword here.' },
    { name: 'a location gets the default', fixture: 'location', default: true },
    { name: 'a contact card gets the default', fixture: 'contact', default: true },
    { name: 'a sticker gets the default', fixture: 'sticker', default: true },
    { name: 'a voice note gets the default', fixture: 'audio-ptt', default: true },
    { name: 'a document caption matches nothing: default', fixture: 'document', default: true },
    // never answered
    { name: 'status broadcasts', fixture: 'status-broadcast', stop: 'status_broadcast' },
    { name: 'reactions', fixture: 'reaction', stop: 'not_answerable' },
    { name: 'protocol messages', fixture: 'protocol-revoke', stop: 'not_answerable' },
    { name: 'poll votes', fixture: 'poll-vote', stop: 'not_answerable' },
    { name: 'content-less stubs', fixture: 'unknown-stub', stop: 'not_answerable' },
    { name: "tucan's own API sends, even with multi_device", fixture: 'from-me-api-echo', settings: { actions: { multi_device: true } }, stop: 'own_api_send' },
    // flags
    { name: 'fromMe without multi_device', fixture: 'from-me-other-device', stop: 'from_me' },
    { name: 'fromMe with multi_device is processed', fixture: 'from-me-other-device', settings: { actions: { multi_device: true } }, rule: 'Prices' },
    {
      name: 'fromMe with multi_device that repeats our reply is our own reply',
      fixture: 'from-me-other-device',
      settings: { actions: { multi_device: true } },
      state: recent('precio', 5_000),
      stop: 'own_reply',
    },
    { name: 'reply_msgs off', fixture: 'text-private', settings: { actions: { reply_msgs: false } }, stop: 'reply_msgs_off' },
    { name: 'reply_group_msgs off', fixture: 'text-group', settings: { actions: { reply_group_msgs: false } }, stop: 'group_msgs_off' },
    { name: 'reply_group_msgs off does not affect private chats', fixture: 'text-private', settings: { actions: { reply_group_msgs: false } }, rule: 'Prices' },
    { name: 'reply_unread_msgs on answers offline messages', fixture: 'offline-append', rule: 'Prices' },
    { name: 'reply_unread_msgs off', fixture: 'offline-append', settings: { actions: { reply_unread_msgs: false } }, stop: 'unread_msgs_off' },
    { name: 'send_default_msg off', fixture: 'video', settings: { actions: { send_default_msg: false } }, stop: 'no_match' },
    { name: 'an empty default_msg', fixture: 'video', settings: { default_msg: '  ' }, stop: 'no_match' },
    // schedule
    { name: 'outside active hours', fixture: 'text-private', settings: { active_hours: { from: '11:00', to: '18:00' } }, stop: 'outside_schedule' },
    { name: 'inside active hours', fixture: 'text-private', settings: { active_hours: { from: '09:00', to: '18:00' } }, rule: 'Prices' },
    { name: 'on an inactive day', fixture: 'text-private', settings: { active_days: { tuesday: false } }, stop: 'outside_schedule' },
    { name: 'in the bot time zone', fixture: 'text-private', settings: { bot_timezone: 'America/La_Paz', active_hours: { from: '09:00', to: '18:00' } }, stop: 'outside_schedule' },
    // loop prevention
    { name: 'another bot echoing our reply', fixture: 'text-private', state: recent('hola, ¿cual es el precio del cafe?', 30_000), stop: 'echo' },
    { name: 'an old echo is a new message', fixture: 'text-private', state: recent('hola, ¿cual es el precio del cafe?', 11 * 60_000), rule: 'Prices' },
    { name: 'a short repeated text is not an echo', fixture: 'text-private', overrides: { text: 'precio' }, state: recent('precio', 1_000), rule: 'Prices' },
    { name: 'the per-chat reply cap', fixture: 'text-private', state: recent('something else entirely', 1_000, REPLY_CAP), stop: 'reply_cap' },
    { name: 'replies outside the cap window do not count', fixture: 'text-private', state: recent('something else entirely', 61_000, REPLY_CAP), rule: 'Prices' },
    { name: 'a muted chat', fixture: 'text-private', state: { cooldowns: {}, recent: [], muted_until: NOW + 1000, flow: null, pause: null }, stop: 'reply_cap' },
    // cooldowns
    {
      name: 'a cooling rule is skipped and no default is sent',
      fixture: 'text-private',
      rules: [{ ...prices, cooldown_seconds: 3600 }],
      state: { cooldowns: { prices: NOW - 60_000 }, recent: [], muted_until: null, flow: null, pause: null },
      stop: 'cooldown',
    },
    {
      name: 'a cooling rule falls through to the next matching rule',
      fixture: 'text-private',
      rules: [{ ...prices, cooldown_seconds: 3600 }, rule({ name: 'Cafe', keywords: ['cafe'] })],
      state: { cooldowns: { prices: NOW - 60_000 }, recent: [], muted_until: null, flow: null, pause: null },
      rule: 'Cafe',
    },
    {
      name: 'an expired cooldown answers again',
      fixture: 'text-private',
      rules: [{ ...prices, cooldown_seconds: 60 }],
      state: { cooldowns: { prices: NOW - 61_000 }, recent: [], muted_until: null, flow: null, pause: null },
      rule: 'Prices',
    },
    // rendering
    { name: 'a reply whose spintax renders empty is not sent', fixture: 'text-private', rules: [{ ...prices, reply: { text: '{|}' } }], stop: 'empty_reply' },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const d = run(c);
      const last = d.trace[d.trace.length - 1];
      if (c.stop) {
        expect(d.stop, d.summary).to.equal(c.stop);
        expect(d.replies).to.deep.equal([]);
        expect(last.result).to.equal('stop');
        expect(d.bot_replied).to.equal(null);
      } else {
        expect(d.stop, d.summary).to.equal(null);
        expect(d.replies).to.have.length(1);
        expect(last.result).to.equal('reply');
        expect(d.rule?.name ?? null).to.equal(c.rule ?? null);
        expect(d.used_default).to.equal(c.default ?? false);
        expect(d.bot_replied).to.deep.include({ inbound_message_id: 'm1', rule: d.rule, used_default: d.used_default });
      }
      if (c.reply) expect(d.replies[0]).to.deep.equal({ type: 'text', text: c.reply });
    });
  }

  it('traces every check in order', () => {
    const d = run({ fixture: 'text-private' });
    expect(d.trace.map((s) => `${s.step}:${s.result}`)).to.deep.equal([
      'message:info',
      'webhook:info',
      'broadcast:pass',
      'content:pass',
      'origin:pass',
      'reply_msgs:pass',
      'schedule:pass',
      'echo:pass',
      'reply_cap:pass',
      'rules:info',
      'rule:match',
      'reply:reply',
    ]);
    expect(d.summary).to.equal("rule 'Prices' matched contains 'precio'");
  });

  describe('webhook events', () => {
    const events: [string, SettingsPatch, string[]][] = [
      ['text-private', { actions: { send_webhook: true } }, ['message.received', 'message.any']],
      ['text-private', { actions: { send_webhook: false } }, []],
      ['reaction', { actions: { send_webhook: true } }, ['message.received', 'message.any']],
      ['status-broadcast', { actions: { send_webhook: true } }, ['message.any']],
      ['protocol-revoke', { actions: { send_webhook: true } }, ['message.any']],
      ['from-me-other-device', { actions: { send_webhook: true } }, ['message.any']],
      ['from-me-api-echo', { actions: { send_webhook: true } }, []],
      ['text-private', { actions: { send_webhook: true }, active_days: { tuesday: false } }, ['message.received', 'message.any']],
      ['text-private', { actions: { send_webhook: true, reply_msgs: false } }, ['message.received', 'message.any']],
    ];
    for (const [fixture, patch, expected] of events) {
      it(`${fixture} with ${JSON.stringify(patch)} → ${expected.join(', ') || 'none'}`, () => {
        expect(run({ fixture, settings: patch }).events.map((e) => e.type)).to.deep.equal(expected);
      });
    }

    it('carries the normalised message', () => {
      const [received] = run({ fixture: 'image-caption', settings: { actions: { send_webhook: true } } }).events;
      expect(received.data).to.deep.include({
        message_id: 'm1',
        wa_message_id: '3EB0A9D1C2B3E4F50617',
        direction: 'in',
        from_phone: '59171234567',
        kind: 'image',
        text: 'price of this one?',
        timestamp: '2024-05-14T10:00:00.000Z',
      });
      expect((received.data as { details: Record<string, unknown> }).details.media).to.deep.include({ mimetype: 'image/jpeg' });
    });
  });

  describe('chat state', () => {
    it('records the reply and the rule cooldown', () => {
      const d = run({ fixture: 'text-private', rules: [{ ...prices, cooldown_seconds: 600 }] });
      expect(d.state.cooldowns).to.deep.equal({ prices: NOW });
      expect(d.state.recent).to.deep.equal([{ at: NOW, text: 'hola maria, our prices are on the web' }]);
    });

    it('mutes the chat when the cap is hit', () => {
      const d = run({ fixture: 'text-private', state: recent('something else entirely', 1_000, REPLY_CAP) });
      expect(d.state.muted_until).to.be.greaterThan(NOW);
    });

    it('does not change the state it was given (pure)', () => {
      const state = recent('older reply text here', 1_000);
      const copy = structuredClone(state);
      const a = run({ fixture: 'text-private', state });
      const b = run({ fixture: 'text-private', state });
      expect(state).to.deep.equal(copy);
      expect(a).to.deep.equal(b);
    });

    it('a reply then its echo: the second message is not answered', () => {
      const first = run({ fixture: 'text-private' });
      const echoText = (first.replies[0] as { text: string }).text;
      const second = run({ fixture: 'text-private', overrides: { text: echoText }, state: first.state });
      expect(second.stop).to.equal('echo');
    });
  });
});
