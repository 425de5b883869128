/**
 * Word → fitting emojis, from emojilib's keyword data (emoji → [name,
 * keywords…], the data behind many emoji pickers).
 *
 * For each word only the best-fitting emojis are kept, by tier:
 *   1. the emoji's name is the word             (pizza → 🍕)
 *   2. the name ends with the word              (gift → 🎁 "wrapped_gift")
 *   3. the word is another part of the name     (birthday → 🎂 "birthday_cake")
 *   4. the word is one of its keywords, if it is a specific keyword (at
 *      most 4 emojis carry it: coffee → ☕, but not "face" → 200 faces)
 *   5. a common keyword, for the emojis that list it among their first three
 * Generic words (face, hand, new, red, one…) are never indexed: "new" would
 * otherwise pick 🌑 "new moon". Flags, people variants (ZWJ sequences) and
 * keycaps are left out.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { EmojiChoice } from '../../domain/variation/vary.js';

const MAX_KEYWORD_EMOJIS = 4;

const GENERIC = new Set(
  (
    'face hand hands man woman men women person people boy girl child adult human body sign symbol button mark arrow ' +
    'with and the for of in on at to up down top end back off left right new old big small little large good bad high low ' +
    'red orange yellow green blue purple brown black white grey gray pink light dark one two three four five six seven eight nine ten ' +
    'open closed square circle round button nature animal object objects activity place places thing things other ' +
    'japanese chinese sport sports entertainment communication geometric country nation flag banner vehicle transportation ' +
    'emotion expression smiley kiss kissing tongue eyes eye mouth nose ear skin tone medium ' +
    // words of any message, not of its topic ("you" → 🫵, "help" → 🆘, "order" → 📑)
    'you your yours we our ours us me my mine it its this that these those they them their he she his her him who what which there here ' +
    'are was were will can may must have has had not all any some more most very just only also now then than start help order kind regards ' +
    'point pointing check please sorry see look watch get got give take make made put set let come from with into onto about above after ' +
    'again against because been before being below between both but could did does doing during each few further how into once other out over ' +
    'same should such through too under until when where while whom why would yourself ' +
    'que los las una por para con del'
  ).split(' '),
);

/** The bundled data: { "😀": ["grinning_face", "face", "smile", …], … }. */
export function loadEmojilib(): Record<string, string[]> {
  const require = createRequire(import.meta.url);
  return JSON.parse(fs.readFileSync(require.resolve('emojilib/dist/emoji-en-US.json'), 'utf8')) as Record<string, string[]>;
}

/** Emojis a business message should never gain by accident, whatever its words. */
const UNSUITABLE = new Set(['🏩', '🖕', '💩', '🍆', '🍑', '💦', '🔞', '🚬', '🔫', '💣', '🪦', '⚰️', '⚱️', '☠️', '💀', '😱', '🤮', '🤬', '🤢', '👿', '🩸', '💔', '🤟']);

function excludedEmoji(emoji: string): boolean {
  // regional-indicator flags, ZWJ people/family variants, keycaps, skin tones, enclosed ideographs (🈹 ㊗️)
  return UNSUITABLE.has(emoji) || /[\u{1F1E6}-\u{1F1FF}\u200D\u20E3\u{1F3FB}-\u{1F3FF}\u{1F200}-\u{1F2FF}\u3297\u3299]/u.test(emoji);
}

export function buildEmojiIndex(data: Record<string, string[]>): Map<string, EmojiChoice> {
  const tiers = new Map<string, { tier: number; emojis: string[] }>();
  // keep only a word's best tier: a weaker match never dilutes a strong one
  const offer = (word: string, tier: number, emoji: string) => {
    if (word.length < 3 || !/^[a-z]+$/.test(word) || GENERIC.has(word)) return;
    const current = tiers.get(word);
    if (!current || tier < current.tier) tiers.set(word, { tier, emojis: [emoji] });
    else if (tier === current.tier && !current.emojis.includes(emoji)) current.emojis.push(emoji);
  };

  const keywordCount = new Map<string, number>();
  for (const [emoji, keywords] of Object.entries(data)) {
    if (excludedEmoji(emoji)) continue;
    for (const k of new Set(keywords.slice(1).map((k) => k.toLowerCase()))) keywordCount.set(k, (keywordCount.get(k) ?? 0) + 1);
  }

  for (const [emoji, keywords] of Object.entries(data)) {
    if (excludedEmoji(emoji) || keywords.length === 0) continue;
    const name = keywords[0].toLowerCase().split(/[_\s-]+/);
    if (name.length === 1) offer(name[0], 1, emoji);
    else {
      offer(name[name.length - 1], 2, emoji);
      for (const part of name.slice(0, -1)) offer(part, 3, emoji);
    }
    keywords.slice(1).forEach((k, position) => {
      const keyword = k.toLowerCase();
      if ((keywordCount.get(keyword) ?? 0) <= MAX_KEYWORD_EMOJIS) offer(keyword, 4, emoji);
      // a common keyword still fits the emojis that list it among their first few (happy → 😀, not 🐮)
      else if (position < 3) offer(keyword, 5, emoji);
    });
  }

  return tiers;
}
