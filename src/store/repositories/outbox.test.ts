import { expect } from 'chai';
import { newOutboxDoc } from '../../services/outbox/outbox-service.js';
import { onEveryBackend } from '../../test-support/store-backends.js';
import { applyLease, OUTBOX_LEASE } from '../lease.js';
import type { Store } from '../port.js';
import { claimInPlace, OutboxRepo, type OutboxMessageDoc } from './outbox.js';

const INSTANCE = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const LEASE = 30_000;

function reply(now: number, text: string): OutboxMessageDoc {
  return newOutboxDoc({ instanceId: INSTANCE, recipient: { jid: '573001234567@s.whatsapp.net', phone: '573001234567' }, content: { type: 'text', text }, quoted: null, source: 'bot', now });
}

describe('claimInPlace', () => {
  it('sets the fields of OUTBOX_LEASE, as applyLease would, and counts the attempt', () => {
    const lease = { token: 'token', until: 5000 };
    const byName = claimInPlace(reply(1000, 'a'), lease, 2000);
    const byLease = applyLease(reply(1000, 'a'), OUTBOX_LEASE, lease);
    expect(byName).to.deep.include({ status: byLease.status, claim_id: byLease.claim_id, dispatch_at: byLease.dispatch_at, updated_at: 2000, attempts: 1 });
  });
});

onEveryBackend('outbox-repo', (label, open) => {
  describe(`outbox repository: messages stored already claimed (${label})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let repo: OutboxRepo;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
      repo = new OutboxRepo(store);
      await repo.init();
    });
    afterEach(async () => cleanup());

    it('stores the same fields a claim writes', async () => {
      const claimedLater = reply(1000, 'queued, then claimed');
      await repo.insert(claimedLater);
      const [claimed] = await repo.claim(INSTANCE, 2000, LEASE, 10);
      const adopted = claimInPlace(reply(1000, 'stored claimed'), { token: 'token', until: 2000 + LEASE }, 2000);
      await repo.insert(adopted);
      const pick = (d: OutboxMessageDoc | null) => d && { status: d.status, dispatch_at: d.dispatch_at, attempts: d.attempts, updated_at: d.updated_at, has_claim: typeof d.claim_id === 'string' };
      expect(pick(await repo.byId(INSTANCE, adopted._id))).to.deep.equal(pick(await repo.byId(INSTANCE, claimedLater._id)));
      expect(claimed.due, 'the place it waited at').to.equal(1000);
      expect(claimed.doc).to.deep.equal(await repo.byId(INSTANCE, claimedLater._id));
    });

    it('is found again through its lease: nextDue names the expiry, the claim takes it only then, under a new token', async () => {
      const doc = claimInPlace(reply(1000, 'orphan'), { token: 'dead-process', until: 1000 + LEASE }, 1000);
      await repo.insert(doc);
      expect(await repo.nextDue(INSTANCE)).to.equal(1000 + LEASE);
      expect(await repo.claim(INSTANCE, 1000 + LEASE - 1, LEASE, 10), 'lease still running').to.deep.equal([]);
      const [again] = await repo.claim(INSTANCE, 1000 + LEASE, LEASE, 10);
      expect(again.doc).to.include({ _id: doc._id, status: 'sending', attempts: 2, wa_message_id: doc.wa_message_id });
      expect(again.doc.claim_id).to.not.equal('dead-process');
      expect(await repo.markSentMany([doc._id], 'dead-process', 'sent', 1000 + LEASE + 1), 'the dead token is fenced off').to.equal(0);
      expect(await repo.markSentMany([doc._id], again.doc.claim_id!, 'delivered', 1000 + LEASE + 1, false)).to.equal(1);
      const sent = await repo.byId(INSTANCE, doc._id);
      expect(sent).to.include({ status: 'delivered', sent_at: 1000 + LEASE + 1, delivered_at: 1000 + LEASE + 1 });
      expect(sent!.dispatch_at).to.equal(undefined);
    });

    it('is made due at once by the start-up lease recovery of a single-process store', async () => {
      const doc = claimInPlace(reply(1000, 'orphan'), { token: 'dead-process', until: 1000 + LEASE }, 1000);
      await repo.insert(doc);
      expect((await repo.expireLeases(INSTANCE, 2000)).modified).to.equal(1);
      const [again] = await repo.claim(INSTANCE, 2000, LEASE, 10);
      expect(again.doc).to.include({ _id: doc._id, attempts: 2 });
    });
  });
});
