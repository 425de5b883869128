/**
 * Text normalisation for rule matching. Keywords and inbound text go through
 * the same function, so whatever the owner typed and whatever the customer's
 * phone produced compare equal when a person would say they are the same:
 *
 * 1. Unicode NFKC (full-width letters, ligatures and compatibility forms fold
 *    to their plain equivalents: `ｃａｆｅ` → `cafe`, `ﬁ` → `fi`).
 * 2. Accents removed (`café` → `cafe`): decompose, drop non-spacing marks,
 *    recompose (so Hangul and other composed scripts survive).
 * 3. Case folded unless case-sensitive: upper-casing first then lower-casing
 *    folds the special cases (`ß`/`ẞ` → `ss`), and final sigma `ς` → `σ`.
 * 4. Whitespace (any Unicode space, tab, newline) collapsed to one space and
 *    trimmed.
 */

const NON_SPACING_MARKS = /\p{Mn}+/gu;
const WHITESPACE = /[\s\u200b\u2060\ufeff]+/gu;
// Printable ASCII (and tabs, newlines) is its own NFKC/NFD form and has no marks: most messages skip the Unicode passes.
const PRINTABLE_ASCII = /^[\t\n\r\x20-\x7e]*$/;
const ASCII_SPACE_RUN = /\s{2,}|[\t\n\v\f\r]/;

/** Steps 1, 2 and 4: the form regex rules and case-sensitive keywords see. */
export function normalizeText(input: string): string {
  if (PRINTABLE_ASCII.test(input)) return (ASCII_SPACE_RUN.test(input) ? input.replace(/\s+/g, ' ') : input).trim();
  const stripped = input.normalize('NFKC').normalize('NFD').replace(NON_SPACING_MARKS, '').normalize('NFC');
  return stripped.replace(WHITESPACE, ' ').trim();
}

/** Step 3 on an already normalised text. */
export function foldCase(normalized: string): string {
  if (PRINTABLE_ASCII.test(normalized)) return normalized.toLowerCase();
  // toLowerCase picks ς or σ by position; folding must not care where the word ends
  return normalized.toUpperCase().toLowerCase().replace(/ς/g, 'σ');
}

/** The comparison form of a keyword or message. */
export function normalizeFor(input: string, caseSensitive: boolean): string {
  const n = normalizeText(input);
  return caseSensitive ? n : foldCase(n);
}

/** A message's text in both forms, computed once per message and shared by every rule. */
export interface NormalizedText {
  /** NFKC, accents removed, whitespace collapsed. */
  exact: string;
  /** The same, case-folded. */
  folded: string;
}

export function normalizeMessageText(text: string | null): NormalizedText | null {
  if (text === null) return null;
  if (PRINTABLE_ASCII.test(text)) {
    // the ASCII branches of normalizeText and foldCase, testing the text once instead of twice
    const exact = (ASCII_SPACE_RUN.test(text) ? text.replace(/\s+/g, ' ') : text).trim();
    return { exact, folded: exact.toLowerCase() };
  }
  const exact = normalizeText(text);
  return { exact, folded: foldCase(exact) };
}
