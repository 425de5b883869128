/**
 * npm run bench:sessions -- --sessions 100 [--messages 1000] [--concurrency 16] [--json]
 *
 * N real Baileys sessions in one tucan process, linked by QR (with WhatsApp's
 * refresh) to the WhatsApp double over local WebSockets, each with its own
 * simulated contact. Prints:
 * - RSS per linked, idle session (the double runs in this process too, so the
 *   figure is an upper bound for tucan alone; heap per session beside it);
 * - the time for all N to reconnect after tucan restarts on the same data;
 * - messages/s through real Signal encryption, tucan → contacts (API sends,
 *   decrypted by the contacts) and contacts → tucan with a bot reply (each
 *   'menu' answered by a keyword rule, the reply decrypted by the contact).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startWaDouble } from '../src/test-support/wa-double/double.js';
import { linkByQr, type LinkedInstance } from '../src/test-support/wa-double/tucan-link.js';
import type { Account } from '../src/test-support/wa-double/world.js';
import { startTestServer, type TestServer } from '../src/test-support/test-server.js';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '100' },
    messages: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(values.sessions);
const M = Number(values.messages);
const CONCURRENCY = Number(values.concurrency);
const say = (line: string) => values.json || console.log(line);
const gc = (globalThis as { gc?: () => void }).gc;

function memory(): { rss: number; heap: number } {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

async function pool<T>(items: T[], work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-bench-sessions-'));
const double = await startWaDouble();
const config = { baileys: { webSocketUrl: double.url } };
let t: TestServer = await startTestServer({ dataDir, config });
const owner = await t.owner();

// one session first, so the library and its caches are loaded before the baseline
const bots: Account[] = Array.from({ length: N }, (_, i) => double.addPhone(`5917${String(i).padStart(7, "0")}`, `Bot ${i}`));
const contacts: Account[] = bots.map((_, i) => double.addPhone(`5916${String(i).padStart(7, "0")}`, `Contact ${i}`));
const instances: LinkedInstance[] = [];
instances.push(await linkByQr(t, double, bots[0]!, owner.token));
await new Promise((r) => setTimeout(r, 500));
const base = memory();

const linkStart = performance.now();
let linked = 1;
let failedLinks = 0;
const linkedBots: Account[] = [bots[0]!];
await pool(bots.slice(1), async (bot) => {
  try {
    instances.push(await linkByQr(t, double, bot, owner.token, {}, 120_000));
    linkedBots.push(bot);
    linked++;
    if (linked % 100 === 0) say(`  linked ${linked}`);
  } catch (err) {
    // a session that does not link in 2 minutes is reported, not fatal
    failedLinks++;
    say(`  a session failed to link: ${(err as Error).message}`);
  }
});
const linkSeconds = (performance.now() - linkStart) / 1000;
await new Promise((r) => setTimeout(r, 2000));
const idle = memory();
// the first session is the baseline's; the others are what N sessions add
const rssPerSession = (idle.rss - base.rss) / Math.max(1, N - 1) / 2 ** 20;
const heapPerSession = (idle.heap - base.heap) / Math.max(1, N - 1) / 2 ** 20;
say(`linked ${linked} sessions in ${linkSeconds.toFixed(1)} s (${failedLinks} failed to link); RSS ${(idle.rss / 2 ** 20).toFixed(0)} MB`);
say(`per idle linked session: RSS ${rssPerSession.toFixed(2)} MB, heap ${heapPerSession.toFixed(2)} MB (double included)`);

// restart on the same data: every session logs in again with its stored creds
await t.close({ cleanup: false });
await until(() => double.linking.online.size === 0, 30_000, 'streams closed');
const restartStart = performance.now();
t = await startTestServer({ dataDir, config });
await until(() => double.linking.online.size === linked, 600_000, 'all sessions back');
const reconnectSeconds = (performance.now() - restartStart) / 1000;
say(`all ${linked} reconnected ${reconnectSeconds.toFixed(1)} s after the restart (no new scan)`);

// tucan → contacts: API sends, decrypted by the contacts
const received = () => contacts.reduce((sum, c) => sum + double.messaging.inbox(c).length, 0);
const before = received();
const sendStart = performance.now();
await pool(
  Array.from({ length: M }, (_, i) => i),
  async (i) => {
    const k = i % linked;
    const res = await t.request('POST', `/v1/instances/${instances[k]!.id}/messages`, { token: owner.token, json: { to: contacts[k]!.phone, text: `message ${i}` } });
    if (res.status !== 201) throw new Error(`send: ${res.status} ${res.text}`);
  },
);
await until(() => received() - before >= M, 300_000, 'contacts decrypted every send');
const outRate = M / ((performance.now() - sendStart) / 1000);
say(`tucan → contacts: ${M} messages in real Signal sessions, ${outRate.toFixed(0)} msgs/s`);

// contacts → tucan, each answered by a keyword rule
await pool(instances, async (inst) => {
  const res = await t.request('POST', `/v1/instances/${inst.id}/rules`, { token: owner.token, json: { name: 'menu', keywords: ['menu'], reply: { text: 'the menu' } } });
  if (res.status !== 201) throw new Error(`rule: ${res.status} ${res.text}`);
});
const replies = () => contacts.reduce((sum, c) => sum + double.messaging.inbox(c).filter((m) => m.message.extendedTextMessage?.text === 'the menu' || m.message.conversation === 'the menu').length, 0);
const inStart = performance.now();
const inbound = Math.min(M, linked * 20);
await pool(
  Array.from({ length: inbound }, (_, i) => i),
  async (i) => {
    const k = i % linked;
    await double.messaging.send(contacts[k]!, linkedBots[k]!, { conversation: 'menu' });
  },
);
// the loop guard caps replies per chat; count what the bot chose to answer
await until(() => replies() >= Math.min(inbound, linked), 300_000, 'bot replies');
await new Promise((r) => setTimeout(r, 1000));
const answered = replies();
const inRate = inbound / ((performance.now() - inStart) / 1000);
say(`contacts → tucan: ${inbound} messages decrypted and decided, ${answered} bot replies delivered, ${inRate.toFixed(0)} msgs/s`);
say(`decryption failures on the contacts' side: ${double.messaging.failures.length}`);

if (values.json) {
  console.log(
    JSON.stringify({
      sessions: N,
      linked,
      failed_links: failedLinks,
      link_s: Number(linkSeconds.toFixed(1)),
      rss_per_session_mb: Number(rssPerSession.toFixed(2)),
      heap_per_session_mb: Number(heapPerSession.toFixed(2)),
      reconnect_all_s: Number(reconnectSeconds.toFixed(1)),
      out_msgs_per_s: Math.round(outRate),
      in_msgs_per_s: Math.round(inRate),
      replies: answered,
      failures: double.messaging.failures.length,
    }),
  );
}
await t.close({ cleanup: true });
await double.close();
process.exit(0);
