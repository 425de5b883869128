/**
 * Instance ownership between nodes, through the store port on each backend:
 * two Ownership objects stand for two nodes, on one store and one hand-moved
 * clock, so every lease expiry is exact.
 */
import { expect } from 'chai';
import { pino } from 'pino';
import { onEveryBackend, type OpenedBackend } from '../../test-support/store-backends.js';
import { newId } from '../../store/port.js';
import { InstanceLeasesRepo } from '../../store/repositories/instance-leases.js';
import { InstancesRepo, type InstanceDoc } from '../../store/repositories/instances.js';
import { ChatStatesRepo } from '../../store/repositories/chat-states.js';
import { NodesRepo } from '../../store/repositories/nodes.js';
import { Ownership } from './ownership.js';
import { OwnedElsewhereError } from './placement.js';

const LEASE = 10_000;
const RENEW = 2_000;

onEveryBackend('cluster ownership', (label, open) => {
  describe(`instance ownership between nodes (${label})`, function () {
    this.timeout(20_000);
    let backend: OpenedBackend;
    let now: number;
    let instances: InstancesRepo;
    let leases: InstanceLeasesRepo;
    let nodes: NodesRepo;
    const events: { node: string; kind: 'acquired' | 'leaving'; ids: string[] }[] = [];

    function node(id: string): Ownership {
      const o = new Ownership({ nodeId: id, url: () => `http://${id}`, leases, nodes, kinds: ['sandbox', 'baileys'], leaseMs: LEASE, renewMs: RENEW, clock: () => now, log: pino({ level: 'silent' }) });
      o.handle({
        acquired: async (ids) => void events.push({ node: id, kind: 'acquired', ids }),
        leaving: async (ids) => void events.push({ node: id, kind: 'leaving', ids }),
      });
      return o;
    }

    async function addInstances(n: number): Promise<string[]> {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const id = newId();
        ids.push(id);
        await instances.insert({ _id: id, owner_id: 'o', name: `i${i}`, engine: 'sandbox', settings: {} as InstanceDoc['settings'], token_prefix: id, token_hash: 'h', token_rotated_at: 0, status: 'connected', status_reason: null, phone: null, wa_name: null, desired_state: 'connected', created_at: now, updated_at: now });
      }
      return ids;
    }

    beforeEach(async () => {
      backend = await open();
      now = 1_700_000_000_000;
      instances = new InstancesRepo(backend.store);
      leases = new InstanceLeasesRepo(backend.store);
      nodes = new NodesRepo(backend.store);
      await Promise.all([instances.init(), leases.init(), nodes.init()]);
      events.length = 0;
    });
    afterEach(() => backend.cleanup());

    it('gives each instance one owner; another node is told who has it', async () => {
      const [id] = await addInstances(1);
      const a = node('a');
      const b = node('b');
      await a.claim(id);
      expect(a.holds(id)).to.equal(true);
      const err = await b.claim(id).then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(OwnedElsewhereError);
      expect((err as OwnedElsewhereError).node).to.equal('a');
      expect(b.holds(id)).to.equal(false);
    });

    it('a node alone takes every instance that should be connected, and renews them', async () => {
      const ids = await addInstances(4);
      const a = node('a');
      await a.round();
      expect(a.count()).to.equal(4);
      expect(events).to.deep.equal([{ node: 'a', kind: 'acquired', ids }]);
      now += LEASE - 1;
      await a.round();
      now += LEASE - 1;
      expect(ids.every((id) => a.holds(id))).to.equal(true);
    });

    it('after a node stops renewing, another takes its instances once the lease ran out, not before; the first, waking up, has lost them', async () => {
      const ids = await addInstances(6);
      const a = node('a');
      await a.round();
      const b = node('b');
      now += 1000;
      await b.round();
      // a is alive and holds them all: b takes nothing yet (nothing is free), and a gives its surplus at its next round
      expect(b.count()).to.equal(0);

      // a freezes: it renews nothing from here
      now += LEASE - 1500;
      await b.round();
      expect(b.count(), 'lease not yet run out').to.equal(0);
      expect(ids.every((id) => a.holds(id))).to.equal(true);

      now += 600;
      // a's heartbeat is as old as its leases: b is alone now and takes them all
      expect(ids.some((id) => a.holds(id)), 'a stops counting on its leases by itself').to.equal(false);
      await b.round();
      expect(b.count()).to.equal(6);

      // a wakes up: its first round finds the leases gone and stops their engines
      await a.round();
      expect(events.filter((e) => e.node === 'a' && e.kind === 'leaving').flatMap((e) => e.ids).sort()).to.deep.equal([...ids].sort());
      expect(a.count()).to.equal(0);
      // the status write of a fenced owner does not land
      const fenced = await instances.update(ids[0], { status: 'disconnected' }, now, a.token(ids[0]));
      expect(fenced).to.equal(null);
      expect((await instances.byId(ids[0]))?.status).to.equal('connected');
    });

    it('spreads evenly when a node joins: the busy node closes and releases, the new one takes', async () => {
      const ids = await addInstances(6);
      const a = node('a');
      await a.round();
      const b = node('b');
      await b.round();
      await a.round();
      const given = events.find((e) => e.node === 'a' && e.kind === 'leaving');
      expect(given?.ids).to.have.length(3);
      expect(a.count()).to.equal(3);
      await b.round();
      expect(b.count()).to.equal(3);
      const taken = events.find((e) => e.node === 'b' && e.kind === 'acquired');
      expect([...taken!.ids].sort()).to.deep.equal([...given!.ids].sort());
      // settled: no more moves
      await a.round();
      await b.round();
      expect([a.count(), b.count()]).to.deep.equal([3, 3]);
      expect(ids.every((id) => a.holds(id) !== b.holds(id))).to.equal(true);
    });

    it("moves on only the due chats of the instances it runs (flow timeouts, takeover ends)", async () => {
      const ids = await addInstances(2);
      const a = node('a');
      await a.claim(ids[0]);
      const chats = new ChatStatesRepo(backend.store);
      await chats.init();
      for (const id of ids) await backend.store.collection('bot_chat_states').insertOne({ _id: newId(), instance_id: id, chat_jid: '591@s.whatsapp.net', due_at: now - 1000 } as never);
      expect((await chats.due(now, 10, a.runningHere())).map((d) => d.instance_id)).to.deep.equal([ids[0]]);
      expect(await chats.due(now, 10, [])).to.deep.equal([]);
      expect((await chats.due(now, 10, null)).map((d) => d.instance_id).sort()).to.deep.equal([...ids].sort());
      now += LEASE + 1;
      expect(a.runningHere(), 'a lease run out is not counted').to.deep.equal([]);
    });

    it('a node that leaves releases everything at once', async () => {
      const ids = await addInstances(3);
      const a = node('a');
      await a.round();
      await a.leave();
      const b = node('b');
      await b.round();
      expect(b.count()).to.equal(3);
      expect(ids.every((id) => b.holds(id))).to.equal(true);
      expect((await nodes.all()).map((n) => n._id)).to.deep.equal(['b']);
    });
  });
});
