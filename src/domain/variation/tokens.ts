/**
 * Tokens for text variation. Anything a variation must never touch is one
 * `protected` token: placeholders (`[name]`, `{name}`, `{{name}}`), URLs,
 * e-mail addresses, @mentions and anything containing a digit (prices,
 * times, dates, codes). Words are runs of letters (with inner apostrophes
 * or hyphens); `space` and `punct` carry everything else verbatim, so
 * joining the tokens gives back the text exactly.
 */

export type TokenKind = 'word' | 'protected' | 'space' | 'punct';

export interface Token {
  kind: TokenKind;
  text: string;
}

const PATTERNS: [TokenKind, string][] = [
  ['protected', String.raw`\[[^\[\]\n]{1,80}\]|\{\{[^{}\n]{1,80}\}\}|\{[^{}\n]{1,80}\}`],
  ['protected', String.raw`(?:https?:\/\/|www\.)[^\s<>]*[^\s<>.,!?;:'")\]]`],
  ['protected', String.raw`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+`],
  ['protected', String.raw`@[\p{L}\p{N}_]+`],
  ['protected', String.raw`[\p{L}\p{N}]*\p{N}(?:[\p{L}\p{N}]|[.,:/-](?=\p{N}))*`],
  ['word', String.raw`\p{L}+(?:['’-]\p{L}+)*`],
  ['space', String.raw`\s+`],
  ['punct', String.raw`[^\s\p{L}\p{N}]+?`],
];

const MASTER = new RegExp(PATTERNS.map(([, p]) => `(${p})`).join('|'), 'gu');

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(MASTER)) {
    const group = m.slice(1).findIndex((g) => g !== undefined);
    const kind = PATTERNS[group][0];
    const last = tokens[tokens.length - 1];
    // one punct token per run of symbols (so "!!" or an emoji sequence stays whole)
    if (kind === 'punct' && last?.kind === 'punct') last.text += m[0];
    else tokens.push({ kind, text: m[0] });
  }
  return tokens;
}

export function join(tokens: readonly Token[]): string {
  return tokens.map((t) => t.text).join('');
}

export type Casing = 'lower' | 'capitalized' | 'upper' | 'mixed';

export function casingOf(word: string): Casing {
  if (word === word.toLowerCase()) return 'lower';
  if (word.length > 1 && word === word.toUpperCase()) return 'upper';
  if (word[0] === word[0].toUpperCase() && word.slice(1) === word.slice(1).toLowerCase()) return 'capitalized';
  return 'mixed';
}

export function applyCasing(word: string, casing: Casing): string {
  if (casing === 'upper') return word.toUpperCase();
  if (casing === 'capitalized') return word[0].toUpperCase() + word.slice(1);
  return word;
}
