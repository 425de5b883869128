import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

describe('HTTP bulk jobs and recurring sends', () => {
  let t: TestServer;
  let token: string;
  let id: string;

  before(async () => {
    t = await startTestServer();
    ({ token } = await t.owner());
    ({ id } = await t.sandboxInstance(token));
  });
  after(async () => t.close({ cleanup: true }));

  it('runs a bulk job with per-recipient placeholders and reports progress and results', async () => {
    const res = await t.request('POST', `/v1/instances/${id}/messages/bulk`, {
      token,
      json: { recipients: ['573001234567', { to: '+57 300 123 4568', name: 'Ana' }, { to: { code: '57', phone: '3001234569' }, name: 'Luis' }], content: { text: 'Hola [name]!' }, delay_ms: 0 },
    });
    expect(res.status).to.equal(202);
    expect(res.body).to.include({ status: 'running' });
    expect(res.body.progress).to.deep.equal({ total: 3, sent: 0, failed: 0, cancelled: 0, pending: 3 });
    expect(res.body.warnings.join(' ')).to.match(/bans accounts/);
    let job = res.body;
    for (const deadline = Date.now() + 15_000; job.status !== 'completed' && Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
      job = (await t.request('GET', `/v1/instances/${id}/jobs/${res.body.id}`, { token })).body;
    }
    expect(job.status).to.equal('completed');
    expect(job.progress).to.deep.equal({ total: 3, sent: 3, failed: 0, cancelled: 0, pending: 0 });
    expect(job.results.map((r: { to: string }) => r.to)).to.deep.equal(['573001234567', '573001234568', '573001234569']);
    expect(job.results_pagination).to.include({ total: 3, pages: 1 });
    const texts = (await t.app.modules.engines.sandbox.listSent(id)).map((s) => s.content.text).sort();
    expect(texts).to.deep.equal(['Hola Ana!', 'Hola Luis!', 'Hola!']);
    const listed = await t.request('GET', `/v1/instances/${id}/jobs`, { token });
    expect(listed.body.jobs.map((j: { id: string }) => j.id)).to.include(res.body.id);
  });

  it('accepts seed 002 aiModifications and a variation seed', async () => {
    const body = { recipients: ['573001234567', '573001234568'], content: { text: 'Hello friend. Your order is ready. Thank you for shopping with us.' }, aiModifications: { useSynonyms: true, shuffleSentences: true }, variation_seed: 7, schedule_at: inAnHour() };
    const a = await t.request('POST', `/v1/instances/${id}/messages/bulk`, { token, json: body });
    const b = await t.request('POST', `/v1/instances/${id}/messages/bulk`, { token, json: body });
    expect(a.status, a.text).to.equal(202);
    expect(a.body.ai_modifications).to.deep.equal({ useSynonyms: true, shuffleSentences: true });
    const texts = async (jobId: string) => (await t.request('GET', `/v1/instances/${id}/jobs/${jobId}`, { token })).body.results.map((r: { message_id: string }) => r.message_id);
    const textOf = async (messageId: string) => (await t.request('GET', `/v1/instances/${id}/messages/${messageId}`, { token })).body.text;
    const first = await Promise.all((await texts(a.body.id)).map(textOf));
    const second = await Promise.all((await texts(b.body.id)).map(textOf));
    expect(second).to.deep.equal(first);
    await t.request('DELETE', `/v1/instances/${id}/jobs/${a.body.id}`, { token });
    await t.request('DELETE', `/v1/instances/${id}/jobs/${b.body.id}`, { token });
  });

  it('cancels what a job has not sent, and names bad recipients', async () => {
    const res = await t.request('POST', `/v1/instances/${id}/messages/bulk`, { token, json: { recipients: ['573001234567', '573001234568'], content: { text: 'x' }, schedule_at: inAnHour() } });
    const cancelled = await t.request('DELETE', `/v1/instances/${id}/jobs/${res.body.id}`, { token });
    expect(cancelled.status).to.equal(200);
    expect(cancelled.body.status).to.equal('cancelled');
    expect(cancelled.body.progress).to.include({ cancelled: 2, pending: 0 });

    const bad = await t.request('POST', `/v1/instances/${id}/messages/bulk`, { token, json: { recipients: ['573001234567', 'abc'], content: { text: 'x' } } });
    expect(bad.status).to.equal(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).to.deep.equal(['body.recipients.1']);
    const shape = await t.request('POST', `/v1/instances/${id}/messages/bulk`, { token, json: { recipients: ['573001234567'], content: { location: { lat: 1 } } } });
    expect(shape.status).to.equal(400);
    expect(shape.body.errors[0].field).to.equal('body.content.location.lng');
    expect((await t.request('GET', `/v1/instances/${id}/jobs/0123456789abcdef01234567`, { token })).status).to.equal(404);
  });

  it('creates, lists, pauses, resumes and deletes recurring sends', async () => {
    const created = await t.request('POST', `/v1/instances/${id}/recurring`, { token, json: { name: 'morning', to: '573001234567', cron: '0 9 * * mon-fri', content: { text: 'Buenos días' } } });
    expect(created.status, created.text).to.equal(201);
    expect(created.body).to.include({ name: 'morning', cron: '0 9 * * mon-fri', paused: false, runs: 0, time_zone: 'Africa/Harare' });
    expect(Date.parse(created.body.next_run_at)).to.be.greaterThan(Date.now());
    const rid = created.body.id;
    expect((await t.request('GET', `/v1/instances/${id}/recurring`, { token })).body.recurring.map((r: { id: string }) => r.id)).to.include(rid);
    const paused = await t.request('POST', `/v1/instances/${id}/recurring/${rid}/pause`, { token });
    expect(paused.body).to.include({ paused: true, next_run_at: null });
    const resumed = await t.request('POST', `/v1/instances/${id}/recurring/${rid}/resume`, { token });
    expect(resumed.body.paused).to.equal(false);
    expect(resumed.body.next_run_at).to.equal(created.body.next_run_at);
    expect((await t.request('DELETE', `/v1/instances/${id}/recurring/${rid}`, { token })).status).to.equal(204);
    expect((await t.request('GET', `/v1/instances/${id}/recurring/${rid}`, { token })).status).to.equal(404);

    const bad = await t.request('POST', `/v1/instances/${id}/recurring`, { token, json: { to: '573001234567', cron: '0 25 * * *', content: { text: 'x' } } });
    expect(bad.status).to.equal(400);
    expect(bad.body.errors[0].field).to.equal('body.cron');
  });
});
