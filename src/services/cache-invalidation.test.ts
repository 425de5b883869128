/**
 * invalidateAll() of the caches other nodes' changes reach (through the
 * store's change notification): what was cached is read again when next
 * asked for, a read already under way when the change came is not reused,
 * and nothing is read before it is asked for (the instances change every
 * few seconds, with the lease renewals).
 */
import { expect } from 'chai';
import { BotSettingsCache } from './bot-settings-cache.js';
import { VersionedCache } from './versioned-cache.js';
import { defaultSettings, type BotSettings } from '../domain/settings.js';
import type { InstanceDoc, InstancesRepo } from '../store/repositories/instances.js';

/** A promise with its resolve, to hold a read open. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('BotSettingsCache.invalidateAll', () => {
  const settings = (name: string): BotSettings => ({ ...defaultSettings(name) });
  let stored: BotSettings;
  let reads: number;
  let hold: ReturnType<typeof deferred<void>> | null;
  const repo = {
    byId: async (id: string) => {
      reads++;
      const now = stored;
      if (hold) await hold.promise;
      return { _id: id, settings: now } as unknown as InstanceDoc;
    },
  } as unknown as InstancesRepo;

  beforeEach(() => {
    stored = settings('one');
    reads = 0;
    hold = null;
  });

  it('reads every entry again when next asked for, and reads nothing before that', async () => {
    const cache = new BotSettingsCache(repo, () => 0);
    expect((await cache.get('i1'))!.bot_name).to.equal('one');
    expect(cache.get('i1')).to.not.be.instanceOf(Promise);
    stored = settings('two');
    for (let i = 0; i < 1000; i++) cache.invalidateAll();
    expect(reads, 'no read at invalidation').to.equal(1);
    expect((await cache.get('i1'))!.bot_name).to.equal('two');
    expect(reads).to.equal(2);
    expect((cache.get('i1') as BotSettings).bot_name).to.equal('two');
  });

  it('does not reuse or keep a read that was under way when the change came', async () => {
    const cache = new BotSettingsCache(repo, () => 0);
    hold = deferred<void>();
    const early = cache.get('i1') as Promise<BotSettings | null>;
    stored = settings('two');
    cache.invalidateAll();
    const h = hold;
    hold = null;
    const late = cache.get('i1');
    h.resolve();
    expect((await early)!.bot_name).to.equal('one');
    expect((await late)!.bot_name).to.equal('two');
    expect((cache.get('i1') as BotSettings).bot_name).to.equal('two');
  });
});

describe('VersionedCache.invalidateAll', () => {
  it('rebuilds every value when next asked for, even at the same version (the documents may have committed after the version)', async () => {
    let builds = 0;
    let content = 'a';
    const cache = new VersionedCache<string>({ version: async () => 7, build: async () => (builds++, content) }, () => 0, 2000);
    expect(await cache.get('i1')).to.equal('a');
    expect(cache.get('i1')).to.equal('a');
    content = 'b';
    cache.invalidateAll();
    expect(builds, 'nothing rebuilt before it is asked for').to.equal(1);
    expect(await cache.get('i1')).to.equal('b');
    expect(cache.get('i1')).to.equal('b');
    expect(builds).to.equal(2);
  });

  it('does not reuse a build that was under way when the change came', async () => {
    let content = 'a';
    const gate = deferred<void>();
    let first = true;
    const cache = new VersionedCache<string>(
      {
        version: async () => 1,
        build: async () => {
          const now = content;
          if (first) {
            first = false;
            await gate.promise;
          }
          return now;
        },
      },
      () => 0,
    );
    const early = cache.get('i1') as Promise<string>;
    await new Promise((r) => setImmediate(r));
    content = 'b';
    cache.invalidateAll();
    const late = cache.get('i1');
    gate.resolve();
    expect(await early).to.equal('a');
    expect(await late).to.equal('b');
    expect(cache.get('i1')).to.equal('b');
  });
});
