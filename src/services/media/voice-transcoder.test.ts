/**
 * The voice-note converter with the ffmpeg binary the npm package installs,
 * on real recorded speech (fixtures/media/voice-hello.*: espeak-ng speech
 * encoded as MP3 and AAC/M4A, 2 s).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { installedFfmpeg, OGG_OPUS, TranscodeError, VoiceTranscoder, waveform } from './voice-transcoder.js';

const file = (name: string) => fs.readFileSync(path.resolve('fixtures/media', name));
const transcoder = (over: Partial<ConstructorParameters<typeof VoiceTranscoder>[0]> = {}) =>
  new VoiceTranscoder({ ffmpegPath: installedFfmpeg(), timeoutMs: 30_000, maxOutputBytes: 1024 * 1024, concurrency: 2, queue: 4, ...over });

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(TranscodeError);
    return (err as Error).message;
  }
  throw new Error('expected a TranscodeError');
}

describe('voice notes: converting audio to Ogg/Opus', () => {
  it('finds the ffmpeg binary the npm package shipped for this platform', () => {
    expect(installedFfmpeg()).to.be.a('string');
  });

  for (const name of ['voice-hello.mp3', 'voice-hello.m4a']) {
    it(`turns ${name} into an Ogg/Opus voice note with its length and a waveform of the speech`, async () => {
      const note = await transcoder().toVoiceNote(file(name));
      const { fileTypeFromBuffer } = await import('file-type');
      expect(await fileTypeFromBuffer(note.data)).to.deep.equal({ ext: 'opus', mime: OGG_OPUS });
      expect(note.mimetype).to.equal(OGG_OPUS);
      expect(note.seconds).to.equal(2);
      expect(note.waveform).to.have.length(64);
      // speech: the loudest bar is 100, the first (the silence before the voice) far lower, and the bars vary
      expect(Math.max(...note.waveform)).to.equal(100);
      expect(note.waveform[0]).to.be.below(20);
      expect(new Set(note.waveform).size).to.be.above(10);
    });
  }

  it('refuses what is not decodable audio, without naming its temporary file', async () => {
    expect(await failure(transcoder().toVoiceNote(file('pixel.png')))).to.match(/could not be decoded/);
    // a damaged MP3: its first frame header, then filler
    const damaged = Buffer.concat([file('voice-hello.mp3').subarray(0, 4), Buffer.alloc(2000, 7)]);
    const message = await failure(transcoder().toVoiceNote(damaged));
    expect(message).to.match(/could not be decoded/).and.not.match(/tucan-voice-|0x[0-9a-f]{6}/);
  });

  it('stops a conversion past its output limit or its time limit', async () => {
    expect(await failure(transcoder({ maxOutputBytes: 1000 }).toVoiceNote(file('speech-10s.mp3')))).to.match(/larger than 1000 bytes/);
    expect(await failure(transcoder({ timeoutMs: 1 }).toVoiceNote(file('speech-10s.mp3')))).to.match(/took longer than/);
  });

  it('says so when the platform has no converter', async () => {
    const none = transcoder({ ffmpegPath: null });
    expect(none.available).to.equal(false);
    expect(await failure(none.toVoiceNote(file('voice-hello.mp3')))).to.match(/no audio converter/);
  });

  it('draws 64 bars scaled to the loudest, and a flat line for silence', () => {
    const pcm = Buffer.alloc(64 * 10 * 2);
    for (let i = 0; i < 64 * 10; i++) pcm.writeInt16LE(i < 320 ? 1000 : 500, i * 2);
    expect(Array.from(waveform(pcm))).to.deep.equal([...new Array(32).fill(100), ...new Array(32).fill(50)]);
    expect(Array.from(waveform(Buffer.alloc(2000)))).to.deep.equal(new Array(64).fill(0));
  });
});
