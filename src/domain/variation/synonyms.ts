/**
 * Synonym swaps. The thesaurus (built from WordNet by the variation
 * service) maps a common word to synonyms of its dominant sense only, so a
 * swap needs no part-of-speech tagging to stay plausible. Here the swap is
 * restricted further: only lowercase words (a capital may mark a name),
 * never protected tokens, and only in text that reads as English, since the
 * thesaurus is English. Articles before a swapped word are fixed (a/an).
 */
import type { Random } from '../random.js';
import { applyCasing, casingOf, type Token } from './tokens.js';

export type Thesaurus = ReadonlyMap<string, readonly string[]>;

/** Share of eligible words swapped in one copy: enough to vary, few enough to keep the author's voice. */
const SWAP_RATE = 0.5;

const ENGLISH = new Set(
  'the a an and or but of to in on at for with from by is are was were be been am do does did have has had will would can could should may might must you your yours we our ours us i me my it its this that these those they them their he she his her there here what which who when where why how not no yes if then than so just very all any some more most only also now today tomorrow please thanks thank hello hi dear'.split(' '),
);
const ROMANCE = new Set(
  'el la los las un una unos unas de del y o que en con por para es son está están estar ser su sus tu tus mi mis nuestro nuestra muy más pero como hola gracias buenos buenas le les lo se al ya hoy mañana usted ustedes le les nos o ou e da do dos das um uma com não você é está obrigado olá le les des et est sont pour avec dans sur vous nous bonjour merci'.split(' '),
);

/** True when the words are mostly English (the only language the thesaurus covers). */
export function looksEnglish(tokens: readonly Token[]): boolean {
  let english = 0;
  let romance = 0;
  let words = 0;
  for (const t of tokens) {
    if (t.kind !== 'word') continue;
    words++;
    const w = t.text.toLowerCase();
    if (ENGLISH.has(w)) english++;
    if (ROMANCE.has(w) || /[^\x00-\x7f]/.test(w)) romance++;
  }
  return english > romance && (english >= 2 || english / Math.max(1, words) >= 0.2);
}

function wantsAn(word: string): boolean {
  const w = word.toLowerCase();
  if (/^(hour|honest|honou?r|heir)/.test(w)) return true;
  if (/^(uni|use|usu|uti|ure|eu|one|once)/.test(w)) return false;
  return /^[aeiou]/.test(w);
}

/** The article token index right before `i` ("a"/"an" then one space), or -1. */
function articleBefore(tokens: readonly Token[], i: number): number {
  const space = tokens[i - 1];
  const article = tokens[i - 2];
  if (space?.kind !== 'space' || space.text !== ' ' || article?.kind !== 'word') return -1;
  return /^(a|an)$/i.test(article.text) ? i - 2 : -1;
}

/** Returns a copy of `tokens` with some words replaced by synonyms. */
export function swapSynonyms(tokens: readonly Token[], thesaurus: Thesaurus, random: Random): Token[] {
  const out = tokens.map((t) => ({ ...t }));
  for (let i = 0; i < out.length; i++) {
    const t = out[i];
    if (t.kind !== 'word' || casingOf(t.text) !== 'lower') continue;
    const options = thesaurus.get(t.text);
    if (!options || options.length === 0) continue;
    // draw both numbers for every candidate word, so one swap decision does not shift the others
    const roll = random();
    const choice = options[Math.floor(random() * options.length) % options.length];
    if (roll >= SWAP_RATE) continue;
    t.text = applyCasing(choice, casingOf(t.text));
    const a = articleBefore(out, i);
    if (a >= 0) {
      const article = out[a].text;
      const fixed = wantsAn(choice) ? 'an' : 'a';
      out[a].text = article[0] === article[0].toUpperCase() ? fixed[0].toUpperCase() + fixed.slice(1) : fixed;
    }
  }
  return out;
}
