/**
 * Sentence shuffling within each paragraph, keeping what would read wrong
 * if moved:
 * - the text's first sentence (the opener that sets the topic, often a
 *   greeting: "Hi [name]!", "Happy birthday, Ana!") and a closing sign-off
 *   ("Thanks!", "Kind regards") stay where they are;
 * - a sentence without terminal punctuation stays (it would run into the
 *   next one);
 * - a sentence that opens by pointing back ("It…", "This…", "But…",
 *   "Also…") moves together with the sentence before it.
 */
import type { Random } from '../random.js';
import { isTerminated, sentenceText, type Paragraph, type Sentence } from './sentences.js';

const CLOSING = /^\s*(thanks|thank you|kind regards|regards|best|cheers|sincerely|see you|talk soon|gracias|saludos|atentamente|un saludo|abrazos|obrigad[oa]|merci|cordialement)\b/i;
const POINTS_BACK =
  /^\s*(it|its|it's|this|that|these|those|they|them|their|he|she|his|her|there|then|also|and|but|so|or|however|therefore|still|too|instead|otherwise|which|such|both|esto|eso|esta|este|ese|esa|ello|ellos|ellas|también|pero|y|entonces|además|sin embargo|así)\b/i;

/** Sentences that move together; `fixed` units keep their slot. */
interface Unit {
  sentences: number[];
  fixed: boolean;
}

function units(paragraph: Paragraph, firstOfText: boolean): Unit[] {
  const out: Unit[] = [];
  paragraph.forEach((sentence: Sentence, i) => {
    const text = sentenceText(sentence);
    const fixed = !isTerminated(sentence) || (firstOfText && i === 0) || (i === paragraph.length - 1 && CLOSING.test(text));
    const previous = out[out.length - 1];
    if (previous && POINTS_BACK.test(text)) {
      previous.sentences.push(i);
      previous.fixed ||= fixed;
    } else out.push({ sentences: [i], fixed });
  });
  return out;
}

export function shuffleSentences(paragraphs: readonly Paragraph[], random: Random): Paragraph[] {
  return paragraphs.map((paragraph, p) => {
    const all = units(paragraph, p === 0);
    const slots = all.map((u, i) => (u.fixed ? -1 : i)).filter((i) => i >= 0);
    if (slots.length < 2) return paragraph;
    const order = [...slots];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1)) % (i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    // a copy that came out unshuffled would not be a variation: rotate it by one instead
    if (order.every((v, k) => v === slots[k])) order.push(order.shift()!);
    const arranged = [...all];
    slots.forEach((slot, k) => (arranged[slot] = all[order[k]]));
    // sentences take their new places; the whitespace between them stays where it was
    const sequence = arranged.flatMap((u) => u.sentences);
    return sequence.map((from, to) => ({ tokens: paragraph[from].tokens, after: paragraph[to].after }));
  });
}
