/**
 * Voice notes: WhatsApp plays a `ptt` audio as a voice note only when it is
 * Ogg/Opus, so other audio (MP3, AAC, M4A, AMR) is converted here with the
 * ffmpeg binary that the `@ffmpeg-installer/ffmpeg` package ships for this
 * platform (from the npm registry at install; nothing is downloaded later).
 *
 * - ffmpeg runs as a child process, so decoding and encoding never block the
 *   event loop; at most `concurrency` run at once, a bounded line waits, the
 *   rest are refused (429).
 * - Each run is bounded: killed after `timeoutMs`, and past `maxOutputBytes`
 *   of output.
 * - The input goes through a temporary file, not a pipe: an M4A whose index
 *   (moov) sits at the end cannot be read from a pipe.
 * - The same run also writes the audio as 1 kHz mono PCM on a second pipe:
 *   its length is the duration, and its loudness gives the 64-bar waveform
 *   WhatsApp draws on a voice note (Baileys would need the optional
 *   audio-decode package for that).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { ConcurrencyGate } from '../concurrency-gate.js';

export const OGG_OPUS = 'audio/ogg; codecs=opus';

export interface VoiceNote {
  data: Buffer;
  mimetype: typeof OGG_OPUS;
  seconds: number;
  /** 64 loudness bars, 0–100, as WhatsApp stores them. */
  waveform: Uint8Array;
}

export interface VoiceTranscoderOptions {
  /** The ffmpeg executable; null when none is available on this platform. */
  ffmpegPath: string | null;
  timeoutMs: number;
  maxOutputBytes: number;
  concurrency: number;
  queue: number;
}

/** The input could not be converted (not decodable audio, too long, too large). */
export class TranscodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TranscodeError';
  }
}

const PCM_RATE = 1000;
const BARS = 64;

/** The ffmpeg binary of `@ffmpeg-installer/ffmpeg`, or null on a platform it has no build for. */
export function installedFfmpeg(): string | null {
  try {
    return (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch {
    return null;
  }
}

export class VoiceTranscoder {
  private readonly gate: ConcurrencyGate;

  constructor(private readonly options: VoiceTranscoderOptions) {
    this.gate = new ConcurrencyGate({ limit: options.concurrency, queue: options.queue, retryAfterSeconds: 5, what: 'audio conversions' });
  }

  get available(): boolean {
    return this.options.ffmpegPath !== null;
  }

  /** Ogg/Opus voice note from any audio ffmpeg decodes. Throws TranscodeError when it cannot. */
  toVoiceNote(input: Buffer): Promise<VoiceNote> {
    const ffmpeg = this.options.ffmpegPath;
    if (!ffmpeg) return Promise.reject(new TranscodeError('this server has no audio converter (ffmpeg) for its platform'));
    return this.gate.run(async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'tucan-voice-'));
      try {
        const source = path.join(dir, 'in');
        await writeFile(source, input);
        return await this.run(ffmpeg, source);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  private run(ffmpeg: string, source: string): Promise<VoiceNote> {
    // mono 48 kHz Opus at 32 kbit/s in VoIP mode: what WhatsApp's own voice notes are
    const args = [
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-i', source, '-vn', '-map_metadata', '-1',
      '-map', '0:a:0', '-ac', '1', '-ar', '48000', '-c:a', 'libopus', '-b:a', '32k', '-application', 'voip', '-f', 'ogg', 'pipe:1',
      '-map', '0:a:0', '-ac', '1', '-ar', String(PCM_RATE), '-f', 's16le', 'pipe:3',
    ];
    return new Promise<VoiceNote>((resolve, reject) => {
      const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
      const ogg: Buffer[] = [];
      const pcm: Buffer[] = [];
      let oggBytes = 0;
      let stderr = '';
      let failure: TranscodeError | null = null;
      const stop = (why: string) => {
        failure ??= new TranscodeError(why);
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => stop(`the conversion took longer than ${Math.round(this.options.timeoutMs / 1000)} s`), this.options.timeoutMs);
      child.stdout!.on('data', (chunk: Buffer) => {
        oggBytes += chunk.length;
        if (oggBytes > this.options.maxOutputBytes) stop(`the voice note would be larger than ${this.options.maxOutputBytes} bytes`);
        else ogg.push(chunk);
      });
      (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => pcm.push(chunk));
      child.stderr!.on('data', (chunk: Buffer) => {
        if (stderr.length < 2000) stderr += chunk.toString('utf8');
      });
      child.on('error', (err) => stop(`ffmpeg could not be started (${err.message})`));
      child.on('close', (code) => {
        clearTimeout(timer);
        if (failure) return reject(failure);
        const data = Buffer.concat(ogg);
        if (code !== 0 || data.length === 0) return reject(new TranscodeError(`the audio could not be decoded (${firstLine(stderr, source) || `ffmpeg exit ${code}`})`));
        const samples = Buffer.concat(pcm);
        resolve({ data, mimetype: OGG_OPUS, seconds: Math.max(1, Math.round(samples.length / 2 / PCM_RATE)), waveform: waveform(samples) });
      });
    });
  }
}

/** 64 bars of mean loudness, scaled so the loudest is 100 (Baileys' getAudioWaveform, on 16-bit samples). */
export function waveform(pcm: Buffer): Uint8Array {
  const count = Math.floor(pcm.length / 2);
  const block = Math.floor(count / BARS);
  const bars = new Array<number>(BARS).fill(0);
  if (block === 0) return new Uint8Array(BARS);
  for (let b = 0; b < BARS; b++) {
    let sum = 0;
    for (let i = b * block; i < (b + 1) * block; i++) sum += Math.abs(pcm.readInt16LE(i * 2));
    bars[b] = sum / block;
  }
  const max = Math.max(...bars);
  return new Uint8Array(bars.map((v) => (max > 0 ? Math.floor((100 * v) / max) : 0)));
}

/** ffmpeg's first complaint, without the temporary path or its internal context prefixes. */
function firstLine(text: string, source: string): string {
  const line = text.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  return line.split(source).join('the file').replace(/\[[^\]]* @ 0x[0-9a-f]+\]\s*/g, '').slice(0, 200);
}
