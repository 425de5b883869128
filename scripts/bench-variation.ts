/**
 * Text variation: data load time and memory, then copies per second.
 *
 *   node --expose-gc --import tsx scripts/bench-variation.ts
 */
import { seededRandom } from '../src/domain/random.js';
import { TextVariationService } from '../src/services/variation/text-variator.js';

const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  return process.memoryUsage().heapUsed;
};

const before = heap();
const rssBefore = process.memoryUsage().rss;
const service = new TextVariationService();
const stats = service.warm();
const after = heap();
console.log(`thesaurus: ${stats.thesaurus!.words} words in ${stats.thesaurus!.loadMs} ms; emoji index: ${stats.emojis!.words} words in ${stats.emojis!.loadMs} ms`);
console.log(`retained heap: ${((after - before) / 1048576).toFixed(1)} MB${gc ? '' : ' (run with --expose-gc for an exact figure)'}; rss growth while loading: ${((process.memoryUsage().rss - rssBefore) / 1048576).toFixed(0)} MB`);

const text =
  'Hi [name]! Our big summer sale ends soon, so this is a wonderful opportunity. Buy a car today and get a free coffee with every order. ' +
  'Visit https://shop.example.com/sale?ref=wa for details or call +57 300 123 4567. Prices start at $19.99 and delivery is immediately scheduled.\nThanks!';
for (const [label, options] of [
  ['synonyms', { useSynonyms: true }],
  ['emojis', { addEmojis: true }],
  ['shuffle', { shuffleSentences: true }],
  ['all three', { useSynonyms: true, addEmojis: true, shuffleSentences: true }],
] as const) {
  const n = 20_000;
  const started = performance.now();
  let chars = 0;
  for (let i = 0; i < n; i++) chars += service.vary(text, options, seededRandom(i)).length;
  const s = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(10)} ${(n / s).toFixed(0).padStart(7)} copies/s  (${text.length}-character message, ${(chars / n).toFixed(0)} characters out on average)`);
}
console.log('\nsample copies:');
for (let seed = 1; seed <= 3; seed++) console.log(`- ${service.vary(text, { useSynonyms: true, addEmojis: true, shuffleSentences: true }, seededRandom(seed))}`);
