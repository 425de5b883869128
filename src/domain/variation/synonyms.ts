/**
 * Synonym swaps. The thesaurus (built from WordNet by the variation
 * service) maps a common word to synonyms of its dominant sense only, so a
 * swap needs no part-of-speech tagging to stay plausible. Here the swap is
 * restricted further: only lowercase words (a capital may mark a name; a
 * sentence's first word is the exception when `initial` lists it, i.e. it is
 * a common word), never protected tokens. The caller picks the thesaurus by
 * the text's language. English articles before a swapped word are fixed
 * (a/an).
 */
import type { Random } from '../random.js';
import { applyCasing, casingOf, type Token } from './tokens.js';

export type Thesaurus = ReadonlyMap<string, readonly string[]>;

/** Share of eligible words swapped in one copy: enough to vary, few enough to keep the author's voice. */
const SWAP_RATE = 0.5;

function wantsAn(word: string): boolean {
  const w = word.toLowerCase();
  if (/^(hour|honest|honou?r|heir)/.test(w)) return true;
  if (/^(uni|use|usu|uti|ure|eu|one|once)/.test(w)) return false;
  return /^[aeiou]/.test(w);
}

const EMPTY: Thesaurus = new Map();

export interface SwapOptions {
  /** Words that may be swapped as a sentence's capitalised first word (common words, never names). */
  initial?: Thesaurus;
  /** Fix "a"/"an" before a swapped word (English only: Spanish "a" is a preposition). */
  englishArticles?: boolean;
}

/** Whether token `i` is the first word of a sentence. */
function startsSentence(tokens: readonly Token[], i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const t = tokens[j];
    if (t.kind === 'space') {
      if (t.text.includes('\n')) return true;
      continue;
    }
    return t.kind === 'punct' && /[.!?¡¿]$/.test(t.text);
  }
  return true;
}

/** The article token index right before `i` ("a"/"an" then one space), or -1. */
function articleBefore(tokens: readonly Token[], i: number): number {
  const space = tokens[i - 1];
  const article = tokens[i - 2];
  if (space?.kind !== 'space' || space.text !== ' ' || article?.kind !== 'word') return -1;
  return /^(a|an)$/i.test(article.text) ? i - 2 : -1;
}

/** Returns a copy of `tokens` with some words replaced by synonyms. */
export function swapSynonyms(tokens: readonly Token[], thesaurus: Thesaurus, random: Random, options: SwapOptions = {}): Token[] {
  const initial = options.initial ?? EMPTY;
  const out = tokens.map((t) => ({ ...t }));
  for (let i = 0; i < out.length; i++) {
    const t = out[i];
    if (t.kind !== 'word') continue;
    const casing = casingOf(t.text);
    const choices = casing === 'lower' ? thesaurus.get(t.text) : casing === 'capitalized' && startsSentence(out, i) ? initial.get(t.text.toLowerCase()) : undefined;
    if (!choices || choices.length === 0) continue;
    // draw both numbers for every candidate word, so one swap decision does not shift the others
    const roll = random();
    const choice = choices[Math.floor(random() * choices.length) % choices.length];
    if (roll >= SWAP_RATE) continue;
    t.text = applyCasing(choice, casing);
    if (!options.englishArticles) continue;
    const a = articleBefore(out, i);
    if (a >= 0) {
      const article = out[a].text;
      const fixed = wantsAn(choice) ? 'an' : 'a';
      out[a].text = article[0] === article[0].toUpperCase() ? fixed[0].toUpperCase() + fixed.slice(1) : fixed;
    }
  }
  return out;
}
