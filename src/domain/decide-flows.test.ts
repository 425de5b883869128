import { expect } from 'chai';
import { loadInbound } from '../test-support/inbound-fixtures.js';
import { testFlow } from '../test-support/flows.js';
import { testRule } from '../test-support/rules.js';
import { chatDue, pauseChat, resumeChat } from './chat-control.js';
import { decide, type Decision } from './decide.js';
import type { DomainEvent } from './events.js';
import { compileFlows, type FlowSet } from './flow-set.js';
import { FlowCreateSchema, type Flow } from './flows.js';
import type { InboundMessage } from './inbound.js';
import { emptyChatState, REPLY_CAP, type ChatState } from './loop-guard.js';
import { seededRandom } from './random.js';
import { compileRules, type CompiledRules } from './rule-matcher.js';
import { defaultSettings, mergeSettings, type BotSettings, type SettingsPatch } from './settings.js';

// Tuesday 2024-05-14 10:00 UTC, the fixtures' timestamp
const NOW = Date.UTC(2024, 4, 14, 10, 0);
const MIN = 60_000;
const ORDER = testFlow();
const FLOWS = compileFlows([ORDER]);
const NO_RULES = compileRules([]);

function settings(patch: SettingsPatch = {}): BotSettings {
  return mergeSettings({ ...defaultSettings('Tienda'), bot_timezone: 'UTC', default_msg: 'Sin palabra clave, [name].' }, patch);
}

interface Step {
  text: string;
  at?: number;
  overrides?: Partial<InboundMessage>;
}

interface Walk {
  decisions: Decision[];
  replies: string[][];
  state: ChatState;
  events: DomainEvent[];
}

/** Feeds messages one by one, each decision's state into the next, as the pipeline does. */
function walk(steps: (string | Step)[], o: { settings?: SettingsPatch; flows?: FlowSet; rules?: CompiledRules; state?: ChatState; fixture?: string } = {}): Walk {
  let state = o.state ?? emptyChatState();
  const decisions: Decision[] = [];
  steps.forEach((s, i) => {
    const step = typeof s === 'string' ? { text: s } : s;
    const message = loadInbound(o.fixture ?? 'text-private', { text: step.text, wa_message_id: `w${i}`, ...step.overrides });
    const d = decide(message, { settings: settings(o.settings), flows: o.flows ?? FLOWS }, o.rules ?? NO_RULES, step.at ?? NOW + i * 1000, { messageId: `m${i}`, random: seededRandom(1), state });
    decisions.push(d);
    state = d.state;
  });
  return {
    decisions,
    replies: decisions.map((d) => d.replies.map((r) => (r.type === 'text' ? r.text : r.type))),
    state,
    events: decisions.flatMap((d) => d.events),
  };
}

const types = (events: DomainEvent[]) => events.map((e) => e.type);

describe('decide with flows', () => {
  it('walks the order flow: a choice, a number, a text, and the end with every variable', () => {
    const w = walk(['quiero hacer un pedido', '1', '2', 'Calle 10 #4-5']);
    expect(w.replies).to.deep.equal([
      ['¿Qué deseas, María?\n1 Pizza\n2 Hamburguesa'],
      ['¿Cuántas pizza?'],
      ['¿Dirección de entrega?'],
      ['Gracias María: 2 x pizza a Calle 10 #4-5.'],
    ]);
    expect(w.state.flow).to.equal(null);
    const completed = w.events.find((e) => e.type === 'flow.completed');
    expect(completed?.data).to.deep.include({ flow_id: ORDER.id, flow_name: 'order', chat_jid: '59171234567@s.whatsapp.net', phone: '59171234567', step: 'done' });
    expect((completed?.data as { variables: unknown }).variables).to.deep.equal({ item: 'pizza', qty: 2, address: 'Calle 10 #4-5' });
    expect(w.decisions.map((d) => d.flow?.step ?? null)).to.deep.equal(['menu', 'qty', 'address', null]);
    expect(w.decisions.every((d) => d.stop === null && d.rule === null && !d.used_default)).to.equal(true);
    expect(w.decisions[1].trace.some((t) => t.step === 'flow' && /option 1 chosen \(word '1'\), set item = "pizza"/.test(t.detail))).to.equal(true);
    expect(w.decisions[2].trace.some((t) => t.step === 'flow' && /captured qty = 2/.test(t.detail))).to.equal(true);
  });

  const invalid: { name: string; answers: string[]; replies: string[][]; step: string | null; attempts?: number }[] = [
    { name: 'a choice that matches no option gets the invalid reply', answers: ['3'], replies: [['Responde 1 o 2.']], step: 'menu', attempts: 1 },
    { name: 'an option keyword inside a sentence is chosen (word match)', answers: ['una burger por favor'], replies: [['¿Cuántas hamburguesa?']], step: 'qty' },
    { name: 'a number out of range gets the invalid reply', answers: ['1', '25'], replies: [['¿Cuántas pizza?'], ['Un número del 1 al 20.']], step: 'qty', attempts: 1 },
    { name: 'a number inside words is read', answers: ['1', 'quiero 3 porfa'], replies: [['¿Cuántas pizza?'], ['¿Dirección de entrega?']], step: 'address' },
    { name: 'a fraction is refused where whole numbers are expected', answers: ['1', '2.5'], replies: [['¿Cuántas pizza?'], ['Un número del 1 al 20.']], step: 'qty', attempts: 1 },
    { name: 'a text too short, with no invalid reply, asks the step again', answers: ['1', '2', 'abc'], replies: [['¿Cuántas pizza?'], ['¿Dirección de entrega?'], ['¿Dirección de entrega?']], step: 'address', attempts: 1 },
  ];
  for (const c of invalid) {
    it(c.name, () => {
      const w = walk(['pedido', ...c.answers]);
      expect(w.replies.slice(1)).to.deep.equal(c.replies);
      expect(w.state.flow?.step ?? null).to.equal(c.step);
      if (c.attempts !== undefined) expect(w.state.flow?.attempts).to.equal(c.attempts);
    });
  }

  it('past max_attempts the flow ends with its timeout message and flow.abandoned (max_attempts)', () => {
    const w = walk(['pedido', 'x', 'y', 'z']);
    expect(w.replies.slice(1)).to.deep.equal([['Responde 1 o 2.'], ['Responde 1 o 2.'], ['Pedido cancelado por inactividad.']]);
    expect(w.state.flow).to.equal(null);
    const abandoned = w.events.filter((e) => e.type === 'flow.abandoned');
    expect(abandoned.map((e) => (e.data as { reason: string }).reason)).to.deep.equal(['max_attempts']);
  });

  it('on_fail, when given, is sent instead of the timeout message', () => {
    const flows = compileFlows([testFlow({ on_fail: { text: 'Demasiados intentos.' } })]);
    const w = walk(['pedido', 'x', 'y', 'z'], { flows });
    expect(w.replies[3]).to.deep.equal(['Demasiados intentos.']);
  });

  it('an exit keyword leaves at any step (exit_message when given, else silence)', () => {
    const w = walk(['pedido', '1', 'mejor cancelar']);
    expect(w.replies[2]).to.deep.equal([]);
    expect(w.decisions[2].stop).to.equal('flow_no_reply');
    expect(w.state.flow).to.equal(null);
    expect(w.events.filter((e) => e.type === 'flow.abandoned').map((e) => e.data)).to.have.length(1);
    expect((w.events.find((e) => e.type === 'flow.abandoned')!.data as { reason: string; variables: unknown }).reason).to.equal('exit');
    const withMessage = walk(['pedido', 'cancel'], { flows: compileFlows([testFlow({ exit_message: { text: 'Listo, [name], cancelado.' } })]) });
    expect(withMessage.replies[1]).to.deep.equal(['Listo, María, cancelado.']);
  });

  it('a message after the deadline leaves the flow (timeout message) and is then answered as usual', () => {
    const w = walk(['pedido', { text: 'hola', at: NOW + 11 * MIN }]);
    expect(w.replies[1]).to.deep.equal(['Pedido cancelado por inactividad.', 'Sin palabra clave, María.']);
    expect((w.events.find((e) => e.type === 'flow.abandoned')!.data as { reason: string }).reason).to.equal('timeout');
    expect(w.state.flow).to.equal(null);
  });

  it('a message after the deadline that triggers the flow starts it again', () => {
    const w = walk(['pedido', '1', { text: 'pedido', at: NOW + 20 * MIN }]);
    expect(w.replies[2]).to.deep.equal(['Pedido cancelado por inactividad.', '¿Qué deseas, María?\n1 Pizza\n2 Hamburguesa']);
    expect(w.state.flow?.step).to.equal('menu');
    expect(w.state.flow?.vars).to.deep.equal({});
  });

  it('a flow changed while the chat is inside it ends that chat\'s walk (flow_changed) and the message is answered as usual', () => {
    const first = walk(['pedido']);
    const changed = compileFlows([testFlow({ version: 2 })]);
    const w = walk(['1'], { flows: changed, state: first.state });
    expect((w.events.find((e) => e.type === 'flow.abandoned')!.data as { reason: string }).reason).to.equal('flow_changed');
    expect(w.replies[0]).to.deep.equal(['Sin palabra clave, María.']);
    const removed = walk(['1'], { flows: compileFlows([]), state: first.state });
    expect((removed.events.find((e) => e.type === 'flow.abandoned')!.data as { reason: string }).reason).to.equal('flow_removed');
  });

  it('a flow never starts outside active hours, but one already running finishes', () => {
    const closedTuesday: SettingsPatch = { active_days: { tuesday: false } };
    const outside = walk(['pedido'], { settings: closedTuesday });
    expect(outside.decisions[0].stop).to.equal('outside_schedule');
    expect(outside.state.flow).to.equal(null);
    const started = walk(['pedido']);
    const w = walk(['2', '3', 'Av. Siempre Viva 742'], { settings: closedTuesday, state: started.state });
    expect(w.replies).to.deep.equal([['¿Cuántas hamburguesa?'], ['¿Dirección de entrega?'], ['Gracias María: 3 x hamburguesa a Av. Siempre Viva 742.']]);
  });

  it('in a group only the member who started the flow walks it; groups follow reply_group_msgs', () => {
    const w = walk(['pedido', { text: '1', overrides: { sender_jid: '59170000000@s.whatsapp.net', sender_phone: '59170000000', push_name: 'Otro' } }, '2'], { fixture: 'text-group' });
    expect(w.replies[0]).to.deep.equal(['¿Qué deseas, Jorge?\n1 Pizza\n2 Hamburguesa']);
    expect(w.replies[1]).to.deep.equal(['Sin palabra clave, Otro.']);
    expect(w.replies[2]).to.deep.equal(['¿Cuántas hamburguesa?']);
    expect(w.state.flow?.participant).to.equal('59176543210@s.whatsapp.net');
    const off = walk(['pedido'], { fixture: 'text-group', settings: { actions: { reply_group_msgs: false } } });
    expect(off.decisions[0].stop).to.equal('group_msgs_off');
  });

  it('a rule can start a flow; a rule naming a missing flow stays silent and says why', () => {
    const starts = testRule({ name: 'Menu', keywords: ['menu'], reply: { start_flow: ORDER.id } });
    const w = walk(['menu'], { rules: compileRules([starts]) });
    expect(w.replies[0]).to.deep.equal(['¿Qué deseas, María?\n1 Pizza\n2 Hamburguesa']);
    expect(w.decisions[0].rule?.name).to.equal('Menu');
    expect(w.decisions[0].flow).to.deep.equal({ id: ORDER.id, name: 'order', step: 'menu' });
    const missing = walk(['menu'], { rules: compileRules([starts]), flows: compileFlows([]) });
    expect(missing.decisions[0].stop).to.equal('flow_unavailable');
  });

  it('flow triggers come before rules; inside a flow rules and the default message are not consulted', () => {
    const rule = testRule({ name: 'Pedido rule', keywords: ['pedido', '1'], reply: { text: 'rule reply' } });
    const w = walk(['pedido', '1'], { rules: compileRules([rule]) });
    expect(w.replies).to.deep.equal([['¿Qué deseas, María?\n1 Pizza\n2 Hamburguesa'], ['¿Cuántas pizza?']]);
  });

  it('the reply cap does not stop a flow in progress (max_attempts bounds it)', () => {
    const busy: ChatState = { ...emptyChatState(), recent: Array.from({ length: REPLY_CAP }, (_, i) => ({ at: NOW - 1000 - i, text: `r${i}` })) };
    const started = walk(['pedido']);
    const w = walk(['1'], { state: { ...started.state, recent: busy.recent } });
    expect(w.replies[0]).to.deep.equal(['¿Cuántas pizza?']);
  });

  it('a disabled flow neither starts nor is matched', () => {
    const w = walk(['pedido'], { flows: compileFlows([testFlow({ enabled: false })]) });
    expect(w.replies[0]).to.deep.equal(['Sin palabra clave, María.']);
  });

  describe('expectations', () => {
    const flowWith = (expect: object, lang = 'es'): { flows: FlowSet; settings: SettingsPatch } => {
      const doc = { name: 'one question', trigger: { keywords: ['go'], match: 'exact' }, start: 'ask', steps: [{ id: 'ask', send: { text: 'ask' }, expect: { next: 'end', save_as: 'v', ...expect } }, { id: 'end', send: { text: 'got [var.v]' }, end: true }] };
      const flow: Flow = { ...FlowCreateSchema.parse(doc), id: 'f0000000000000000000000b', version: 1 };
      return { flows: compileFlows([flow]), settings: { bot_lang: lang, bot_timezone: 'America/La_Paz' } };
    };
    const cases: { type: object; answer: string | Step; kept: string | null; lang?: string }[] = [
      { type: { type: 'email' }, answer: ' Ana.Perez@Example.COM ', kept: 'ana.perez@example.com' },
      { type: { type: 'email' }, answer: 'ana@', kept: null },
      { type: { type: 'phone' }, answer: '+591 71234567', kept: '59171234567' },
      { type: { type: 'phone' }, answer: '12345', kept: null },
      { type: { type: 'date' }, answer: '24/12/2026', kept: '2026-12-24' },
      { type: { type: 'date' }, answer: '12/24/2026', kept: '2026-12-24', lang: 'en-US' },
      { type: { type: 'date' }, answer: '31/02/2026', kept: null },
      // 06:00 UTC on the 14th is still the 14th in La Paz (UTC-4); 02:00 UTC is the 13th there
      { type: { type: 'date' }, answer: 'mañana', kept: '2024-05-15' },
      { type: { type: 'date' }, answer: { text: 'hoy', at: Date.UTC(2024, 4, 14, 2, 0) }, kept: '2024-05-13' },
      { type: { type: 'date' }, answer: '1/3', kept: '2025-03-01' },
      { type: { type: 'text', max_length: 5 }, answer: 'demasiado largo', kept: null },
      { type: { type: 'number', integer: false, min: 0 }, answer: '2,5', kept: '2.5' },
      { type: { type: 'media' }, answer: { text: '', overrides: { kind: 'image', text: null } }, kept: 'm1' },
      { type: { type: 'media', media_types: ['document'] }, answer: { text: '', overrides: { kind: 'image', text: null } }, kept: null },
    ];
    for (const c of cases) {
      const shown = typeof c.answer === 'string' ? c.answer : c.answer.text || c.answer.overrides?.kind;
      it(`${JSON.stringify(c.type)} ${c.kept === null ? 'refuses' : 'keeps'} '${shown}'${c.lang ? ` (${c.lang})` : ''}`, () => {
        const o = flowWith(c.type, c.lang);
        const w = walk(['go', c.answer], o);
        if (c.kept === null) {
          expect(w.replies[1]).to.deep.equal(['ask']);
          expect(w.state.flow?.attempts).to.equal(1);
        } else {
          expect(w.replies[1]).to.deep.equal([`got ${c.kept}`]);
        }
      });
    }
  });

  describe('human takeover', () => {
    const owner = (text: string, at?: number): Step => ({ text, at, overrides: { from_me: true, sender_jid: '59170000001@s.whatsapp.net', sender_phone: null } });

    it('an owner message pauses the chat and ends its flow; the chat is silent until the pause ends', () => {
      const w = walk(['pedido', owner('hola, te atiendo yo'), { text: '1', at: NOW + 5 * MIN }, { text: 'hola', at: NOW + 31 * MIN }], { settings: { takeover_minutes: 30 } });
      expect(w.decisions[1].stop).to.equal('takeover');
      expect(types(w.decisions[1].events).filter((t) => t.startsWith('flow') || t.startsWith('chat'))).to.deep.equal(['flow.abandoned', 'chat.paused']);
      expect((w.decisions[1].events.find((e) => e.type === 'flow.abandoned')!.data as { reason: string }).reason).to.equal('takeover');
      expect(w.decisions[2].stop).to.equal('paused');
      expect(w.decisions[2].trace.at(-1)!.detail).to.equal('paused by the owner until 10:30 UTC: the bot stays silent in this chat');
      expect(w.replies[3]).to.deep.equal(['Sin palabra clave, María.']);
      expect(types(w.decisions[3].events)).to.include('chat.resumed');
      expect(w.state.pause).to.equal(null);
    });

    it('without takeover_minutes an owner message does nothing to the chat', () => {
      const w = walk(['pedido', owner('hola')]);
      expect(w.decisions[1].stop).to.equal('from_me');
      expect(w.state.flow?.step).to.equal('menu');
    });

    it('our own reply coming back from the phone is not a takeover', () => {
      const w = walk(['pedido', owner('¿Qué deseas, María?\n1 Pizza\n2 Hamburguesa')], { settings: { takeover_minutes: 30 } });
      expect(w.decisions[1].stop).to.equal('own_reply');
      expect(w.state.pause).to.equal(null);
    });

    it('pause, resume and expiry as pure transitions', () => {
      const started = walk(['pedido']).state;
      const env = { now: NOW, random: seededRandom(1), chatJid: '59171234567@s.whatsapp.net', messageId: '', placeholders: { pushName: null, phone: '59171234567', botName: 'b', timeZone: 'UTC', lang: 'es', message: null, now: NOW } };
      const paused = pauseChat(started, NOW + 10 * MIN, '59171234567', FLOWS, env);
      expect(types(paused.events)).to.deep.equal(['flow.abandoned', 'chat.paused']);
      expect(paused.state.flow).to.equal(null);
      expect(resumeChat(paused.state, env.chatJid, NOW)?.events.map((e) => e.data)).to.deep.equal([{ chat_jid: env.chatJid, phone: '59171234567', lid: null, reason: 'api' }]);
      expect(resumeChat(emptyChatState(), env.chatJid, NOW)).to.equal(null);
      expect(chatDue(paused.state, FLOWS, env)).to.equal(null);
      const expired = chatDue(paused.state, FLOWS, { ...env, now: NOW + 10 * MIN });
      expect(expired?.events.map((e) => e.data)).to.deep.equal([{ chat_jid: env.chatJid, phone: '59171234567', lid: null, reason: 'expired' }]);
      const timedOut = chatDue(started, FLOWS, { ...env, now: NOW + 10 * MIN });
      expect(timedOut?.replies.map((r) => (r.type === 'text' ? r.text : ''))).to.deep.equal(['Pedido cancelado por inactividad.']);
      expect(timedOut?.state.flow).to.equal(null);
    });

    it('names a LID-addressed chat by its LID in the takeover and flow events', () => {
      const started = walk(['pedido']).state;
      const chatJid = '222222222222222@lid';
      const env = { now: NOW, random: seededRandom(1), chatJid, messageId: '', placeholders: { pushName: null, phone: null, botName: 'b', timeZone: 'UTC', lang: 'es', message: null, now: NOW } };
      const paused = pauseChat(started, NOW + 10 * MIN, null, FLOWS, env);
      expect(paused.events.map((e) => [e.type, (e.data as { lid?: unknown }).lid])).to.deep.equal([
        ['flow.abandoned', chatJid],
        ['chat.paused', chatJid],
      ]);
    });
  });
});
