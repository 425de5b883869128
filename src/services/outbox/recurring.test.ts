import { expect } from 'chai';
import { defaultSettings } from '../../domain/settings.js';
import { startHarness, type Harness } from '../../test-support/outbox-harness.js';

const TO = '573001234567';
const at = (iso: string) => Date.parse(iso);

describe('recurring sends', () => {
  let h: Harness;
  let now = at('2025-05-16T12:00:30Z'); // Friday, 08:00:30 in La Paz (UTC-4)
  afterEach(async () => h?.close());

  async function setup() {
    now = at('2025-05-16T12:00:30Z');
    h = await startHarness({ clock: () => now });
    const instance = await h.instance({ settings: { ...defaultSettings(), bot_timezone: 'America/La_Paz' } });
    await h.connect(instance._id);
    return instance;
  }

  const messagesOf = (recurringId: string) => h.module.outboxRepo.coll.find({ recurring_id: recurringId }, { sort: { occurrence: 1 } });

  it("fires in the bot's time zone, once per occurrence, and collapses missed runs into one catch-up", async () => {
    const instance = await setup();
    const doc = await h.module.recurring.create(instance, { to: TO, cron: '0 9 * * mon-fri', content: { type: 'text', text: 'Good morning!' }, name: 'daily' });
    expect(doc.next_run_at).to.equal(at('2025-05-16T13:00:00Z'));

    now = at('2025-05-16T13:00:02Z');
    await h.module.scheduler.kick();
    await h.module.scheduler.kick();
    let runs = await messagesOf(doc._id);
    expect(runs).to.have.length(1);
    expect(runs[0]).to.include({ occurrence: at('2025-05-16T13:00:00Z'), source: 'recurring', text: 'Good morning!' });
    let current = await h.module.recurring.get(instance, doc._id);
    expect(current).to.include({ runs: 1, next_run_at: at('2025-05-19T13:00:00Z'), last_message_id: runs[0]._id });
    await h.until(async () => (await h.record.countSent(instance._id)) === 1, 'the first run to be sent');

    // down for a week: five runs missed, one catch-up message, then the schedule goes on
    now = at('2025-05-23T14:00:00Z');
    await h.module.scheduler.kick();
    runs = await messagesOf(doc._id);
    expect(runs.map((r) => r.occurrence)).to.deep.equal([at('2025-05-16T13:00:00Z'), at('2025-05-19T13:00:00Z')]);
    current = await h.module.recurring.get(instance, doc._id);
    expect(current.next_run_at).to.equal(at('2025-05-26T13:00:00Z'));
  });

  it('pauses, resumes from the next occurrence, and deletes', async () => {
    const instance = await setup();
    const doc = await h.module.recurring.create(instance, { to: TO, cron: '30 18 * * *', content: { type: 'text', text: 'Evening report' } });
    const paused = await h.module.recurring.setPaused(instance, doc._id, true);
    expect(paused.paused).to.equal(true);
    expect(paused.next_run_at).to.equal(undefined);
    now = at('2025-05-17T23:00:00Z');
    await h.module.scheduler.kick();
    expect(await messagesOf(doc._id)).to.have.length(0);
    const resumed = await h.module.recurring.setPaused(instance, doc._id, false);
    expect(resumed.next_run_at).to.equal(at('2025-05-18T22:30:00Z'));
    await h.module.recurring.remove(instance, doc._id);
    const gone = await h.module.recurring.get(instance, doc._id).catch((e) => e);
    expect(gone.status).to.equal(404);
  });

  it('evaluates a UTC-offset time zone', async () => {
    now = at('2025-05-16T12:00:30Z');
    h = await startHarness({ clock: () => now });
    const instance = await h.instance({ settings: { ...defaultSettings(), bot_timezone: '+05:30' } });
    const doc = await h.module.recurring.create(instance, { to: TO, cron: '0 0 9 * * *', content: { type: 'text', text: 'x' } });
    expect(doc.next_run_at).to.equal(at('2025-05-17T03:30:00Z'));
  });

  it('refuses bad cron expressions, floods, quotes and media that would have to be kept', async () => {
    const instance = await setup();
    const bad = async (input: Parameters<typeof h.module.recurring.create>[1]) => (await h.module.recurring.create(instance, input).catch((e) => e)).errors[0];
    expect(await bad({ to: TO, cron: '61 * * * *', content: { type: 'text', text: 'x' } })).to.deep.equal({ field: 'body.cron', message: '61 is a invalid expression for minute' });
    expect((await bad({ to: TO, cron: '* * * * * *', content: { type: 'text', text: 'x' } })).message).to.match(/at most once a minute/);
    expect((await bad({ to: TO, cron: '0 0 31 2 *', content: { type: 'text', text: 'x' } })).field).to.equal('body.cron');
    expect((await bad({ to: '12', cron: '0 9 * * *', content: { type: 'text', text: 'x' } })).field).to.equal('body.to');
    expect((await bad({ to: TO, cron: '0 9 * * *', content: { type: 'image', media: { base64: 'aGVsbG8=', mimetype: 'image/png' } } })).field).to.equal('body.content.image');
    expect((await bad({ to: TO, cron: '0 9 * * *', content: { type: 'text', text: 'x', reply_to: 'ABC' } })).field).to.equal('body.content.reply_to');
  });
});
