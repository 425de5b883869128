import { expect } from 'chai';
import { startHarness, type Harness } from '../../test-support/outbox-harness.js';
import type { TextVariator } from '../ports.js';

/** Test double: reverses the order of words, picking how many to move with the given random source. */
const variator: TextVariator = {
  vary(text, options, random) {
    if (!options.shuffleSentences) return text;
    const words = text.split(' ');
    const n = 1 + Math.floor(random() * (words.length - 1));
    return [...words.slice(n), ...words.slice(0, n)].join(' ');
  },
};

describe('bulk send jobs', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('personalises each copy, persists all of them, and completes the job', async () => {
    h = await startHarness();
    const instance = await h.instance();
    await h.connect(instance._id);
    const missing = await h.module.jobs
      .create(instance, {
        recipients: ['573001234567', { to: '+57 300 123 4568', name: 'Ana', variables: { city: 'La Paz' } }],
        content: { type: 'text', text: 'Hi [name], greetings from [city]!' },
        delay_ms: 0,
      })
      .catch((e) => e);
    expect(missing.errors, 'a recipient without [city] is refused').to.deep.equal([{ field: 'body.recipients.0.variables.city', message: 'is used as [city] in the content but missing for this recipient' }]);

    const created = await h.module.jobs.create(instance, {
      recipients: [{ to: '573001234567', variables: { city: 'Cali' } }, { to: '+57 300 123 4568', name: 'Ana', variables: { city: 'La Paz' } }, '573001234568'],
      content: { type: 'text', text: 'Hi [name], greetings from [city] to [phone]!' },
      delay_ms: 0,
    });
    expect(created.job.total, 'duplicates are sent once').to.equal(2);
    expect(created.warnings.join(' ')).to.match(/1 duplicate/).and.match(/bans accounts/);
    await h.until(async () => (await h.module.jobs.get(instance, created.job._id, 1, 10)).job.status === 'completed', 'job completion', 10_000);
    const { counts, results } = await h.module.jobs.get(instance, created.job._id, 1, 10);
    expect(counts).to.deep.equal({ total: 2, sent: 2, failed: 0, cancelled: 0, pending: 0 });
    expect(results.map((r) => r.text)).to.deep.equal(['Hi, greetings from Cali to 573001234567!', 'Hi Ana, greetings from La Paz to 573001234568!']);
    const texts = (await h.record.listSent(instance._id)).map((s) => s.content.text).sort();
    expect(texts).to.deep.equal(['Hi Ana, greetings from La Paz to 573001234568!', 'Hi, greetings from Cali to 573001234567!']);
  });

  it('names every bad recipient and queues nothing', async () => {
    h = await startHarness();
    const instance = await h.instance();
    const err = await h.module.jobs.create(instance, { recipients: ['573001234567', '12', { to: 'nope@example.com' }], content: { type: 'text', text: 'x' }, delay_ms: 0 }).catch((e) => e);
    expect(err.status).to.equal(400);
    expect(err.errors.map((e: { field: string }) => e.field)).to.deep.equal(['body.recipients.1', 'body.recipients.2.to']);
    expect(await h.module.outboxRepo.count({ instance_id: instance._id })).to.equal(0);
  });

  it('varies copies deterministically per recipient under a seed', async () => {
    h = await startHarness({ ports: { variator } });
    const instance = await h.instance();
    const recipients = ['573001234567', '573001234568', '573001234569', '573001234570'];
    const content = { type: 'text' as const, text: 'one two three four five six seven' };
    const run = async () => {
      const { job } = await h.module.jobs.create(instance, { recipients, content, delay_ms: 0, ai_modifications: { shuffleSentences: true }, variation_seed: 42, schedule_at: new Date(Date.now() + 3600_000).toISOString() });
      return (await h.module.jobs.get(instance, job._id, 1, 10)).results.map((r) => r.text);
    };
    const first = await run();
    expect(await run()).to.deep.equal(first);
    expect(new Set(first).size, 'copies differ between recipients').to.be.greaterThan(1);
  });

  it('spaces copies by delay_ms and cancels what is not sent yet', async () => {
    h = await startHarness();
    const instance = await h.instance();
    const start = new Date(Date.now() + 3600_000);
    const { job } = await h.module.jobs.create(instance, { recipients: ['573001234567', '573001234568', '573001234569'], content: { type: 'text', text: 'x' }, delay_ms: 5000, schedule_at: start.toISOString() });
    const { results } = await h.module.jobs.get(instance, job._id, 1, 10);
    expect(results.map((r) => r.dispatch_at! - start.getTime())).to.deep.equal([0, 5000, 10_000]);
    expect(results.every((r) => r.status === 'scheduled')).to.equal(true);
    const cancelled = await h.module.jobs.cancel(instance, job._id);
    expect(cancelled.job.status).to.equal('cancelled');
    expect(cancelled.counts).to.deep.equal({ total: 3, sent: 0, failed: 0, cancelled: 3, pending: 0 });
  });

  it('refuses aiModifications when no variator is available, naming the reason', async () => {
    h = await startHarness();
    const instance = await h.instance();
    const err = await h.module.jobs.create(instance, { recipients: ['573001234567'], content: { type: 'text', text: 'x' }, delay_ms: 0, ai_modifications: { useSynonyms: true } }).catch((e) => e);
    expect(err.status).to.equal(503);
    expect(err.message).to.match(/aiModifications/);
  });

  it('cancels, at start-up, a job whose creation was interrupted', async () => {
    h = await startHarness();
    const instance = await h.instance();
    const { job } = await h.module.jobs.create(instance, { recipients: ['573001234567'], content: { type: 'text', text: 'x' }, delay_ms: 0, schedule_at: new Date(Date.now() + 3600_000).toISOString() });
    // as if the process died between storing the copies and marking the job running
    await h.store.collection('jobs').updateOne({ _id: job._id }, { $set: { status: 'creating' } });
    const dir = h.dir;
    await h.close();
    h = await startHarness({ dir });
    const after = await h.module.jobs.get(instance, job._id, 1, 10);
    expect(after.job.status).to.equal('cancelled');
    expect(after.results[0]).to.include({ status: 'cancelled' });
  });
});
