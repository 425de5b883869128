import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { SqliteStore } from '../../store/embedded/sqlite-store.js';
import { IdempotencyRepo } from '../../store/repositories/idempotency.js';
import type { Principal } from '../principal.js';
import { fingerprint, IdempotencyService, LOCK_MS } from './idempotency.js';

const owner: Principal = { kind: 'owner', ownerId: 'o1', sessionId: 's1' };

describe('idempotency keys', () => {
  let store: SqliteStore;
  let dir: string;
  let now: number;
  let service: IdempotencyService;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-idem-'));
    store = new SqliteStore(path.join(dir, 'db'));
    const repo = new IdempotencyRepo(store);
    await repo.init();
    now = 1_000_000;
    service = new IdempotencyService(repo, () => now);
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const call = (body: unknown, key = 'k1') => ({ key, principal: owner, method: 'POST', path: '/v1/instances/x/messages', body });

  it('fingerprints the request independently of key order, and with its files', () => {
    expect(fingerprint(call({ a: 1, b: { c: 2, d: 3 } }))).to.equal(fingerprint(call({ b: { d: 3, c: 2 }, a: 1 })));
    const file = { field: 'file', filename: 'a.pdf', mimetype: 'application/pdf', size: 3, data: Buffer.from('abc') };
    expect(fingerprint({ ...call({}), files: [file] })).to.not.equal(fingerprint({ ...call({}), files: [{ ...file, data: Buffer.from('abd') }] }));
  });

  it('answers a retry after a crash from the resource the first attempt created', async () => {
    // what a process killed mid-request leaves: the reservation in flight, its message already stored
    const created = new Set(['msg-from-first-attempt']);
    await new IdempotencyRepo(store).reserve({
      _id: 'r1', scope: 'owner:o1', key: 'k2', fingerprint: fingerprint(call({ text: 'x' }, 'k2')), state: 'in_flight',
      resource_id: 'msg-from-first-attempt', response: null, locked_until: now + LOCK_MS, created_at: now, expires_at: now + 86_400_000,
    });
    let executions = 0;
    const execute = async () => {
      executions++;
      return { status: 201, body: { id: 'second' } };
    };
    const recover = async (resourceId: string) => (created.has(resourceId) ? { status: 201, body: { id: resourceId } } : null);

    const busy = await service.run(call({ text: 'x' }, 'k2'), execute, recover).catch((e) => e);
    expect(busy.status, 'still locked: the first attempt may be running').to.equal(409);
    now += LOCK_MS + 1;
    expect(await service.run(call({ text: 'x' }, 'k2'), execute, recover)).to.deep.equal({ response: { status: 201, body: { id: 'msg-from-first-attempt' } }, replayed: true });
    expect((await service.run(call({ text: 'x' }, 'k2'), execute, recover)).replayed).to.equal(true);
    expect(executions, 'never run a second time').to.equal(0);
  });

  it('runs an abandoned request again when it created nothing, and refuses malformed keys', async () => {
    const repo = new IdempotencyRepo(store);
    await repo.reserve({ _id: 'r1', scope: 'owner:o1', key: 'k3', fingerprint: fingerprint(call({ text: 'y' }, 'k3')), state: 'in_flight', resource_id: 'gone', response: null, locked_until: now - 1, created_at: now, expires_at: now + 86_400_000 });
    const result = await service.run(call({ text: 'y' }, 'k3'), async (id) => ({ status: 201, body: { id } }), async () => null);
    expect(result).to.deep.equal({ response: { status: 201, body: { id: 'gone' } }, replayed: false });
    const bad = await service.run(call({}, 'has space'), async () => ({ status: 201, body: {} }), async () => null).catch((e) => e);
    expect(bad.errors).to.deep.equal([{ field: 'headers.idempotency-key', message: 'must be 1–255 visible ASCII characters' }]);
  });
});
