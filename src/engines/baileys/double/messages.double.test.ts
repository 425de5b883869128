/**
 * Messages through real Signal sessions: tucan's real Baileys socket on one
 * side, simulated phones on the other, the WhatsApp double in between.
 */
import { expect } from 'chai';
import fs from 'node:fs';
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

  it('sends a text that the contact decrypts exactly', async () => {
    const res = await t.request('POST', `/v1/instances/${inst.id}/messages`, { token: owner.token, json: { to: '+54 9 11 5555-0011', text: 'hola Ana' } });
    expect(res.status, res.text).to.equal(201);
    const got = await eventually(async () => double.messaging.inbox(ana).find((m) => m.id === res.body.wa_message_id));
    expect(got.message.conversation ?? got.message.extendedTextMessage?.text).to.equal('hola Ana');
    expect(double.messaging.failures).to.deep.equal([]);
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
});
