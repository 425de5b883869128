import { expect } from 'chai';
import { checkCron, nextOccurrence } from './recurrence.js';

const at = (iso: string) => Date.parse(iso);
const NY = { kind: 'iana' as const, name: 'America/New_York' };

describe('recurrence (cron in the bot time zone)', () => {
  it('keeps local wall-clock time across a DST change', () => {
    // 2025-03-09: New York moves from UTC-5 to UTC-4
    expect(nextOccurrence('0 9 * * *', NY, at('2025-03-08T15:00:00Z'))).to.equal(at('2025-03-09T13:00:00Z'));
    expect(nextOccurrence('0 9 * * *', NY, at('2025-03-07T15:00:00Z'))).to.equal(at('2025-03-08T14:00:00Z'));
  });

  it('supports seconds, names and fixed offsets', () => {
    expect(nextOccurrence('30 15 10 * * mon', { kind: 'offset', minutes: -180 }, at('2025-05-16T00:00:00Z'))).to.equal(at('2025-05-19T13:15:30Z'));
    expect(nextOccurrence('0 0 1 jan *', { kind: 'offset', minutes: 0 }, at('2025-05-16T00:00:00Z'))).to.equal(at('2026-01-01T00:00:00Z'));
  });

  it('names what is wrong with an expression', () => {
    const reason = (e: string) => {
      const r = checkCron(e, NY, at('2025-05-16T00:00:00Z'));
      return r.ok ? null : r.reason;
    };
    expect(reason('0 9 * * mon-fri')).to.equal(null);
    expect(reason('0 9 * *')).to.match(/5 or 6 fields/);
    expect(reason('0 24 * * *')).to.match(/hour/);
    expect(reason('*/30 * * * * *')).to.match(/at most once a minute/);
    expect(reason('0 0 30 2 *')).to.match(/impossible|never/);
  });
});
