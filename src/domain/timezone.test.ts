import { expect } from 'chai';
import { parseTimeZone, zoneId } from './timezone.js';

describe('domain/timezone', () => {
  const cases: [string, string | null][] = [
    ['America/La_Paz', 'America/La_Paz'],
    ['Africa/Harare', 'Africa/Harare'],
    ['UTC', '+00:00'],
    ['GMT', '+00:00'],
    ['+1', '+01:00'],
    ['-5', '-05:00'],
    ['-05:00', '-05:00'],
    ['+0530', '+05:30'],
    ['UTC+1', '+01:00'],
    ['utc-3:30', '-03:30'],
    ['GMT+14', '+14:00'],
    ['+15', null],
    ['+01:60', null],
    ['Mars/Olympus', null],
    ['America/La Paz', null],
    ['1', null],
    ['', null],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected}`, () => {
      const zone = parseTimeZone(input);
      expect(zone === null ? null : zoneId(zone)).to.equal(expected);
    });
  }
});
