/**
 * Writes the small media files the media-intake tests use (fixtures/media/).
 * Every file is built here from first principles, byte for byte, so the set
 * is reproducible with no network and no image or audio tools installed:
 *
 *   npx tsx scripts/make-media-fixtures.ts
 *
 * - pixel.png / noise.png: real PNGs (zlib + CRC-32 as the PNG spec says)
 * - pixel.jpg: a real baseline JPEG (one 8×8 grey block, standard tables)
 * - pixel.webp: the 1×1 lossless WebP that Modernizr decodes to detect support
 * - sticker.webp: the 1×1 lossy (VP8) WebP from the same source
 * - tone.mp3: MPEG-1 Layer III frames of silence
 * - voice.ogg: an Ogg Opus stream head (OpusHead + OpusTags pages)
 * - clip.mp4: an ISO-BMFF file (ftyp, free, empty mdat)
 * - doc.pdf: a one-page PDF with a correct xref table
 * - pixel.gif: the classic 1×1 GIF89a
 * - notes.txt: plain UTF-8 text
 * - program.exe: a DOS MZ header stub (for disguised-upload tests)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'media');

// ---- PNG -------------------------------------------------------------------

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** An 8-bit RGB PNG; `pixel(x, y)` gives [r, g, b]. */
function png(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // depth 8, colour type RGB, deflate, filter 0, no interlace
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 3);
  }
  const signature = Buffer.from('89504e470d0a1a0a', 'hex');
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', zlib.deflateSync(raw, { level: 9 })), pngChunk('IEND', Buffer.alloc(0))]);
}

/** Deterministic noise (xorshift), so the PNG does not compress away: a file of a known, larger size. */
function noise(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s & 0xff;
  };
}

// ---- JPEG ------------------------------------------------------------------

// ITU T.81 Annex K standard luminance tables.
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_BITS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
const AC_VALS = Buffer.from(
  '01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa',
  'hex',
);

function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xff00 | marker, 0);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/** Canonical Huffman codes from a BITS/HUFFVAL table (T.81 Annex C). */
function huffmanCodes(bits: number[], vals: ArrayLike<number>): Map<number, { code: number; length: number }> {
  const out = new Map<number, { code: number; length: number }>();
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < bits[length - 1]; i++) out.set(vals[k++], { code: code++, length });
    code <<= 1;
  }
  return out;
}

/** A baseline greyscale JPEG of one 8×8 block of a single grey level: DC only, every AC coefficient zero. */
function jpeg(grey: number): Buffer {
  const quant = Buffer.alloc(65, 1); // table 0, all quantisers 1 (precision 0 in the high nibble)
  quant[0] = 0;
  const sof = Buffer.from([8, 0, 8, 0, 8, 1, 1, 0x11, 0]); // 8-bit, 8×8, one component, 1×1 sampling, table 0
  const dht = Buffer.concat([Buffer.from([0x00]), Buffer.from(DC_BITS), Buffer.from(DC_VALS), Buffer.from([0x10]), Buffer.from(AC_BITS), AC_VALS]);
  const sos = Buffer.from([1, 1, 0x00, 0, 63, 0]);

  // The DC coefficient of a flat block is 8 × (level − 128); encode it as category + magnitude bits, then EOB.
  const dc = 8 * (grey - 128);
  const magnitude = Math.abs(dc);
  const category = magnitude === 0 ? 0 : Math.floor(Math.log2(magnitude)) + 1;
  const extra = dc >= 0 ? dc : dc + (1 << category) - 1;
  const dcCode = huffmanCodes(DC_BITS, DC_VALS).get(category)!;
  const eob = huffmanCodes(AC_BITS, AC_VALS).get(0x00)!;
  let bitString = dcCode.code.toString(2).padStart(dcCode.length, '0');
  if (category > 0) bitString += extra.toString(2).padStart(category, '0');
  bitString += eob.code.toString(2).padStart(eob.length, '0');
  bitString = bitString.padEnd(Math.ceil(bitString.length / 8) * 8, '1'); // pad with 1-bits, as T.81 requires
  const entropy: number[] = [];
  for (let i = 0; i < bitString.length; i += 8) {
    const byte = parseInt(bitString.slice(i, i + 8), 2);
    entropy.push(byte);
    if (byte === 0xff) entropy.push(0x00); // byte stuffing
  }
  const jfif = Buffer.from([0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, jfif),
    segment(0xdb, quant),
    segment(0xc0, sof),
    segment(0xc4, dht),
    segment(0xda, sos),
    Buffer.from(entropy),
    Buffer.from([0xff, 0xd9]),
  ]);
}

// ---- audio -----------------------------------------------------------------

/** MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, joint stereo: 417-byte frames whose zeroed side info decodes as silence. */
function mp3(frames: number): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x44]);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

function oggCrc(data: Buffer): number {
  let crc = 0;
  for (const byte of data) {
    crc ^= byte << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? ((crc << 1) ^ 0x04c11db7) >>> 0 : (crc << 1) >>> 0;
  }
  return crc >>> 0;
}

function oggPage(headerType: number, granule: bigint, sequence: number, packet: Buffer): Buffer {
  const segments: number[] = [];
  let left = packet.length;
  while (left >= 255) {
    segments.push(255);
    left -= 255;
  }
  segments.push(left);
  const head = Buffer.alloc(27 + segments.length);
  head.write('OggS', 0, 'ascii');
  head[4] = 0; // version
  head[5] = headerType;
  head.writeBigUInt64LE(granule, 6);
  head.writeUInt32LE(0x7475_6361, 14); // stream serial ("tuca")
  head.writeUInt32LE(sequence, 18);
  head[26] = segments.length;
  head.set(segments, 27);
  const page = Buffer.concat([head, packet]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/** An Ogg Opus stream head (RFC 7845): identification and comment headers. */
function oggOpus(): Buffer {
  const opusHead = Buffer.alloc(19);
  opusHead.write('OpusHead', 0, 'ascii');
  opusHead[8] = 1; // version
  opusHead[9] = 1; // mono
  opusHead.writeUInt16LE(312, 10); // pre-skip
  opusHead.writeUInt32LE(48000, 12);
  const vendor = Buffer.from('tucan fixtures', 'utf8');
  const opusTags = Buffer.alloc(8 + 4 + vendor.length + 4);
  opusTags.write('OpusTags', 0, 'ascii');
  opusTags.writeUInt32LE(vendor.length, 8);
  vendor.copy(opusTags, 12);
  return Buffer.concat([oggPage(0x02, 0n, 0, opusHead), oggPage(0x04, 0n, 1, opusTags)]);
}

// ---- containers and documents ------------------------------------------------

function box(type: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + payload.length);
  head.write(type, 4, 'ascii');
  return Buffer.concat([head, payload]);
}

function mp4(): Buffer {
  const ftyp = Buffer.concat([Buffer.from('isom', 'ascii'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2avc1mp41', 'ascii')]);
  return Buffer.concat([box('ftyp', ftyp), box('free', Buffer.alloc(8)), box('mdat', Buffer.alloc(0))]);
}

function pdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null, // the content stream, below
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const stream = 'BT /F1 18 Tf 20 45 Td (tucan) Tj ET';
  objects[3] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((obj, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${obj}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) body += `${String(o).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

function dosStub(): Buffer {
  const exe = Buffer.alloc(128);
  exe.write('MZ', 0, 'ascii');
  exe.writeUInt32LE(0x40, 0x3c); // e_lfanew
  exe.write('PE\0\0', 0x40, 'latin1');
  return exe;
}

// ---- write -------------------------------------------------------------------

export function mediaFixtures(): Record<string, Buffer> {
  const rnd = noise(20240601);
  return {
    'pixel.png': png(1, 1, () => [0x1f, 0x8a, 0x70]),
    'noise.png': png(64, 64, () => [rnd(), rnd(), rnd()]),
    'pixel.jpg': jpeg(200),
    'pixel.webp': Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64'),
    'sticker.webp': Buffer.from('UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA', 'base64'),
    'tone.mp3': mp3(10),
    'voice.ogg': oggOpus(),
    'clip.mp4': mp4(),
    'doc.pdf': pdf(),
    'pixel.gif': Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64'),
    'notes.txt': Buffer.from('Meeting notes\n- ship the media store\n- café ☕ at 10:00\n', 'utf8'),
    'program.exe': dosStub(),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  fs.mkdirSync(OUT, { recursive: true });
  for (const [name, data] of Object.entries(mediaFixtures())) {
    fs.writeFileSync(path.join(OUT, name), data);
    console.log(`${name.padEnd(14)} ${String(data.length).padStart(6)} bytes`);
  }
}
