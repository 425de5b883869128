/**
 * Splits tokens into paragraphs and sentences, and puts them back together
 * exactly. A sentence ends at terminal punctuation (. ! ? …) followed by
 * space and a sentence start (a capital, a digit, a placeholder, an opening
 * mark); emojis right after the punctuation stay with their sentence.
 * Abbreviations and initials ("Dr.", "e.g.", "J. Smith") do not end one.
 * A line break always ends a paragraph: shuffling never crosses it.
 */
import type { Token } from './tokens.js';

export interface Sentence {
  tokens: Token[];
  /** The whitespace after the sentence (empty for the last one of the text). */
  after: string;
}

export type Paragraph = Sentence[];

const TERMINAL = /[.!?…。！？]['"”’)\]»]*$/u;
const OPENERS = /^[¿¡"“‘'(«[*_~\-–—•]/u;
const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'sra', 'srta', 'jr', 'st', 'vs', 'no', 'approx', 'dept', 'fig', 'ca', 'cf', 'av', 'ave', 'lic', 'ing']);

/** Symbols only (emojis, arrows, hearts): no letters, no sentence punctuation. */
function isSymbolRun(t: Token): boolean {
  return t.kind === 'punct' && !/[.!?…,;:'"()[\]{}]/u.test(t.text);
}

function endsSentence(sentence: Token[]): boolean {
  let i = sentence.length - 1;
  while (i >= 0 && (sentence[i].kind === 'space' || isSymbolRun(sentence[i]))) i--;
  const last = sentence[i];
  if (!last || last.kind !== 'punct' || !TERMINAL.test(last.text)) return false;
  if (/^\.['"”’)\]»]*$/u.test(last.text)) {
    const before = sentence[i - 1];
    if (before?.kind === 'word' && (before.text.length === 1 || ABBREVIATIONS.has(before.text.toLowerCase()))) return false;
  }
  return true;
}

function startsSentence(t: Token | undefined): boolean {
  if (!t) return false;
  if (t.kind === 'protected') return true;
  if (t.kind === 'word') return t.text[0] !== t.text[0].toLowerCase() || t.text[0] === t.text[0].toUpperCase();
  return t.kind === 'punct' && (OPENERS.test(t.text) || isSymbolRun(t));
}

export function segment(tokens: readonly Token[]): Paragraph[] {
  const paragraphs: Paragraph[] = [];
  let paragraph: Paragraph = [];
  let current: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'space') {
      const next = tokens[i + 1];
      const lineBreak = t.text.includes('\n');
      // an emoji after ". " belongs to the sentence that just ended
      const split = lineBreak || (endsSentence(current) && startsSentence(next) && !(next && isSymbolRun(next) && lastIsTerminal(current)));
      if (split && current.length > 0) {
        paragraph.push({ tokens: current, after: t.text });
        current = [];
        if (lineBreak) {
          paragraphs.push(paragraph);
          paragraph = [];
        }
        continue;
      }
    }
    current.push(t);
  }
  if (current.length > 0) paragraph.push({ tokens: current, after: '' });
  if (paragraph.length > 0) paragraphs.push(paragraph);
  return paragraphs;
}

function lastIsTerminal(sentence: Token[]): boolean {
  const last = sentence[sentence.length - 1];
  return last?.kind === 'punct' && TERMINAL.test(last.text);
}

export function unsegment(paragraphs: readonly Paragraph[]): string {
  return paragraphs.map((p) => p.map((s) => s.tokens.map((t) => t.text).join('') + s.after).join('')).join('');
}

/** Whether the sentence ends with terminal punctuation (only those can move without reading wrong). */
export function isTerminated(sentence: Sentence): boolean {
  return endsSentence(sentence.tokens);
}

export function sentenceText(sentence: Sentence): string {
  return sentence.tokens.map((t) => t.text).join('');
}
