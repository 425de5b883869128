/**
 * Which real content types fit which message type, and what mimetype a file
 * is stored (and later sent) under. Pure: it takes what `file-type` sniffed
 * from the bytes and what the client declared, and decides.
 *
 * - image, video, audio, sticker: the sniffed type decides, whatever the
 *   client declared (browsers and servers mislabel files all the time); it
 *   must be one WhatsApp renders inline, otherwise the answer says to send
 *   the file as a document. A GIF, HEIC or TIFF "image" would otherwise reach
 *   the phone as a broken bubble.
 * - sticker: WebP only (static or animated), the format WhatsApp stickers
 *   are; tucan does not transcode, so a PNG sticker is refused, not converted.
 * - document: any content, but the mimetype must be honest. A declared type
 *   that contradicts the sniffed one is refused (a program uploaded as
 *   "application/pdf"); a declared format that `file-type` would have
 *   recognised but did not is refused; text types must really be text.
 */
import type { MediaType } from '../../domain/content.js';

export interface Sniffed {
  ext: string;
  mime: string;
}

export type MimeDecision = { ok: true; mimetype: string; ext: string | null } | { ok: false; reason: string };

/** What WhatsApp shows inline, per message type (its documented media formats). */
export const INLINE_TYPES: Record<Exclude<MediaType, 'document'>, readonly string[]> = {
  image: ['image/jpeg', 'image/png', 'image/webp'],
  video: ['video/mp4', 'video/3gpp', 'video/x-m4v'],
  audio: ['audio/mpeg', 'audio/mp4', 'audio/aac', 'audio/amr', 'audio/ogg; codecs=opus'],
  sticker: ['image/webp'],
};

/** Sniffed types stored under another name: what WhatsApp and clients expect. */
const CANONICAL: Record<string, string> = {
  'audio/x-m4a': 'audio/mp4',
  'video/x-m4v': 'video/mp4',
};

/** Common spellings of the same type in declared mimetypes. */
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'audio/mp3': 'audio/mpeg',
  'audio/mpeg3': 'audio/mpeg',
  'audio/x-mpeg': 'audio/mpeg',
  'audio/x-mp3': 'audio/mpeg',
  'audio/m4a': 'audio/x-m4a',
  'audio/x-aac': 'audio/aac',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/opus': 'audio/ogg; codecs=opus',
  'video/x-msvideo': 'video/vnd.avi',
  'video/avi': 'video/vnd.avi',
  'video/x-matroska': 'video/matroska',
  'application/x-pdf': 'application/pdf',
  'application/x-zip-compressed': 'application/zip',
  'application/x-gzip': 'application/gzip',
  'application/x-rar': 'application/x-rar-compressed',
  'application/vnd.rar': 'application/x-rar-compressed',
  'application/x-dosexec': 'application/x-msdownload',
  'application/x-msdos-program': 'application/x-msdownload',
  'application/vnd.microsoft.portable-executable': 'application/x-msdownload',
  'text/x-vcard': 'text/vcard',
  'text/xml': 'application/xml',
};

/** Declared types that say nothing about the content. */
const GENERIC = new Set(['application/octet-stream', 'binary/octet-stream', 'application/unknown', 'application/binary', 'application/x-binary']);

/**
 * Formats `file-type` reports only as their container: it cannot tell a
 * legacy .doc from an .xls (both OLE compound files), or an arbitrary
 * zip-based format from a zip. A specific declared type is believed inside
 * its container unless it names a format `file-type` itself detects.
 */
const CONTAINERS = new Set(['application/zip', 'application/x-cfb', 'application/ogg', 'application/xml', 'application/gzip']);

export function normalizeMime(mimetype: string | null | undefined): string | null {
  if (!mimetype) return null;
  const lower = mimetype.trim().toLowerCase();
  const [base, ...params] = lower.split(';').map((p) => p.trim());
  if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(base)) return null;
  // the codec parameter is the only one that changes what WhatsApp does with a file (Opus voice notes)
  const codecs = params.find((p) => /^codecs=/.test(p));
  const full = base === 'audio/ogg' && codecs && /opus/.test(codecs) ? 'audio/ogg; codecs=opus' : base;
  return ALIASES[full] ?? full;
}

function isTextual(mime: string): boolean {
  return mime.startsWith('text/') || /^application\/([a-z.+-]*\+)?(json|xml|javascript|ecmascript|x-yaml|yaml|csv|sql|x-sh|x-httpd-php|x-tex|ld\+json|x-ndjson|toml)$/.test(mime);
}

/** UTF-8 text without control characters other than tab, newlines and form feed. */
export function looksLikeText(data: Buffer): boolean {
  const sample = data.subarray(0, 64 * 1024);
  for (const byte of sample) if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) return false;
  try {
    // stream mode: a sample cut inside a multi-byte character is still text
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: sample.length < data.length });
    return true;
  } catch {
    return false;
  }
}

const ADVICE: Record<Exclude<MediaType, 'document'>, string> = {
  image: 'images must be JPEG, PNG or WebP; send other files as a document',
  video: 'videos must be MP4 or 3GP; send other files as a document',
  audio: 'audio must be MP3, AAC, M4A/MP4, AMR or Ogg Opus; send other files as a document',
  sticker: 'stickers must be WebP images (512×512 recommended); tucan does not convert other formats',
};

/**
 * The mimetype to store a file under for message type `kind`, or why the
 * file does not fit. `known` is the set of types `file-type` can detect.
 */
export function decideMimetype(kind: MediaType, sniffed: Sniffed | undefined, declared: string | null, data: Buffer, known: ReadonlySet<string>): MimeDecision {
  const sniffedMime = sniffed ? normalizeMime(sniffed.mime) ?? sniffed.mime : null;
  if (kind !== 'document') {
    const allowed = INLINE_TYPES[kind];
    if (!sniffedMime) return { ok: false, reason: `the content is not a recognisable ${kind} file (${ADVICE[kind]})` };
    // an audio-only MP4 often carries the generic "isom" brand, which sniffs as video/mp4
    const fits = allowed.includes(sniffedMime) || (kind === 'audio' && sniffedMime === 'video/mp4');
    if (!fits) return { ok: false, reason: `the content is ${sniffedMime}, which does not fit a ${kind} message (${ADVICE[kind]})` };
    const stored = kind === 'audio' && sniffedMime.startsWith('video/') ? 'audio/mp4' : (CANONICAL[sniffedMime] ?? sniffedMime);
    return { ok: true, mimetype: stored, ext: sniffed!.ext };
  }

  const claimed = normalizeMime(declared);
  const specific = claimed && !GENERIC.has(claimed) ? claimed : null;
  if (sniffedMime) {
    if (!specific || specific === sniffedMime || CANONICAL[specific] === sniffedMime || CANONICAL[sniffedMime] === specific) {
      return { ok: true, mimetype: CANONICAL[sniffedMime] ?? sniffedMime, ext: sniffed!.ext };
    }
    if (CONTAINERS.has(sniffedMime) && !known.has(specific)) return { ok: true, mimetype: specific, ext: null };
    return { ok: false, reason: `the content is ${sniffedMime}, not the declared ${specific}` };
  }

  const text = looksLikeText(data);
  if (!specific) return { ok: true, mimetype: text ? 'text/plain' : 'application/octet-stream', ext: text ? 'txt' : null };
  if (isTextual(specific)) {
    return text ? { ok: true, mimetype: specific, ext: null } : { ok: false, reason: `the content is binary, not the declared ${specific}` };
  }
  if (known.has(specific)) return { ok: false, reason: `the content is not a ${specific} file` };
  return { ok: true, mimetype: specific, ext: null };
}

/** A safe display file name: no directories, no control characters, at most 255 characters. */
export function cleanFilename(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const base = raw.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return clean && clean !== '.' && clean !== '..' ? clean : null;
}

/** The last path segment of a URL, when it looks like a file name. */
export function filenameFromUrl(url: string): string | null {
  try {
    const last = new URL(url).pathname.split('/').pop() ?? '';
    return cleanFilename(decodeURIComponent(last));
  } catch {
    return null;
  }
}
