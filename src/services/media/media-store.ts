/**
 * The media store, written once on the persistence port so it runs on the
 * embedded store and on MongoDB alike (GridFS-like):
 *
 * - `media`: one metadata document per file (instance, type, mimetype, size,
 *   SHA-256, name, expiry);
 * - `media_chunks`: the bytes, in fixed-size chunks of base64 text. The port
 *   carries JSON-like documents and the embedded backend stores JSON, so
 *   base64 is the one encoding both backends keep byte-exact (a third larger
 *   than the file, acceptable for media that expires within a day). Chunks
 *   keep every document far below MongoDB's 16 MB limit and let a 16 MB
 *   video be written as many small rows instead of one huge one.
 *
 * Writes put the chunks first and the metadata last, so a file is visible
 * only once it is complete; a crash in between leaves chunks that the
 * sweeper removes by their own expiry. Reads check the chunk count, size
 * and digest, so a partial or damaged file is never handed to an engine.
 */
import { createHash } from 'node:crypto';
import type { MediaType } from '../../domain/content.js';
import { newId, type Doc, type Store } from '../../store/port.js';

export const MEDIA = 'media';
export const MEDIA_CHUNKS = 'media_chunks';

/** 512 KiB of bytes per chunk (about 683 KB of base64): a 16 MB video is 32 rows. */
export const CHUNK_BYTES = 512 * 1024;

/** Chunks outlive their metadata this long, so a read that began just before expiry can finish. */
const CHUNK_GRACE_MS = 10 * 60_000;

export interface MediaDoc extends Doc {
  instance_id: string;
  /** The message type the file was accepted for. */
  kind: MediaType;
  mimetype: string;
  size: number;
  sha256: string;
  filename: string | null;
  chunks: number;
  created_at: number;
  expires_at: number;
  /** Voice notes tucan converted to Ogg/Opus: length in seconds and the waveform's 64 bars (base64). */
  seconds?: number;
  waveform?: string;
}

interface MediaChunkDoc extends Doc {
  media_id: string;
  instance_id: string;
  n: number;
  data: string;
  expires_at: number;
}

export type NewMedia = Omit<MediaDoc, '_id' | 'sha256' | 'chunks' | 'size'>;

export class MediaStore {
  private readonly meta;
  private readonly chunks;

  constructor(private readonly store: Store) {
    this.meta = store.collection<MediaDoc>(MEDIA);
    this.chunks = store.collection<MediaChunkDoc>(MEDIA_CHUNKS);
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes(MEDIA, [{ keys: { instance_id: 1, created_at: -1 } }, { keys: { expires_at: 1 } }]);
    await this.store.ensureIndexes(MEDIA_CHUNKS, [{ keys: { media_id: 1, n: 1 }, unique: true }, { keys: { expires_at: 1 } }, { keys: { instance_id: 1 } }]);
  }

  async put(fields: NewMedia, data: Buffer): Promise<MediaDoc> {
    const _id = newId();
    const count = Math.max(1, Math.ceil(data.length / CHUNK_BYTES));
    const chunkExpiry = fields.expires_at + CHUNK_GRACE_MS;
    // insert in groups of a few chunks: one big insertMany would hold the whole file twice in memory as JSON
    for (let n = 0; n < count; n += 4) {
      const group: MediaChunkDoc[] = [];
      for (let i = n; i < Math.min(count, n + 4); i++) {
        const data64 = data.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES).toString('base64');
        group.push({ _id: newId(), media_id: _id, instance_id: fields.instance_id, n: i, data: data64, expires_at: chunkExpiry });
      }
      await this.chunks.insertMany(group);
    }
    const doc: MediaDoc = { _id, ...fields, size: data.length, sha256: sha256(data), chunks: count };
    return this.meta.insertOne(doc);
  }

  /** The metadata of a live (unexpired) file of this instance, or null. */
  describe(instanceId: string, mediaId: string, now: number): Promise<MediaDoc | null> {
    return this.meta.findOne({ _id: mediaId, instance_id: instanceId, expires_at: { $gt: now } });
  }

  /** The bytes of a file whose metadata was just read; null when they are incomplete or damaged. */
  async bytes(doc: MediaDoc): Promise<Buffer | null> {
    const rows = await this.chunks.find({ media_id: doc._id }, { sort: { n: 1 } });
    if (rows.length !== doc.chunks || rows.some((r, i) => r.n !== i)) return null;
    const data = Buffer.concat(rows.map((r) => Buffer.from(r.data, 'base64')));
    if (data.length !== doc.size || sha256(data) !== doc.sha256) return null;
    return data;
  }

  list(instanceId: string, now: number, page: { skip: number; limit: number }): Promise<MediaDoc[]> {
    return this.meta.find({ instance_id: instanceId, expires_at: { $gt: now } }, { sort: { created_at: -1 }, ...page });
  }

  count(instanceId: string, now: number): Promise<number> {
    return this.meta.countDocuments({ instance_id: instanceId, expires_at: { $gt: now } });
  }

  /**
   * Keeps a live file until at least `until` (a scheduled send or a long bulk
   * job still needs it). Never shortens; null when the file is gone.
   */
  async retain(instanceId: string, mediaId: string, until: number, now: number): Promise<MediaDoc | null> {
    const live = await this.describe(instanceId, mediaId, now);
    if (!live) return null;
    if (live.expires_at >= until) return live;
    // chunks first: were the metadata extended alone, a sweep in between could leave a file without bytes
    await this.chunks.updateMany({ media_id: mediaId, expires_at: { $lt: until + CHUNK_GRACE_MS } }, { $set: { expires_at: until + CHUNK_GRACE_MS } });
    return this.meta.findOneAndUpdate({ _id: mediaId, instance_id: instanceId, expires_at: { $gt: now } }, { $set: { expires_at: until } });
  }

  async remove(instanceId: string, mediaId: string): Promise<boolean> {
    const removed = await this.meta.deleteOne({ _id: mediaId, instance_id: instanceId });
    if (removed) await this.chunks.deleteMany({ media_id: mediaId });
    return removed === 1;
  }

  async removeInstance(instanceId: string): Promise<void> {
    await this.meta.deleteMany({ instance_id: instanceId });
    await this.chunks.deleteMany({ instance_id: instanceId });
  }

  /** Deletes expired files (metadata, then chunks past their grace). Index-driven: no scan of live media. */
  async sweep(now: number): Promise<{ files: number; chunks: number }> {
    const files = await this.meta.deleteMany({ expires_at: { $lte: now } });
    const chunks = await this.chunks.deleteMany({ expires_at: { $lte: now } });
    return { files, chunks };
  }
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
