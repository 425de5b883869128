import { expect } from 'chai';
import { checkSchedule, isActive, localTime } from './schedule.js';
import { DAYS, type ActiveDays, type ActiveHours, type Day } from './settings.js';

const ALL: ActiveDays = Object.fromEntries(DAYS.map((d) => [d, true])) as ActiveDays;
const only = (...days: Day[]): ActiveDays => Object.fromEntries(DAYS.map((d) => [d, days.includes(d)])) as ActiveDays;
const hours = (from: string, to: string): ActiveHours => ({ from, to });
const ALWAYS = hours('always', 'always');

/** UTC instant helper: 2024-05-13 is a Monday. */
const at = (iso: string) => Date.parse(iso);

describe('schedule', () => {
  const cases: [string, string, ActiveDays, ActiveHours, string, boolean][] = [
    // [name, zone, days, hours, instant, expected]
    ['always on an active day', 'UTC', ALL, ALWAYS, '2024-05-13T03:00:00Z', true],
    ['always on an inactive day', 'UTC', only('tuesday'), ALWAYS, '2024-05-13T03:00:00Z', false],
    ['inside a day window', 'UTC', ALL, hours('09:00', '17:00'), '2024-05-13T09:00:00Z', true],
    ['before a day window', 'UTC', ALL, hours('09:00', '17:00'), '2024-05-13T08:59:00Z', false],
    ['to is exclusive', 'UTC', ALL, hours('09:00', '17:00'), '2024-05-13T17:00:00Z', false],
    ['last minute of the window', 'UTC', ALL, hours('09:00', '17:00'), '2024-05-13T16:59:00Z', true],
    ['inside the window on an inactive day', 'UTC', only('tuesday'), hours('09:00', '17:00'), '2024-05-13T10:00:00Z', false],
    // windows crossing midnight belong to the day they start on
    ['late part of an overnight window', 'UTC', only('monday'), hours('22:00', '02:00'), '2024-05-13T23:30:00Z', true],
    ['early part after an active start day', 'UTC', only('monday'), hours('22:00', '02:00'), '2024-05-14T01:30:00Z', true],
    ['early part after an inactive start day', 'UTC', only('tuesday'), hours('22:00', '02:00'), '2024-05-14T01:30:00Z', false],
    ['late part on an inactive day', 'UTC', only('tuesday'), hours('22:00', '02:00'), '2024-05-13T23:30:00Z', false],
    ['overnight window end is exclusive', 'UTC', ALL, hours('22:00', '02:00'), '2024-05-14T02:00:00Z', false],
    ['between the parts of an overnight window', 'UTC', ALL, hours('22:00', '02:00'), '2024-05-14T12:00:00Z', false],
    ['sunday night window carries into monday', 'UTC', only('sunday'), hours('20:00', '06:00'), '2024-05-13T05:00:00Z', true],
    // time zones and offsets
    ['IANA zone shifts the window', 'America/La_Paz', ALL, hours('09:00', '17:00'), '2024-05-13T13:30:00Z', true],
    ['IANA zone: still night there', 'America/La_Paz', ALL, hours('09:00', '17:00'), '2024-05-13T12:30:00Z', false],
    ['IANA zone shifts the day', 'America/La_Paz', only('sunday'), ALWAYS, '2024-05-13T03:00:00Z', true],
    ["offset '+1'", '+1', ALL, hours('09:00', '10:00'), '2024-05-13T08:30:00Z', true],
    ["offset '-05:00'", '-05:00', ALL, hours('09:00', '10:00'), '2024-05-13T14:30:00Z', true],
    ["offset 'UTC+1'", 'UTC+1', ALL, hours('09:00', '10:00'), '2024-05-13T09:30:00Z', false],
    ["offset '+05:30'", '+05:30', ALL, hours('09:00', '10:00'), '2024-05-13T03:45:00Z', true],
    ['offset moves the day', '+14', only('tuesday'), ALWAYS, '2024-05-13T11:00:00Z', true],
    // daylight-saving transitions (Europe/Berlin: 2024-03-31 02:00 CET → 03:00 CEST)
    ['DST day: 09:30 CEST is inside 09:00–17:00', 'Europe/Berlin', ALL, hours('09:00', '17:00'), '2024-03-31T07:30:00Z', true],
    ['day before DST: the same UTC instant is 08:30 CET', 'Europe/Berlin', ALL, hours('09:00', '17:00'), '2024-03-30T07:30:00Z', false],
    ['DST day: 01:59 CET is before 03:00', 'Europe/Berlin', ALL, hours('03:00', '04:00'), '2024-03-31T00:59:00Z', false],
    ['DST day: the first instant after the jump is 03:00 CEST', 'Europe/Berlin', ALL, hours('03:00', '04:00'), '2024-03-31T01:00:00Z', true],
    ['fall-back day: 02:30 happens twice, both inside', 'Europe/Berlin', ALL, hours('02:00', '03:00'), '2024-10-27T00:30:00Z', true],
    ['fall-back day: second 02:30', 'Europe/Berlin', ALL, hours('02:00', '03:00'), '2024-10-27T01:30:00Z', true],
    ['US spring forward: 03:30 EDT', 'America/New_York', ALL, hours('03:00', '04:00'), '2024-03-10T07:30:00Z', true],
  ];
  for (const [name, zone, days, h, instant, expected] of cases) {
    it(name, () => {
      expect(isActive({ bot_timezone: zone, active_days: days, active_hours: h }, at(instant))).to.equal(expected);
    });
  }

  it('explains its answer', () => {
    const check = checkSchedule({ bot_timezone: 'UTC', active_days: only('monday'), active_hours: hours('22:00', '02:00') }, at('2024-05-14T01:30:00Z'));
    expect(check.reason).to.equal('tuesday 01:30 (UTC): inside active hours 22:00–02:00 that started monday');
  });

  it('gives local wall-clock time', () => {
    expect(localTime(at('2024-05-13T23:30:00Z'), 'America/La_Paz')).to.deep.equal({ day: 'monday', minutes: 19 * 60 + 30, hhmm: '19:30' });
  });
});
