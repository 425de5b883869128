/**
 * Adds emojis that fit what a sentence talks about: a sentence mentioning a
 * birthday gets 🎂 or 🎉, one about coffee gets ☕. The index (built by the
 * variation service from emojilib's keyword data) maps a word to its best
 * emojis only; a sentence with no indexed word gets none — a random smiley
 * on "your account was suspended" would be worse than nothing. At most
 * MAX_EMOJIS per text, one per sentence, placed after its punctuation.
 */
import type { Random } from '../random.js';
import type { Paragraph } from './sentences.js';
import type { Token } from './tokens.js';

/** The best-fitting emojis for a word; a lower tier fits better (1: the emoji's name is the word). */
export interface EmojiChoice {
  tier: number;
  emojis: readonly string[];
}

export type EmojiIndex = ReadonlyMap<string, EmojiChoice>;

const MAX_EMOJIS = 3;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;

function lookup(word: string, index: EmojiIndex): EmojiChoice | undefined {
  const w = word.toLowerCase();
  return index.get(w) ?? (w.length > 3 && w.endsWith('s') ? index.get(w.slice(0, -1)) : undefined);
}

/**
 * The emojis of the sentence's most telling word: the best tier wins, then
 * the most specific (fewest emojis), then the first mentioned. So "Happy
 * birthday!" gets 🎂 (birthday, tier 3), not one of eleven smileys.
 */
function bestFor(tokens: readonly Token[], index: EmojiIndex): readonly string[] | null {
  let best: EmojiChoice | null = null;
  for (const t of tokens) {
    if (t.kind !== 'word') continue;
    const choice = lookup(t.text, index);
    if (!choice || choice.emojis.length === 0) continue;
    if (!best || choice.tier < best.tier || (choice.tier === best.tier && choice.emojis.length < best.emojis.length)) best = choice;
  }
  return best?.emojis ?? null;
}

/** Returns copies of the paragraphs with up to MAX_EMOJIS emojis appended to fitting sentences. */
export function addEmojis(paragraphs: readonly Paragraph[], index: EmojiIndex, random: Random): Paragraph[] {
  const out = paragraphs.map((p) => p.map((s) => ({ tokens: [...s.tokens], after: s.after })));
  const fitting: { p: number; s: number; emojis: readonly string[] }[] = [];
  out.forEach((paragraph, p) =>
    paragraph.forEach((sentence, s) => {
      // a sentence that already has an emoji has its decoration
      if (sentence.tokens.some((t) => t.kind === 'punct' && PICTOGRAPHIC.test(t.text))) return;
      const emojis = bestFor(sentence.tokens, index);
      if (emojis) fitting.push({ p, s, emojis });
    }),
  );
  // choose which sentences get one: a random subset of MAX_EMOJIS, kept in text order
  const chosen = [...fitting];
  while (chosen.length > MAX_EMOJIS) chosen.splice(Math.floor(random() * chosen.length) % chosen.length, 1);
  const used = new Set<string>();
  for (const { p, s, emojis } of chosen) {
    const fresh = emojis.filter((e) => !used.has(e));
    if (fresh.length === 0) continue;
    const emoji = fresh[Math.floor(random() * fresh.length) % fresh.length];
    used.add(emoji);
    const sentence = out[p][s];
    // right after the last visible token, before any whitespace the text ended with
    let at = sentence.tokens.length;
    while (at > 0 && sentence.tokens[at - 1].kind === 'space') at--;
    sentence.tokens.splice(at, 0, { kind: 'space', text: ' ' }, { kind: 'punct', text: emoji });
  }
  return out;
}
