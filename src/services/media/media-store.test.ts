/** The media store on every backend: the embedded one always, MongoDB when MONGODB_URI is set. */
import { expect } from 'chai';
import { seededRandom } from '../../domain/random.js';
import { newId, type Store } from '../../store/port.js';
import { onEveryBackend, type OpenBackend } from '../../test-support/store-backends.js';
import { CHUNK_BYTES, MEDIA_CHUNKS, MediaStore, type NewMedia } from './media-store.js';

function bytes(n: number, seed: number): Buffer {
  const random = seededRandom(seed);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
}

function suite(label: string, open: OpenBackend) {
  describe(`media store: ${label}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let media: MediaStore;
    const instance = newId();
    const other = newId();
    const meta = (over: Partial<NewMedia> = {}): NewMedia => ({
      instance_id: instance,
      kind: 'document',
      mimetype: 'application/octet-stream',
      filename: 'blob.bin',
      created_at: 1_000,
      expires_at: 10_000,
      ...over,
    });

    beforeEach(async () => {
      ({ store, cleanup } = await open());
      media = new MediaStore(store);
      await media.init();
    });
    afterEach(() => cleanup());

    it('stores a file in chunks and reads back the same bytes', async () => {
      const data = bytes(2 * CHUNK_BYTES + 12_345, 1);
      const doc = await media.put(meta(), data);
      expect(doc.chunks).to.equal(3);
      expect(doc.size).to.equal(data.length);
      const found = await media.describe(instance, doc._id, 5_000);
      expect(found).to.deep.equal(doc);
      expect((await media.bytes(found!))!.equals(data)).to.equal(true);
    });

    it('keeps each instance to its own files', async () => {
      const doc = await media.put(meta(), bytes(100, 2));
      expect(await media.describe(other, doc._id, 5_000)).to.equal(null);
      expect(await media.remove(other, doc._id)).to.equal(false);
      expect(await media.describe(instance, doc._id, 5_000)).to.not.equal(null);
      expect((await media.list(instance, 5_000, { skip: 0, limit: 10 })).map((d) => d._id)).to.deep.equal([doc._id]);
      expect(await media.count(other, 5_000)).to.equal(0);
    });

    it('hides expired files and sweeps them, chunks after a grace period', async () => {
      const doc = await media.put(meta({ expires_at: 10_000 }), bytes(10, 3));
      expect(await media.describe(instance, doc._id, 10_000)).to.equal(null);
      expect(await media.sweep(10_000)).to.deep.equal({ files: 1, chunks: 0 });
      expect(await store.collection(MEDIA_CHUNKS).countDocuments({ media_id: doc._id })).to.equal(1);
      expect((await media.sweep(10_000 + 11 * 60_000)).chunks).to.equal(1);
      expect(await store.collection(MEDIA_CHUNKS).countDocuments({ media_id: doc._id })).to.equal(0);
    });

    it('retains a file longer on request, never shorter, and not once it is gone', async () => {
      const doc = await media.put(meta({ expires_at: 10_000 }), bytes(CHUNK_BYTES + 1, 4));
      expect((await media.retain(instance, doc._id, 50_000, 5_000))!.expires_at).to.equal(50_000);
      expect((await media.retain(instance, doc._id, 20_000, 5_000))!.expires_at).to.equal(50_000);
      await media.sweep(40_000);
      const kept = await media.describe(instance, doc._id, 40_000);
      expect((await media.bytes(kept!))!.length).to.equal(CHUNK_BYTES + 1);
      expect(await media.retain(instance, doc._id, 90_000, 60_000)).to.equal(null);
      expect(await media.retain(other, doc._id, 90_000, 5_000)).to.equal(null);
    });

    it('refuses to return damaged or incomplete bytes', async () => {
      const doc = await media.put(meta(), bytes(CHUNK_BYTES + 10, 5));
      const chunks = store.collection<{ _id: string; media_id: string; n: number; data: string }>(MEDIA_CHUNKS);
      await chunks.updateOne({ media_id: doc._id, n: 1 }, { $set: { data: Buffer.from('tampered').toString('base64') } });
      expect(await media.bytes(doc)).to.equal(null);
      await chunks.deleteOne({ media_id: doc._id, n: 1 });
      expect(await media.bytes(doc)).to.equal(null);
    });

    it('removes one file, or everything of an instance', async () => {
      const a = await media.put(meta(), bytes(10, 6));
      const b = await media.put(meta(), bytes(10, 7));
      const c = await media.put(meta({ instance_id: other }), bytes(10, 8));
      expect(await media.remove(instance, a._id)).to.equal(true);
      expect(await media.describe(instance, a._id, 5_000)).to.equal(null);
      await media.removeInstance(instance);
      expect(await media.describe(instance, b._id, 5_000)).to.equal(null);
      expect(await media.describe(other, c._id, 5_000)).to.not.equal(null);
      expect(await store.collection(MEDIA_CHUNKS).countDocuments({ instance_id: instance })).to.equal(0);
    });
  });
}

onEveryBackend('media store', suite);
