/**
 * Seed 002's aiModifications, as a pure function: synonyms, emojis and
 * sentence shuffling applied to one copy of a text. The thesaurus and the
 * emoji index are data passed in (loaded once by the variation service);
 * `random` is the only source of choice, so a seeded random gives the same
 * copy every time (tests, and bulk jobs resumed after a restart).
 *
 * Never changed: placeholders, URLs, e-mails, mentions, numbers, the case of
 * each word, punctuation, whitespace and line breaks.
 */
import type { Random } from '../random.js';
import { addEmojis, type EmojiIndex } from './emojis.js';
import { segment, unsegment } from './sentences.js';
import { shuffleSentences } from './shuffle.js';
import { EVERYDAY_ENGLISH, EVERYDAY_SPANISH } from './everyday-synonyms.js';
import { swapLanguage } from './language.js';
import { swapSynonyms, type Thesaurus } from './synonyms.js';
import { tokenize } from './tokens.js';

export type { EmojiChoice, EmojiIndex } from './emojis.js';
export type { Thesaurus } from './synonyms.js';

export interface VariationOptions {
  useSynonyms?: boolean;
  addEmojis?: boolean;
  shuffleSentences?: boolean;
}

export interface VariationData {
  /** English: WordNet's, with the everyday words on top (withEverydayEnglish). */
  thesaurus: Thesaurus;
  /** Spanish; the everyday table unless given. */
  spanish?: Thesaurus;
  emojis: EmojiIndex;
}

export function varyText(text: string, options: VariationOptions, data: VariationData, random: Random): string {
  if (!options.useSynonyms && !options.addEmojis && !options.shuffleSentences) return text;
  let tokens = tokenize(text);
  if (options.useSynonyms) {
    const language = swapLanguage(tokens);
    if (language === 'en') tokens = swapSynonyms(tokens, data.thesaurus, random, { initial: EVERYDAY_ENGLISH, englishArticles: true });
    if (language === 'es') tokens = swapSynonyms(tokens, data.spanish ?? EVERYDAY_SPANISH, random, { initial: EVERYDAY_SPANISH });
  }
  let paragraphs = segment(tokens);
  if (options.addEmojis) paragraphs = addEmojis(paragraphs, data.emojis, random);
  if (options.shuffleSentences) paragraphs = shuffleSentences(paragraphs, random);
  return unsegment(paragraphs);
}
