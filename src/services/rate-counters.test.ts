/**
 * The rate limits' counters: in memory on a store that serves one process;
 * on PostgreSQL shared by every store on the same schema (so one limit holds
 * across nodes), and falling back to memory, not failing, when the database
 * cannot answer.
 */
import { expect } from 'chai';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { createLogger } from '../logger.js';
import { onEveryBackend, openSpec, type OpenBackend } from '../test-support/store-backends.js';
import { rateCountersFor } from './rate-counters.js';

const log = createLogger({ level: 'silent', pretty: false });

/** 'ok' when the request may go on, 'limited' when it is refused. */
async function attempt(limiter: { consume(key: string): Promise<unknown> }, key: string): Promise<'ok' | 'limited'> {
  try {
    await limiter.consume(key);
    return 'ok';
  } catch (err) {
    if (err instanceof RateLimiterRes) return 'limited';
    throw err;
  }
}

onEveryBackend('rate counters', (label: string, open: OpenBackend) => {
  describe(`rate-limit counters: ${label}`, () => {
    it('counts in one place for every store on the configuration when it is a shared PostgreSQL store, else per process', async () => {
      const opened = await open();
      // another node's connection when the store is shared across processes; two processes' counters otherwise
      const shared = opened.store.capabilities.sharedAcrossProcesses;
      const other = shared ? await openSpec(opened.spec) : opened.store;
      try {
        const mine = await rateCountersFor(opened.store, log);
        const theirs = await rateCountersFor(other, log);
        const key = `203.0.113.${Date.now() % 250}`;
        const a = mine.limiter('test', 3, 60);
        const b = theirs.limiter('test', 3, 60);
        const results = [await attempt(a, key), await attempt(b, key), await attempt(a, key), await attempt(b, key), await attempt(a, key), await attempt(a, key)];
        if (mine.shared) {
          expect(opened.store.kind).to.equal('postgres');
          expect(results).to.deep.equal(['ok', 'ok', 'ok', 'limited', 'limited', 'limited']);
        } else {
          // each counts on its own: three each
          expect(results).to.deep.equal(['ok', 'ok', 'ok', 'ok', 'ok', 'limited']);
        }
        // another limit name counts apart
        expect(await attempt(mine.limiter('other', 1, 60), key)).to.equal('ok');
      } finally {
        if (shared) await other.close();
        await opened.cleanup();
      }
    });

    it('answers from memory when the database cannot be reached, instead of failing the request', async () => {
      const opened = await open();
      const counters = await rateCountersFor(opened.store, log);
      const limiter = counters.limiter('outage', 2, 60);
      await opened.cleanup(); // the store is closed: every database read fails now
      expect(await attempt(limiter, 'k')).to.equal('ok');
      expect(await attempt(limiter, 'k')).to.equal('ok');
      expect(await attempt(limiter, 'k')).to.equal('limited');
    });
  });
});
