/**
 * Messages through real Signal sessions: tucan's real Baileys socket on one
 * side, simulated phones on the other, the WhatsApp double in between.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import { encryptPollVote } from '../../../test-support/baileys/poll-vote.js';
import { startWaDouble, type WaDouble } from '../../../test-support/wa-double/double.js';
import { linkByQr, type LinkedInstance } from '../../../test-support/wa-double/tucan-link.js';
import type { Account } from '../../../test-support/wa-double/world.js';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';
import { eventually, WebhookReceiver } from '../../../test-support/webhook-receiver.js';

describe('WhatsApp double: messages through the real Baileys socket', function () {
  this.timeout(60_000);
  let double: WaDouble;
  let t: TestServer;
  let receiver: WebhookReceiver;
  let bot: Account;
  let ana: Account;
  let owner: { token: string };
  let inst: LinkedInstance;
  const lines: string[] = [];

  before(async () => {
    double = await startWaDouble({ log: (line) => lines.push(line) });
    receiver = await WebhookReceiver.start();
    t = await startTestServer({ config: { baileys: { webSocketUrl: double.url }, network: { allowLoopbackUrls: true } } });
    bot = double.addPhone('5491155550010', 'Shop');
    ana = double.addPhone('5491155550011', 'Ana');
    owner = await t.owner();
    inst = await linkByQr(t, double, bot, owner.token, { settings: { actions: { send_webhook: true } } });
  });
  after(async () => {
    await t?.close({ cleanup: true });
    await double?.close();
    await receiver?.close();
    if (process.env.DOUBLE_LOG) fs.writeFileSync('/tmp/double.log', [...lines, ...double.messaging.failures, JSON.stringify(double.messaging.inbox(ana).map((m) => m.message))].join('\n'));
  });

  it('sends a text that the contact decrypts exactly, then shows it delivered and read', async () => {
    const res = await t.request('POST', `/v1/instances/${inst.id}/messages`, { token: owner.token, json: { to: '+54 9 11 5555-0011', text: 'hola Ana' } });
    expect(res.status, res.text).to.equal(201);
    const got = await eventually(async () => double.messaging.inbox(ana).find((m) => m.id === res.body.wa_message_id));
    expect(got.message.conversation ?? got.message.extendedTextMessage?.text).to.equal('hola Ana');
    expect(double.messaging.failures).to.deep.equal([]);

    // the phone's delivery receipt, then its read receipt, become the message's status
    const statusOf = async () => (await t.request('GET', `/v1/instances/${inst.id}/messages/${res.body.id}`, { token: owner.token })).body.status;
    await eventually(async () => ((await statusOf()) === 'delivered' ? true : undefined));
    double.messaging.read(ana, bot, res.body.wa_message_id);
    await eventually(async () => ((await statusOf()) === 'read' ? true : undefined));
  });

  it('answers "menu" with a keyword rule, and reports message.received to a webhook', async () => {
    const rule = await t.request('POST', `/v1/instances/${inst.id}/rules`, { token: owner.token, json: { name: 'menu', keywords: ['menu'], reply: { text: 'Our menu: pizza, pasta' } } });
    expect(rule.status, rule.text).to.equal(201);
    const hook = await t.request('POST', `/v1/instances/${inst.id}/webhooks`, { token: owner.token, json: { url: receiver.url, events: ['message.received'] } });
    expect(hook.status, hook.text).to.equal(201);

    const id = await double.messaging.send(ana, bot, { conversation: 'menu' });
    const reply = await eventually(async () => double.messaging.inbox(ana).find((m) => (m.message.conversation ?? m.message.extendedTextMessage?.text) === 'Our menu: pizza, pasta'));
    expect(reply.to).to.equal(ana.jid);
    const event = await eventually(async () => receiver.requests.map((r) => JSON.parse(r.body)).find((b) => b.type === 'message.received'));
    expect(JSON.stringify(event)).to.contain(id).and.contain('5491155550011').and.contain('menu');
  });

  it('sends a location, a contact card, a poll and a reaction that the contact decrypts as such', async () => {
    const send = async (json: Record<string, unknown>) => {
      const res = await t.request('POST', `/v1/instances/${inst.id}/messages`, { token: owner.token, json: { to: '5491155550011', ...json } });
      expect(res.status, res.text).to.equal(201);
      return eventually(async () => double.messaging.inbox(ana).find((m) => m.id === res.body.wa_message_id));
    };
    const location = await send({ location: { lat: -16.5, lng: -68.15, name: 'La Paz' } });
    expect(location.message.locationMessage).to.include({ degreesLatitude: -16.5, degreesLongitude: -68.15, name: 'La Paz' });
    const card = await send({ contact: { full_name: 'Ana Pérez', phone: '+591 71234567' } });
    expect(card.message.contactMessage?.displayName).to.equal('Ana Pérez');
    expect(card.message.contactMessage?.vcard).to.contain('59171234567');
    const poll = await send({ poll: { name: 'Lunch?', options: ['Pizza', 'Salad'], selectable_count: 1 } });
    const pollMessage = poll.message.pollCreationMessageV3 ?? poll.message.pollCreationMessage ?? poll.message.pollCreationMessageV2;
    expect(pollMessage?.name).to.equal('Lunch?');
    expect(pollMessage?.options?.map((o) => o.optionName)).to.deep.equal(['Pizza', 'Salad']);

    const theirs = await double.messaging.send(ana, bot, { conversation: 'thanks!' });
    const reaction = await send({ reaction: { emoji: '👍', message_id: theirs } });
    expect(reaction.message.reactionMessage?.text).to.equal('👍');
    expect(reaction.message.reactionMessage?.key).to.include({ id: theirs, fromMe: false, remoteJid: '5491155550011@s.whatsapp.net' });
    expect(double.messaging.failures).to.deep.equal([]);
  });

  it('gives the phone number of a sender addressed by @lid, in a direct chat and in a group', async () => {
    const carl = double.addPhone('5491155550012', 'Carl');
    const direct = await double.messaging.send(carl, bot, { conversation: 'hi from a lid' }, { as: 'lid' });
    const bea = double.addPhone('5491155550013', 'Bea');
    const group = double.groups.add('Family', [bot, ana, bea], 'lid');
    const inGroup = await double.messaging.sendToGroup(bea, group, { conversation: 'hello group' });
    const events = await eventually(async () => {
      const all = receiver.requests.map((r) => JSON.parse(r.body)).filter((b) => b.type === 'message.received');
      const d = all.find((b) => JSON.stringify(b).includes(direct));
      const g = all.find((b) => JSON.stringify(b).includes(inGroup));
      return d && g ? { d, g } : undefined;
    });
    expect(JSON.stringify(events.d)).to.contain('5491155550012').and.contain('hi from a lid');
    expect(JSON.stringify(events.g)).to.contain('5491155550013').and.contain('hello group').and.contain(group.jid);

    // a reaction to Bea's group message names Bea as its author (issue 16, item 6)
    const res = await t.request('POST', `/v1/instances/${inst.id}/messages`, { token: owner.token, json: { to: group.jid, reaction: { emoji: '❤️', message_id: inGroup } } });
    expect(res.status, res.text).to.equal(201);
    const seen = await eventually(async () => double.messaging.inbox(bea).find((m) => m.id === res.body.wa_message_id));
    expect(seen.to).to.equal(group.jid);
    expect(seen.message.reactionMessage?.key).to.include({ id: inGroup, fromMe: false, remoteJid: group.jid });
    expect(seen.message.reactionMessage?.key?.participant).to.be.oneOf([bea.jid, bea.lidJid]);
    expect(double.messaging.failures).to.deep.equal([]);
  });

  it('reads a poll vote as its option names (issue 16, item 8)', async () => {
    const res = await t.request('POST', `/v1/instances/${inst.id}/messages`, { token: owner.token, json: { to: '5491155550011', poll: { name: 'Dessert?', options: ['Flan', 'Helado'], selectable_count: 1 } } });
    expect(res.status, res.text).to.equal(201);
    const poll = await eventually(async () => double.messaging.inbox(ana).find((m) => m.id === res.body.wa_message_id));
    const secret = poll.message.messageContextInfo?.messageSecret;
    expect(secret, 'the poll carries its secret').to.have.length(32);
    // Ana's phone votes as WhatsApp does: the option's hash, encrypted under the poll's secret
    const pollKey = { remoteJid: bot.jid, fromMe: false, id: poll.id };
    const vote = encryptPollVote({ pollKey, secret: secret!, creatorJid: bot.jid, voterJid: ana.jid, options: ['Helado'] });
    const voteId = await double.messaging.send(ana, bot, { pollUpdateMessage: { pollCreationMessageKey: pollKey, vote, senderTimestampMs: Date.now() } });
    const event = await eventually(async () => receiver.requests.map((r) => JSON.parse(r.body)).find((b) => b.type === 'message.received' && JSON.stringify(b).includes(voteId)));
    expect(JSON.stringify(event)).to.contain('Helado').and.not.contain('Flan');
    expect(JSON.stringify(event)).to.contain(poll.id);
  });
});
