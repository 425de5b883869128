import { expect } from 'chai';
import { parseScheduleAt } from './schedule-at.js';

const NOW = Date.parse('2025-05-16T10:00:00.400Z');

describe('schedule_at', () => {
  it('takes ISO 8601 instants with Z or a numeric offset', () => {
    expect(parseScheduleAt('2025-05-16T10:00:00Z', NOW)).to.deep.equal({ ok: true, at: Date.parse('2025-05-16T10:00:00Z') });
    expect(parseScheduleAt('2025-05-16T08:30:00-04:00', NOW)).to.deep.equal({ ok: true, at: Date.parse('2025-05-16T12:30:00Z') });
    expect(parseScheduleAt('2025-05-16T16:00+0530', NOW)).to.deep.equal({ ok: true, at: Date.parse('2025-05-16T10:30:00Z') });
    expect(parseScheduleAt('2025-05-17T10:00:00.250+01:00', NOW)).to.deep.equal({ ok: true, at: Date.parse('2025-05-17T09:00:00.250Z') });
  });

  it('accepts the current second but not the past', () => {
    expect(parseScheduleAt('2025-05-16T10:00:00Z', NOW).ok).to.equal(true);
    const past = parseScheduleAt('2025-05-16T09:59:59Z', NOW);
    expect(past.ok).to.equal(false);
    expect(!past.ok && past.reason).to.match(/^is in the past/);
  });

  it('refuses a time without offset, nonsense and impossible dates, and far futures', () => {
    const reason = (s: string) => {
      const r = parseScheduleAt(s, NOW);
      return r.ok ? null : r.reason;
    };
    expect(reason('2025-05-16T12:00:00')).to.match(/needs a UTC offset/);
    expect(reason('2025-05-16')).to.match(/needs a UTC offset/);
    expect(reason('tomorrow at noon')).to.match(/ISO 8601/);
    expect(reason('2025-02-30T10:00:00Z')).to.equal('is not a valid date-time');
    expect(reason('2025-05-16T24:00:00Z')).to.equal('is not a valid date-time');
    expect(reason('2027-05-16T10:00:00Z')).to.match(/more than a year/);
  });
});
