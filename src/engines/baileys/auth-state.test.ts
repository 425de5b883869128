import { expect } from 'chai';
import { addTransactionCapability, initAuthCreds, proto, type SignalDataSet } from '@whiskeysockets/baileys';
import { LIDMappingStore } from '@whiskeysockets/baileys/lib/Signal/lid-mapping.js';
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';
import { SqliteStore } from '../../store/embedded/sqlite-store.js';
import { MongoStore } from '../../store/mongo/mongo-store.js';
import type { Store } from '../../store/port.js';
import { BaileysAuthRepo } from './auth-state.js';

const silent: ILogger = { level: 'silent', child: () => silent, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const b = (n: number, len = 32) => Buffer.alloc(len, n);

/** One value of every v7 key type, with ids that contain '.', ':' and '@'. */
function everyKeyType(): SignalDataSet {
  return {
    'pre-key': { '1': { public: b(1), private: b(2) }, '812': { public: b(3), private: b(4) } },
    session: { '111111111111111_1.0': new Uint8Array(b(5, 64)), '59171234567.0': new Uint8Array(b(6, 48)) },
    'sender-key': { '120363025111111111@g.us::222222222222222::0': new Uint8Array(b(7, 40)) },
    'sender-key-memory': { '120363025111111111@g.us': { '222222222222222:3@lid': true, '5491122334455:0@s.whatsapp.net': false } },
    'app-state-sync-key': {
      'AAAAAHxy': { keyData: b(8), fingerprint: { rawId: 7, currentIndex: 2, deviceIndexes: [0, 3] }, timestamp: 1715680800 },
    },
    'app-state-sync-version': { regular_high: { version: 42, hash: b(9, 128), indexValueMap: { 'q1w2+/e3=': { valueMac: b(10) } } } },
    'lid-mapping': { '59171234567': '111111111111111', '111111111111111_reverse': '59171234567' },
    'device-list': { '59171234567': ['0', '12'] },
    tctoken: { '111111111111111@lid': { token: b(11, 20), timestamp: '1715680800' } },
    'identity-key': { '111111111111111_1.0': new Uint8Array(b(12, 33)) },
  };
}

/** What a byte value comes back as: a Buffer, whatever view it was written from. */
function asBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(asBuffers);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asBuffers(v)]));
  return value;
}

function suite(label: string, open: () => Promise<Store>) {
  describe(`Baileys auth state in the store (${label})`, () => {
    let store: Store;
    let repo: BaileysAuthRepo;
    const instance = `inst-${process.pid}-${Date.now()}`;

    before(async () => {
      store = await open();
      repo = new BaileysAuthRepo(store);
      await repo.init();
    });
    after(async () => {
      await repo.clear(instance);
      await repo.clear(`${instance}-other`);
      await store.close();
    });

    it('round-trips creds with their Buffers, so a restart needs no new scan', async () => {
      const first = await repo.load(instance);
      expect(first.linked).to.equal(false);
      Object.assign(first.state.creds, { me: { id: '59170000001:12@s.whatsapp.net', lid: '200000000000001:12@lid', name: 'Tienda' }, account: { details: b(1, 10), accountSignatureKey: b(2), accountSignature: b(3, 64), deviceSignature: b(4, 64) } });
      await first.saveCreds();
      const again = await new BaileysAuthRepo(store).load(instance);
      expect(again.linked).to.equal(true);
      // undefined fields (pairingCode, routingInfo before login) are simply absent after the round trip
      const written = Object.fromEntries(Object.entries(first.state.creds).filter(([, v]) => v !== undefined));
      expect(again.state.creds).to.deep.equal(written);
      expect(Buffer.isBuffer(again.state.creds.noiseKey.private)).to.equal(true);
      expect(Buffer.isBuffer(again.state.creds.signedPreKey.signature)).to.equal(true);
    });

    it('stores every v7 key type as one document per (instance, type, id) and reads it back', async () => {
      const writer = await repo.load(instance);
      const data = everyKeyType();
      await writer.state.keys.set(data);
      // a fresh repository has no cache: everything comes from the store
      const reader = await new BaileysAuthRepo(store).load(instance);
      for (const [type, values] of Object.entries(data)) {
        const got = await reader.state.keys.get(type as keyof SignalDataSet, Object.keys(values!));
        if (type === 'app-state-sync-key') {
          const key = got['AAAAAHxy'] as proto.Message.AppStateSyncKeyData;
          // revived as the protobuf message, not left a plain object; compared by name, because under the
          // test loader a second copy of Baileys' proto module can be loaded, depending on which files mocha loads first
          expect(key.constructor.name).to.equal('AppStateSyncKeyData');
          expect(typeof (key as unknown as { toJSON: unknown }).toJSON).to.equal('function');
          expect(Buffer.from(key.keyData!)).to.deep.equal(b(8));
          expect(key.fingerprint?.deviceIndexes).to.deep.equal([0, 3]);
          continue;
        }
        expect(got, type).to.deep.equal(asBuffers(values));
      }
      const session = (await reader.state.keys.get('session', ['111111111111111_1.0']))['111111111111111_1.0'];
      expect(Buffer.isBuffer(session)).to.equal(true);
      expect(await repo.count(instance)).to.equal(1 + 2 + 2 + 1 + 1 + 1 + 1 + 2 + 1 + 1 + 1);
    });

    it('deletes a key when it is set to null', async () => {
      const auth = await repo.load(instance);
      await auth.state.keys.set({ 'pre-key': { '1': null } });
      expect(await auth.state.keys.get('pre-key', ['1', '812'])).to.have.keys(['812']);
      expect(await (await new BaileysAuthRepo(store).load(instance)).state.keys.get('pre-key', ['1'])).to.deep.equal({});
    });

    it('serves repeated reads (and known-absent ids) from memory', async () => {
      const auth = await repo.load(instance);
      let reads = 0;
      const original = repo.read.bind(repo);
      repo.read = async (...args) => {
        reads++;
        return original(...args);
      };
      try {
        await auth.state.keys.get('session', ['59171234567.0', 'missing.0']);
        await auth.state.keys.get('session', ['59171234567.0', 'missing.0']);
        expect(reads).to.equal(1);
        await auth.state.keys.set({ session: { 'missing.0': new Uint8Array([1]) } });
        expect(Object.keys(await auth.state.keys.get('session', ['missing.0']))).to.deep.equal(['missing.0']);
        expect(reads).to.equal(1);
      } finally {
        repo.read = original;
      }
    });

    it("works under Baileys' own transaction layer and LID mapping store", async () => {
      const auth = await repo.load(instance);
      const keys = addTransactionCapability(auth.state.keys, silent, { maxCommitRetries: 1, delayBetweenTriesMs: 1 });
      await new LIDMappingStore(keys, silent).storeLIDPNMappings([{ lid: '333333333333333@lid', pn: '59173333333@s.whatsapp.net' }]);
      // a new process (fresh caches) finds the mapping in the store, in rc14's ':0' form
      const reloaded = addTransactionCapability((await new BaileysAuthRepo(store).load(instance)).state.keys, silent, { maxCommitRetries: 1, delayBetweenTriesMs: 1 });
      expect(await new LIDMappingStore(reloaded, silent).getPNForLID('333333333333333@lid')).to.equal('59173333333:0@s.whatsapp.net');
      expect(await reloaded.get('lid-mapping', ['59173333333', '333333333333333_reverse'])).to.deep.equal({ '59173333333': '333333333333333', '333333333333333_reverse': '59173333333' });
    });

    it('clears everything of one instance on logout, and refuses late writes', async () => {
      const other = await repo.load(`${instance}-other`);
      await other.state.keys.set({ session: { 'x.0': new Uint8Array([9]) } });
      const auth = await repo.load(instance);
      await auth.clear();
      expect(await repo.count(instance)).to.equal(0);
      // a write Baileys was still making must not bring keys back
      await auth.state.keys.set({ session: { 'late.0': new Uint8Array([1]) } });
      await auth.saveCreds();
      expect(await repo.count(instance)).to.equal(0);
      expect(await repo.count(`${instance}-other`)).to.equal(1);
      // the next connect starts from fresh creds
      const fresh = await repo.load(instance);
      expect(fresh.linked).to.equal(false);
      expect(fresh.state.creds.noiseKey.public).not.to.deep.equal(initAuthCreds().noiseKey.public);
    });
  });
}

suite('embedded', async () => new SqliteStore(':memory:'));
const mongoUri = process.env.MONGODB_URI;
if (mongoUri) suite('mongodb', () => MongoStore.connect(mongoUri, `tucan_baileys_auth_${process.pid}`));
