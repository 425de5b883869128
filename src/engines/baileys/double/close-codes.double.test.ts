/**
 * Every way WhatsApp ends a stream, through the real Baileys socket: the
 * status tucan shows, whether it reconnects, and that nothing is left over
 * (sockets on either side, timers in tucan's process).
 */
import { expect } from 'chai';
import { createHook } from 'node:async_hooks';
import { startWaDouble, type WaDouble } from '../../../test-support/wa-double/double.js';
import type { CloseCode } from '../../../test-support/wa-double/faults.js';
import { linkByQr, waitForStatus, type LinkedInstance } from '../../../test-support/wa-double/tucan-link.js';
import type { Account } from '../../../test-support/wa-double/world.js';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';
import { eventually } from '../../../test-support/webhook-receiver.js';

/** The first frame of a stack outside Node's timer internals. */
function creationSite(stack: string): string {
  const frames = stack.split('\n').slice(1).map((line) => line.trim());
  const own = frames.filter((f) => !/node:internal|node:timers|async_hooks|AsyncHook|creationSite|\(native\)|new Promise/.test(f));
  return own.slice(0, 4).join(' < ');
}

function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

describe('WhatsApp double: every close code, through the real Baileys socket', function () {
  this.timeout(90_000);
  let double: WaDouble;
  let t: TestServer;
  let owner: { token: string };
  let n = 0;

  before(async () => {
    double = await startWaDouble();
    t = await startTestServer({ config: { baileys: { webSocketUrl: double.url, reconnectBaseMs: 20, reconnectMaxMs: 200, keepAliveMs: 300 } } });
    owner = await t.owner();
  });
  after(async () => {
    await t?.close({ cleanup: true });
    await double?.close();
  });

  async function linked(): Promise<{ phone: Account; inst: LinkedInstance }> {
    const phone = double.addPhone(`54911556${String(++n).padStart(5, '0')}`);
    return { phone, inst: await linkByQr(t, double, phone, owner.token) };
  }

  it('reconnects by itself after 408, 428, 500, 503, 515, a TCP drop mid-frame and a silent server, leaving no socket or timer behind', async () => {
    const { phone, inst } = await linked();
    const stream = () => double.streams(phone)[0];
    // settle, then count what one connected instance holds
    await new Promise((r) => setTimeout(r, 300));
    const before = resources();
    // every timer created from here on, by where it was created, while it is alive
    const alive = new Map<number, string>();
    const hook = createHook({
      init(id, type) {
        if (type === 'Timeout') alive.set(id, creationSite(new Error().stack ?? ''));
      },
      destroy(id) {
        alive.delete(id);
      },
    });
    hook.enable();

    const faults: Array<[string, () => number]> = [
      ...([408, 428, 500, 503, 515] as CloseCode[]).map((code): [string, () => number] => [String(code), () => double.faults.closeWith(phone, code)]),
      ['TCP drop mid-frame', () => double.faults.dropMidFrame(phone)],
      ['silence (keep-alive)', () => double.faults.silence(phone)],
    ];
    for (const [name, fault] of faults) {
      const old = stream();
      expect(fault(), name).to.equal(1);
      await eventually(async () => (stream() && stream() !== old ? true : undefined), 20_000).catch(() => {
        throw new Error(`no new stream after ${name}`);
      });
      await waitForStatus(t, inst.id, owner.token, 'connected');
      expect(double.streams(phone), name).to.have.length(1);
    }

    await new Promise((r) => setTimeout(r, 300));
    const after = resources();
    hook.disable();
    const bySite = new Map<string, number>();
    for (const site of alive.values()) bySite.set(site, (bySite.get(site) ?? 0) + 1);
    // Baileys' own query timeouts (pings in flight when a stream died) end by themselves within
    // defaultQueryTimeoutMs; anything else alive more than twice would be piling up with each reconnect
    // only the Baileys socket's and the engine's own timers: other tests' leftovers are not this test's subject
    const piling = [...bySite].filter(([site, count]) => count > 2 && /baileys/i.test(site) && !/promiseTimeout|waitForMessage/.test(site));
    expect(piling, 'timers piling up by creation site').to.deep.equal([]);
    // one socket to the double, as before; timers did not pile up with each reconnect
    expect(after.TCPSocketWrap ?? 0).to.equal(before.TCPSocketWrap ?? 0);
    expect(double.linking.refusedLogins).to.deep.equal([]);
  });

  const terminal: Array<[CloseCode, string, RegExp]> = [
    [403, 'failed', /refused this number/],
    [440, 'failed', /another WhatsApp Web session/],
    [411, 'logged_out', /link the device again/],
  ];
  for (const [code, status, reason] of terminal) {
    it(`stops at ${code} with status ${status} and a reason an owner can act on`, async () => {
      const { phone, inst } = await linked();
      expect(double.faults.closeWith(phone, code)).to.equal(1);
      const body = await waitForStatus(t, inst.id, owner.token, status);
      expect(String(body.reason)).to.match(reason);
      await new Promise((r) => setTimeout(r, 400));
      expect(double.streams(phone), 'no reconnect').to.have.length(0);
    });
  }
});
