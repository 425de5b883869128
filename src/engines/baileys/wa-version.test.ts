import { expect } from 'chai';
import type { WAVersion } from '@whiskeysockets/baileys';
import { waVersionSource, type FetchVersion } from './wa-version.js';

const CONFIGURED: WAVersion = [2, 3000, 1];
const CURRENT: WAVersion = [2, 3000, 1099999999];

describe('WhatsApp Web version per connect', () => {
  it('uses the version web.whatsapp.com announces, and asks again only once it is stale', async () => {
    let now = 0;
    let asked = 0;
    const fetcher: FetchVersion = async () => (asked++, CURRENT);
    const source = waVersionSource({ configured: CONFIGURED, fetch: true, fetcher, clock: () => now, freshMs: 1000 });
    const [a, b] = await Promise.all([source(), source()]);
    expect(a).to.deep.equal({ version: CURRENT, source: 'fetched' });
    expect(b).to.deep.equal(a);
    expect(await source()).to.deep.equal(a);
    expect(asked, 'one request for concurrent and fresh calls').to.equal(1);
    now = 1500;
    await source();
    expect(asked).to.equal(2);
  });

  it('falls back to baileys.waVersion when the page fails, has no version, or is too slow', async () => {
    const failing: FetchVersion = async () => {
      throw new Error('getaddrinfo ENOTFOUND web.whatsapp.com');
    };
    expect(await waVersionSource({ configured: CONFIGURED, fetch: true, fetcher: failing })()).to.deep.equal({ version: CONFIGURED, source: 'configured' });
    expect(await waVersionSource({ configured: CONFIGURED, fetch: true, fetcher: async () => null })()).to.deep.equal({ version: CONFIGURED, source: 'configured' });
    const hanging: FetchVersion = (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    const started = Date.now();
    expect(await waVersionSource({ configured: CONFIGURED, fetch: true, fetcher: hanging, timeoutMs: 50 })()).to.deep.equal({ version: CONFIGURED, source: 'configured' });
    expect(Date.now() - started).to.be.below(2000);
  });

  it('never asks when fetching is off', async () => {
    let asked = 0;
    const source = waVersionSource({ configured: CONFIGURED, fetch: false, fetcher: async () => (asked++, CURRENT) });
    expect(await source()).to.deep.equal({ version: CONFIGURED, source: 'configured' });
    expect(asked).to.equal(0);
  });
});
