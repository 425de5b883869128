import { expect } from 'chai';
import { seededRandom } from './random.js';
import { previewRenderings, scheduleNow } from './settings-preview.js';
import { checkSchedule } from './schedule.js';
import { defaultSettings } from './settings.js';

describe('settings preview', () => {
  // Tuesday 2026-12-01 14:30 UTC = 10:30 in La Paz (UTC-4)
  const tuesday = Date.UTC(2026, 11, 1, 14, 30);
  const laPaz = { ...defaultSettings('Shop'), bot_timezone: 'America/La_Paz', active_hours: { from: '09:00', to: '18:00' } };

  it('says whether the bot answers now with the schedule check decide() makes, and the local day and time', () => {
    const open = scheduleNow(laPaz, tuesday);
    expect(open).to.deep.equal({ active: true, reason: checkSchedule(laPaz, tuesday).reason, day: 'tuesday', time: '10:30', time_zone: 'America/La_Paz' });
    const tuesdayOff = { ...laPaz, active_days: { ...laPaz.active_days, tuesday: false } };
    const closed = scheduleNow(tuesdayOff, tuesday);
    expect(closed.active).to.equal(false);
    expect(closed.reason).to.equal('tuesday 10:30 (America/La_Paz): tuesday is not an active day');
    expect(scheduleNow(laPaz, Date.UTC(2026, 11, 1, 23, 0)).reason).to.equal('tuesday 19:00 (America/La_Paz): outside active hours 09:00–18:00');
  });

  it('renders a template as replies are rendered: different spintax choices, placeholders filled for the bot and a sample sender', () => {
    const sender = { name: 'Ana', phone: '59171234567', message: 'hola' };
    const out = previewRenderings('{Hi|Hello|Hey} [name], [bot_name] got “[message]”', laPaz, sender, tuesday, seededRandom(7), 3);
    expect(out).to.have.length(3);
    expect(new Set(out).size).to.equal(3);
    for (const text of out) expect(text).to.match(/^(Hi|Hello|Hey) Ana, Shop got “hola”$/);
  });

  it('repeats when the template has fewer variants than asked', () => {
    const two = previewRenderings('{a|b}', laPaz, { name: 'x', phone: '1', message: '' }, tuesday, seededRandom(1), 3);
    expect(two).to.have.length(3);
    expect([...new Set(two)].sort()).to.deep.equal(['a', 'b']);
    expect(previewRenderings('plain', laPaz, { name: 'x', phone: '1', message: '' }, tuesday, seededRandom(1), 3)).to.deep.equal(['plain', 'plain', 'plain']);
  });
});
