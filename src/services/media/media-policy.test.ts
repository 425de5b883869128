import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { fileTypeFromBuffer, supportedMimeTypes } from 'file-type';
import type { MediaType } from '../../domain/content.js';
import { cleanFilename, decideMimetype, filenameFromUrl, looksLikeText, normalizeMime } from './media-policy.js';

const FIXTURES = path.resolve('fixtures/media');
const file = (name: string) => fs.readFileSync(path.join(FIXTURES, name));

async function decide(kind: MediaType, name: string, declared: string | null = null) {
  const data = file(name);
  return decideMimetype(kind, await fileTypeFromBuffer(data), declared, data, supportedMimeTypes);
}

describe('media policy (sniffed type vs message type)', () => {
  it('accepts the formats WhatsApp shows inline, under their sniffed type', async () => {
    expect(await decide('image', 'pixel.png')).to.deep.include({ ok: true, mimetype: 'image/png' });
    expect(await decide('image', 'pixel.jpg')).to.deep.include({ ok: true, mimetype: 'image/jpeg' });
    expect(await decide('image', 'pixel.webp')).to.deep.include({ ok: true, mimetype: 'image/webp' });
    expect(await decide('video', 'clip.mp4')).to.deep.include({ ok: true, mimetype: 'video/mp4' });
    expect(await decide('audio', 'tone.mp3')).to.deep.include({ ok: true, mimetype: 'audio/mpeg' });
    expect(await decide('audio', 'voice.ogg')).to.deep.include({ ok: true, mimetype: 'audio/ogg; codecs=opus' });
    expect(await decide('sticker', 'sticker.webp')).to.deep.include({ ok: true, mimetype: 'image/webp' });
  });

  it('believes the bytes, not the declared type, for media messages', async () => {
    expect(await decide('image', 'pixel.jpg', 'image/png')).to.deep.include({ ok: true, mimetype: 'image/jpeg' });
  });

  it('refuses content that does not fit the message type, saying what it is', async () => {
    const pdfAsImage = await decide('image', 'doc.pdf', 'image/png');
    expect(pdfAsImage.ok).to.equal(false);
    expect(!pdfAsImage.ok && pdfAsImage.reason).to.match(/application\/pdf.*does not fit an? image/);
    const gif = await decide('image', 'pixel.gif');
    expect(!gif.ok && gif.reason).to.match(/image\/gif.*send other files as a document/);
    const pngSticker = await decide('sticker', 'pixel.png');
    expect(!pngSticker.ok && pngSticker.reason).to.match(/WebP/);
    const textAudio = await decide('audio', 'notes.txt', 'audio/mpeg');
    expect(!textAudio.ok && textAudio.reason).to.match(/not a recognisable audio file/);
    expect((await decide('video', 'tone.mp3')).ok).to.equal(false);
  });

  it('accepts any document but keeps its mimetype honest', async () => {
    expect(await decide('document', 'doc.pdf', 'application/pdf')).to.deep.include({ ok: true, mimetype: 'application/pdf' });
    expect(await decide('document', 'doc.pdf', null)).to.deep.include({ ok: true, mimetype: 'application/pdf', ext: 'pdf' });
    expect(await decide('document', 'doc.pdf', 'application/octet-stream')).to.deep.include({ ok: true, mimetype: 'application/pdf' });
    expect(await decide('document', 'pixel.png', 'image/png')).to.deep.include({ ok: true, mimetype: 'image/png' });
    expect(await decide('document', 'notes.txt', 'text/csv')).to.deep.include({ ok: true, mimetype: 'text/csv' });
    expect(await decide('document', 'notes.txt', null)).to.deep.include({ ok: true, mimetype: 'text/plain' });

    const disguised = await decide('document', 'program.exe', 'application/pdf');
    expect(!disguised.ok && disguised.reason).to.equal('the content is application/x-msdownload, not the declared application/pdf');
    const fakePdf = await decide('document', 'notes.txt', 'application/pdf');
    expect(!fakePdf.ok && fakePdf.reason).to.equal('the content is not a application/pdf file');
    const binaryText = await decide('document', 'noise.png', 'text/plain');
    expect(!binaryText.ok && binaryText.reason).to.match(/image\/png, not the declared text\/plain/);
    // a format file-type does not know is believed (nothing contradicts it)
    expect(await decide('document', 'notes.txt', 'application/x-custom-notes')).to.deep.include({ ok: true, mimetype: 'application/x-custom-notes' });
  });

  it('normalises declared spellings of the same type', () => {
    expect(normalizeMime('IMAGE/JPG')).to.equal('image/jpeg');
    expect(normalizeMime('audio/mp3')).to.equal('audio/mpeg');
    expect(normalizeMime('audio/ogg; codecs=opus')).to.equal('audio/ogg; codecs=opus');
    expect(normalizeMime('text/plain; charset=utf-8')).to.equal('text/plain');
    expect(normalizeMime('not a type')).to.equal(null);
  });

  it('tells text from binary, and cleans file names', () => {
    expect(looksLikeText(file('notes.txt'))).to.equal(true);
    expect(looksLikeText(file('noise.png'))).to.equal(false);
    expect(cleanFilename('../../etc/passwd')).to.equal('passwd');
    expect(cleanFilename('C:\\Users\\me\\report.pdf')).to.equal('report.pdf');
    expect(cleanFilename('..')).to.equal(null);
    expect(filenameFromUrl('https://example.com/files/Informe%20anual.pdf?x=1')).to.equal('Informe anual.pdf');
  });
});
