/**
 * How long converting a voice note takes: fixtures/media/speech-10s.mp3 (10 s
 * of espeak-ng speech, MP3 24 kbit/s mono) to Ogg/Opus with the waveform,
 * through the same VoiceTranscoder the media intake uses, one at a time and
 * then two at once (its concurrency limit on a 2-core machine).
 *
 *   npx tsx scripts/bench-voice-note.ts [--runs 10]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { installedFfmpeg, VoiceTranscoder } from '../src/services/media/voice-transcoder.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const runs = Number(values.runs);
const input = fs.readFileSync(path.join(ROOT, 'fixtures/media/speech-10s.mp3'));
const ffmpeg = installedFfmpeg();
if (!ffmpeg) throw new Error('no ffmpeg for this platform');
const transcoder = new VoiceTranscoder({ ffmpegPath: ffmpeg, timeoutMs: 60_000, maxOutputBytes: 16 * 1024 * 1024, concurrency: 2, queue: 16 });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
await transcoder.toVoiceNote(input); // warm the page cache with the binary

const single: number[] = [];
let last = { bytes: 0, seconds: 0 };
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const note = await transcoder.toVoiceNote(input);
  single.push(performance.now() - t0);
  last = { bytes: note.data.length, seconds: note.seconds };
}
const pairs: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  await Promise.all([transcoder.toVoiceNote(input), transcoder.toVoiceNote(input)]);
  pairs.push(performance.now() - t0);
}
console.log(`input: ${input.length} bytes of MP3, output: ${last.bytes} bytes of Ogg/Opus, ${last.seconds} s`);
console.log(`one at a time: median ${median(single).toFixed(0)} ms, min ${Math.min(...single).toFixed(0)} ms, max ${Math.max(...single).toFixed(0)} ms (${runs} runs)`);
console.log(`two at once:   median ${median(pairs).toFixed(0)} ms for both (${runs} runs)`);
