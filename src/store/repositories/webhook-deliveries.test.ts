import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { SqliteStore } from '../embedded/sqlite-store.js';
import { newId } from '../port.js';
import { newDelivery, WebhookDeliveriesRepo, type WebhookDeliveryDoc } from './webhook-deliveries.js';

function delivery(now: number, fields: Partial<WebhookDeliveryDoc> = {}): WebhookDeliveryDoc {
  const base = newDelivery({ instance_id: newId(), subscription_id: 'aaaaaaaaaaaaaaaaaaaaaaaa', event_id: newId(), event_type: 'message.status' }, now);
  return { ...base, ...fields };
}

const attempt = { n: 1, at: 0, status_code: 204, latency_ms: 1, error: null, next_retry_at: null, response: null };

describe('webhook deliveries repository (claims, leases, fencing)', () => {
  let dir: string;
  let store: SqliteStore;
  let repo: WebhookDeliveriesRepo;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-deliveries-'));
    store = new SqliteStore(path.join(dir, 'db.sqlite'));
    repo = new WebhookDeliveriesRepo(store);
    await repo.init();
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('claims a due delivery once; a second claim fails while the lease holds', async () => {
    const d = delivery(1000);
    await repo.insertMany([d]);
    expect(await repo.claim(d._id, 'a', 999, 5000), 'not yet due').to.equal(null);
    const first = await repo.claim(d._id, 'a', 1000, 5000);
    expect(first).to.deep.include({ status: 'processing', lock_token: 'a', run_at: 6000 });
    expect(await repo.claim(d._id, 'b', 2000, 5000), 'lease still held').to.equal(null);
  });

  it('lets a newer claim take over an expired lease and fences off the old worker', async () => {
    const d = delivery(1000);
    await repo.insertMany([d]);
    await repo.claim(d._id, 'old', 1000, 5000);
    expect((await repo.expired(7000, 10)).map((x) => x._id)).to.deep.equal([d._id]);
    const taken = await repo.claim(d._id, 'new', 7000, 5000);
    expect(taken?.lock_token).to.equal('new');
    // the first worker finally answers: its outcome is discarded
    expect(await repo.finish(d._id, 'old', { status: 'dead' }, attempt, 7100)).to.equal(false);
    expect(await repo.renew(d._id, 'old', 7100, 5000)).to.equal(null);
    expect(await repo.finish(d._id, 'new', { status: 'delivered', delivered_at: 7200 }, attempt, 7200)).to.equal(true);
    const stored = await repo.byId(d._id);
    expect(stored).to.deep.include({ status: 'delivered', lock_token: null, round_attempts: 1 });
    expect(stored!.attempts).to.have.length(1);
  });

  it('finds due deliveries oldest first, leaving out busy subscriptions', async () => {
    const busy = 'bbbbbbbbbbbbbbbbbbbbbbbb';
    const a = delivery(300);
    const b = delivery(100, { subscription_id: busy });
    const c = delivery(200);
    const later = delivery(9000);
    await repo.insertMany([a, b, c, later]);
    expect((await repo.due(1000, [], 10)).map((x) => x._id)).to.deep.equal([b._id, c._id, a._id]);
    expect((await repo.due(1000, [busy], 10)).map((x) => x._id)).to.deep.equal([c._id, a._id]);
  });

  it('releases every open claim at start-up of the single-process store', async () => {
    const d = delivery(1000, { status: 'processing', lock_token: 'dead-process', run_at: 99_000 });
    await repo.insertMany([d]);
    expect(await repo.releaseAll(2000)).to.equal(1);
    expect(await repo.byId(d._id)).to.deep.include({ status: 'pending', run_at: 2000, lock_token: null });
  });

  it('pauses and resumes a subscription, and dead-letters what waited past retention', async () => {
    const d = delivery(1000);
    const old = delivery(10, { status: 'delivered' });
    await repo.insertMany([d, old]);
    await repo.pauseSubscription(d.subscription_id, 1100);
    expect((await repo.byId(d._id))!.status).to.equal('paused');
    await repo.resumeSubscription(d.subscription_id, 1200);
    expect(await repo.byId(d._id)).to.deep.include({ status: 'pending', run_at: 1200 });
    const result = await repo.expire(5000, 6000);
    expect(result).to.deep.equal({ deadLettered: 1, removed: 1 });
    expect(await repo.byId(d._id)).to.deep.include({ status: 'dead' });
    expect(await repo.byId(old._id)).to.equal(null);
  });
});
