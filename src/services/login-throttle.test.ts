import { expect } from 'chai';
import { ConcurrencyGate } from './concurrency-gate.js';
import { TooManyRequestsError } from './errors.js';
import { LoginThrottle } from './login-throttle.js';

describe('login throttle (per account)', () => {
  const MIN = 60_000;
  const options = { failures: 10, windowMs: 15 * MIN, baseLockMs: MIN, maxLockMs: 60 * MIN };

  it('locks an account after 10 failures within the window, with a wait that doubles per further failure', () => {
    const throttle = new LoginThrottle(options);
    let now = 1_000_000;
    for (let i = 0; i < 9; i++) {
      throttle.failed('owner:a', now);
      expect(throttle.waitFor('owner:a', now), `after ${i + 1}`).to.equal(0);
      now += MIN;
    }
    throttle.failed('owner:a', now);
    expect(throttle.waitFor('owner:a', now)).to.equal(MIN);
    // another account is not affected
    expect(throttle.waitFor('owner:b', now)).to.equal(0);
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      now += throttle.waitFor('owner:a', now);
      throttle.failed('owner:a', now);
      waits.push(throttle.waitFor('owner:a', now) / MIN);
    }
    expect(waits).to.deep.equal([2, 4, 8, 16, 32, 60, 60, 60]);
  });

  it('forgets failures spread wider than the window, and all of them after a success', () => {
    const throttle = new LoginThrottle(options);
    let now = 0;
    for (let i = 0; i < 30; i++) {
      throttle.failed('login:slow', now);
      now += 16 * MIN;
    }
    expect(throttle.waitFor('login:slow', now)).to.equal(0);
    for (let i = 0; i < 9; i++) throttle.failed('owner:c', now);
    throttle.succeeded('owner:c');
    for (let i = 0; i < 9; i++) throttle.failed('owner:c', now);
    expect(throttle.waitFor('owner:c', now)).to.equal(0);
    throttle.failed('owner:c', now);
    expect(throttle.waitFor('owner:c', now)).to.equal(MIN);
    // the lock lapses: a window after it ends, the account starts again from zero
    now += MIN + 15 * MIN + 1;
    throttle.failed('owner:c', now);
    expect(throttle.waitFor('owner:c', now)).to.equal(0);
  });

  it('remembers a bounded number of accounts, forgetting the oldest', () => {
    const throttle = new LoginThrottle({ ...options, failures: 1, maxEntries: 3 });
    for (const a of ['a', 'b', 'c', 'd']) throttle.failed(a, 0);
    expect(['a', 'b', 'c', 'd'].map((a) => throttle.waitFor(a, 0) > 0)).to.deep.equal([false, true, true, true]);
  });
});

describe('concurrency gate', () => {
  it('runs at most `limit` tasks, lets `queue` more wait their turn, and refuses the rest with 429', async () => {
    const gate = new ConcurrencyGate({ limit: 2, queue: 3, retryAfterSeconds: 1, what: 'logins' });
    const release: (() => void)[] = [];
    let peak = 0;
    let running = 0;
    const task = () =>
      gate.run(async () => {
        peak = Math.max(peak, ++running);
        await new Promise<void>((r) => release.push(r));
        running--;
        return 'done';
      });
    const accepted = Array.from({ length: 5 }, task);
    const refused = await task().catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(TooManyRequestsError);
    expect((refused as TooManyRequestsError).status).to.equal(429);
    expect((refused as TooManyRequestsError).headers).to.deep.equal({ 'Retry-After': '1' });
    expect(gate.load()).to.deep.equal({ running: 2, waiting: 3 });
    while (release.length > 0 || gate.load().running > 0) {
      release.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(accepted)).to.deep.equal(['done', 'done', 'done', 'done', 'done']);
    expect(peak).to.equal(2);
    expect(gate.load()).to.deep.equal({ running: 0, waiting: 0 });
  });
});
