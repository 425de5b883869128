/**
 * Media intake: turns whatever a client sent (a multipart file, base64, a URL
 * or a media id) into a stored, sniffed, size-checked file of one instance,
 * and hands engines its bytes. Engines never see a URL or a path.
 *
 * Every refusal names the request field: ValidationError (400) for a blocked
 * or unreachable URL, invalid base64 or content that does not fit the
 * message type; PayloadTooLargeError (413) past the type's size limit;
 * NotFoundError (404) for an unknown or expired media id, or one of another
 * instance (media is scoped to its instance).
 */
import { isBase64, stripDataUrl, type MediaBytes, type MediaInput, type MediaType, type StoredMedia } from '../../domain/content.js';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../errors.js';
import { UrlRejectedError, type SafeHttp } from '../net/safe-http.js';
import type { MediaCheck, MediaIntake, UploadedFile } from '../ports.js';
import { cleanFilename, decideMimetype, filenameFromUrl, INLINE_TYPES, normalizeMime } from './media-policy.js';
import type { MediaDoc, MediaStore } from './media-store.js';
import { OGG_OPUS, TranscodeError, type VoiceTranscoder } from './voice-transcoder.js';

export interface MediaIntakeOptions {
  maxBytes: Record<MediaType, number>;
  ttlSeconds: number;
  /** Bytes of recently loaded files kept in memory (a bulk send loads the same file for every copy). */
  cacheBytes?: number;
  /** Converts audio sent as a voice note to Ogg/Opus; without it only Ogg/Opus may be a voice note. */
  voice?: VoiceTranscoder;
}

interface Raw {
  data: Buffer;
  declared: string | null;
  filename: string | null;
  /** The field the bytes came from, for error messages. */
  field: string;
}

function isUpload(source: MediaInput | UploadedFile): source is UploadedFile {
  return Buffer.isBuffer((source as UploadedFile).data);
}

export class MediaIntakeService implements MediaIntake, MediaCheck {
  private readonly cache = new Map<string, { sha256: string; data: Buffer }>();
  private cachedBytes = 0;
  private readonly cacheLimit: number;

  constructor(
    private readonly media: MediaStore,
    private readonly http: SafeHttp,
    private readonly options: MediaIntakeOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.cacheLimit = options.cacheBytes ?? 64 * 1024 * 1024;
  }

  async store(instanceId: string, source: MediaInput | UploadedFile, kind: MediaType, field: string): Promise<StoredMedia> {
    if (!isUpload(source) && source.media_id !== undefined) return toStored(await this.reuse(instanceId, source.media_id, kind, field));
    return toStored(await this.accept(instanceId, source, kind, field));
  }

  /**
   * Stored audio as a voice note: Ogg/Opus is kept as it is; other audio is
   * converted and stored as a new file (with its length and waveform), which
   * is what gets sent. `pttField` names the request's ptt flag: audio that
   * cannot be converted is refused there, saying what a voice note needs.
   */
  async voiceNote(instanceId: string, stored: StoredMedia, pttField: string): Promise<StoredMedia> {
    if (stored.mimetype === OGG_OPUS) return stored;
    const voice = this.options.voice;
    const expected = 'a voice note (ptt) must be Ogg/Opus audio';
    if (!voice?.available) throw new ValidationError(pttField, `${expected}; this server cannot convert ${stored.mimetype}, so send Ogg/Opus or set ptt to false`);
    const source = await this.load(instanceId, stored.media_id);
    let note;
    try {
      note = await voice.toVoiceNote(source.data);
    } catch (err) {
      if (!(err instanceof TranscodeError)) throw err;
      throw new ValidationError(pttField, `${expected}; this ${stored.mimetype} file could not be converted (${err.message}); send Ogg/Opus or set ptt to false`);
    }
    const now = this.clock();
    const base = stored.filename?.replace(/\.[^.]*$/, '') || 'voice';
    const doc = await this.media.put(
      {
        instance_id: instanceId,
        kind: 'audio',
        mimetype: OGG_OPUS,
        filename: `${base}.ogg`,
        created_at: now,
        expires_at: now + this.options.ttlSeconds * 1000,
        seconds: note.seconds,
        waveform: Buffer.from(note.waveform).toString('base64'),
      },
      note.data,
    );
    return toStored(doc);
  }

  /** Like store, but returns the whole record (the upload endpoint shows the expiry). */
  async accept(instanceId: string, source: UploadedFile | Omit<MediaInput, 'media_id'>, kind: MediaType, field: string): Promise<MediaDoc> {
    const raw = isUpload(source) ? this.fromUpload(source, kind, field) : source.url !== undefined ? await this.fromUrl(source, kind, field) : this.fromBase64(source, kind, field);
    const decision = await this.judge(raw, kind);

    let filename = raw.filename;
    if (kind === 'document' && !filename) filename = decision.ext ? `document.${decision.ext}` : 'document';
    const now = this.clock();
    return this.media.put(
      { instance_id: instanceId, kind, mimetype: decision.mimetype, filename, created_at: now, expires_at: now + this.options.ttlSeconds * 1000 },
      raw.data,
    );
  }

  /**
   * Whether `source` could be taken for a `kind` message, without fetching or
   * storing anything: for content sent later, again and again (rule
   * replies). A media id must be a live file of this instance that fits; a
   * URL's host must pass the address policy (a host that does not resolve
   * now is accepted: the URL is checked again whenever it is fetched); base64
   * must decode to a file that fits.
   */
  async check(instanceId: string, source: MediaInput, kind: MediaType, field: string): Promise<void> {
    if (source.media_id !== undefined) {
      try {
        await this.reuse(instanceId, source.media_id, kind, field);
      } catch (err) {
        // another instance's ids are not revealed: unknown, expired and foreign look the same
        if (err instanceof NotFoundError) throw new ValidationError(`${field}.media_id`, 'no stored media of this instance with this id (it may have expired)');
        throw err;
      }
      return;
    }
    if (source.url !== undefined) {
      try {
        await this.http.screen(source.url);
      } catch (err) {
        if (err instanceof UrlRejectedError) throw new ValidationError(`${field}.url`, `cannot be used: ${err.reason}`);
        throw err;
      }
      return;
    }
    await this.judge(this.fromBase64(source, kind, field), kind);
  }

  async load(instanceId: string, mediaId: string): Promise<MediaBytes> {
    const doc = await this.describe(instanceId, mediaId);
    const cached = this.cache.get(doc._id);
    let data: Buffer | null;
    if (cached && cached.sha256 === doc.sha256) {
      data = cached.data;
      this.cache.delete(doc._id); // re-insert: most recently used last
      this.cache.set(doc._id, cached);
    } else {
      data = await this.media.bytes(doc);
      if (!data) throw new NotFoundError('media (its content is incomplete or expired)');
      this.remember(doc, data);
    }
    return {
      data,
      mimetype: doc.mimetype,
      ...(doc.filename ? { filename: doc.filename } : {}),
      ...(doc.seconds ? { seconds: doc.seconds } : {}),
      ...(doc.waveform ? { waveform: new Uint8Array(Buffer.from(doc.waveform, 'base64')) } : {}),
    };
  }

  /** A live file of this instance; 404 otherwise (another instance's ids are not revealed). */
  async describe(instanceId: string, mediaId: string, field?: string): Promise<MediaDoc> {
    const doc = /^[0-9a-f]{24}$/.test(mediaId) ? await this.media.describe(instanceId, mediaId, this.clock()) : null;
    if (!doc) throw new NotFoundError('media (unknown, expired or of another instance)', field);
    return doc;
  }

  /**
   * Keeps a file at least until `until` (epoch ms): the outbox calls it for
   * media a scheduled message or a long bulk job will send after the normal
   * expiry. Throws NotFoundError when the file is already gone.
   */
  async retain(instanceId: string, mediaId: string, until: number): Promise<void> {
    const kept = await this.media.retain(instanceId, mediaId, until, this.clock());
    if (!kept) throw new NotFoundError('media (unknown, expired or of another instance)');
  }

  async list(instanceId: string, page: number, limit: number): Promise<{ media: MediaDoc[]; total: number }> {
    const now = this.clock();
    const [media, total] = await Promise.all([this.media.list(instanceId, now, { skip: (page - 1) * limit, limit }), this.media.count(instanceId, now)]);
    return { media, total };
  }

  async remove(instanceId: string, mediaId: string): Promise<void> {
    if (!(await this.media.remove(instanceId, mediaId))) throw new NotFoundError('media');
    this.forget(mediaId);
  }

  async removeInstance(instanceId: string): Promise<void> {
    await this.media.removeInstance(instanceId);
    this.cache.clear();
    this.cachedBytes = 0;
  }

  /** The sweeper's task: delete what has expired. */
  async sweep(): Promise<{ files: number; chunks: number }> {
    const swept = await this.media.sweep(this.clock());
    if (swept.files > 0) {
      this.cache.clear();
      this.cachedBytes = 0;
    }
    return swept;
  }

  // ---- sources -------------------------------------------------------------

  private async reuse(instanceId: string, mediaId: string, kind: MediaType, field: string): Promise<MediaDoc> {
    const where = `${field}.media_id`;
    const doc = await this.describe(instanceId, mediaId, where);
    // a stored file may be reused for another message type only if it fits that type too
    if (kind !== 'document' && !INLINE_TYPES[kind].includes(doc.mimetype)) {
      throw new ValidationError(where, `the stored file is ${doc.mimetype}, which does not fit a ${kind} message`);
    }
    this.checkSize(doc.size, kind, where);
    return doc;
  }

  private fromUpload(file: UploadedFile, kind: MediaType, field: string): Raw {
    this.checkSize(file.size, kind, field);
    return { data: file.data, declared: file.mimetype, filename: cleanFilename(file.filename), field };
  }

  private async fromUrl(source: Omit<MediaInput, 'media_id'>, kind: MediaType, field: string): Promise<Raw> {
    const where = `${field}.url`;
    const maxBytes = this.options.maxBytes[kind];
    try {
      const fetched = await this.http.fetchBytes(source.url!, { maxBytes });
      return {
        data: fetched.data,
        declared: source.mimetype ?? fetched.contentType,
        filename: cleanFilename(source.filename) ?? filenameFromUrl(fetched.finalUrl),
        field: where,
      };
    } catch (err) {
      if (!(err instanceof UrlRejectedError)) throw err;
      if (/^is larger than/.test(err.reason)) throw new PayloadTooLargeError(where, `${kind} files may be at most ${maxBytes} bytes; the URL's content is larger`);
      throw new ValidationError(where, `cannot be used: ${err.reason}`);
    }
  }

  private fromBase64(source: Omit<MediaInput, 'media_id'>, kind: MediaType, field: string): Raw {
    const where = `${field}.base64`;
    if (source.base64 === undefined) throw new ValidationError(field, 'give a file, url or base64');
    const { mimetype: dataUrlType, data } = stripDataUrl(source.base64);
    if (!isBase64(data)) throw new ValidationError(where, 'is not valid base64');
    const clean = data.replace(/\s+/g, '');
    // refuse before decoding: a base64 string of n characters holds about 3n/4 bytes
    this.checkSize(Math.floor((clean.length * 3) / 4) - (clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0), kind, where);
    const bytes = Buffer.from(clean, 'base64'); // Node decodes the standard and the URL-safe alphabet alike
    const declared = source.mimetype ?? dataUrlType;
    if (!normalizeMime(declared)) throw new ValidationError(`${field}.mimetype`, 'is required with base64 (e.g. image/jpeg), or use a data: URL');
    return { data: bytes, declared, filename: cleanFilename(source.filename), field: where };
  }

  /** Not empty, not too large, and content that fits the message type: the mimetype to store it under. */
  private async judge(raw: Raw, kind: MediaType): Promise<{ mimetype: string; ext: string | null }> {
    if (raw.data.length === 0) throw new ValidationError(raw.field, 'the file is empty');
    this.checkSize(raw.data.length, kind, raw.field);
    // loaded on first use: a server that takes no media never holds the sniffer
    const { fileTypeFromBuffer, supportedMimeTypes } = await import('file-type');
    const sniffed = await fileTypeFromBuffer(raw.data);
    const decision = decideMimetype(kind, sniffed, raw.declared, raw.data, supportedMimeTypes);
    if (!decision.ok) throw new ValidationError(raw.field, decision.reason);
    return decision;
  }

  private checkSize(size: number, kind: MediaType, field: string): void {
    const max = this.options.maxBytes[kind];
    if (size > max) throw new PayloadTooLargeError(field, `is ${size} bytes; ${kind} files may be at most ${max} bytes`);
  }

  // ---- cache ---------------------------------------------------------------

  private remember(doc: MediaDoc, data: Buffer): void {
    if (data.length > this.cacheLimit / 4) return; // one huge file must not flush everything else
    this.forget(doc._id);
    this.cache.set(doc._id, { sha256: doc.sha256, data });
    this.cachedBytes += data.length;
    for (const [id, entry] of this.cache) {
      if (this.cachedBytes <= this.cacheLimit) break;
      this.cache.delete(id);
      this.cachedBytes -= entry.data.length;
    }
  }

  private forget(mediaId: string): void {
    const entry = this.cache.get(mediaId);
    if (!entry) return;
    this.cache.delete(mediaId);
    this.cachedBytes -= entry.data.length;
  }
}

function toStored(doc: MediaDoc): StoredMedia {
  return { media_id: doc._id, mimetype: doc.mimetype, size: doc.size, ...(doc.filename ? { filename: doc.filename } : {}) };
}
