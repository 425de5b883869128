/**
 * Per-recipient personalisation of bulk sends: `[name]`, `[phone]` and the
 * recipient's own variables (`[city]`, `[order_id]` …) are filled into every
 * human-readable string of the content. Placeholders no recipient defines
 * are left as written, so text that happens to contain brackets survives.
 */
import type { Content } from './content.js';

const PLACEHOLDER = /\[([A-Za-z_][A-Za-z0-9_]{0,63})\]/g;

/** Keys whose strings are identifiers or media, never shown text. */
const NOT_TEXT = new Set(['type', 'media', 'message_id', 'reply_to', 'contact_id', 'mentions', 'id']);

export interface RecipientVars {
  name?: string | null;
  phone?: string | null;
  variables?: Record<string, string>;
}

/** Lower-cased placeholder → value for one recipient. */
export function recipientValues(r: RecipientVars): Map<string, string> {
  const values = new Map<string, string>();
  for (const [k, v] of Object.entries(r.variables ?? {})) values.set(k.toLowerCase(), v);
  // the built-ins win over variables of the same name: they describe the recipient itself
  values.set('name', r.name ?? values.get('name') ?? '');
  values.set('phone', r.phone ?? values.get('phone') ?? '');
  return values;
}

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = NOT_TEXT.has(k) ? v : mapStrings(v, fn);
    return out;
  }
  return value;
}

function collectStrings(value: unknown, into: string[]): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, into);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) if (!NOT_TEXT.has(k)) collectStrings(v, into);
  return into;
}

/** The placeholder names (lower-cased) a content uses. */
export function placeholdersIn(content: Content<unknown>): Set<string> {
  const names = new Set<string>();
  for (const s of collectStrings(content, [])) for (const m of s.matchAll(PLACEHOLDER)) names.add(m[1].toLowerCase());
  return names;
}

export function fillPlaceholders<M>(content: Content<M>, values: Map<string, string>): Content<M> {
  const EMPTY = '\u0000';
  const fill = (s: string) => {
    const out = s.replace(PLACEHOLDER, (whole, key: string) => {
      const v = values.get(key.toLowerCase());
      return v === undefined ? whole : v === '' ? EMPTY : v;
    });
    if (!out.includes(EMPTY)) return out;
    // an empty [name] must not leave "Hi , welcome" or a double space behind
    return out
      .replace(/ *\u0000 *(?=[,.!?;:])/g, '')
      .replace(/^\u0000 */gm, '')
      .replace(/ *\u0000 */g, ' ');
  };
  return mapStrings(content, fill) as Content<M>;
}

/**
 * Custom variables that some recipients define and others lack, while the
 * content uses them: the copy for the recipient without it would go out
 * with a raw "[city]". Returns [recipient index, variable] pairs.
 */
export function missingVariables(content: Content<unknown>, recipients: RecipientVars[]): [number, string][] {
  const used = placeholdersIn(content);
  used.delete('name');
  used.delete('phone');
  const defined = new Set<string>();
  for (const r of recipients) for (const k of Object.keys(r.variables ?? {})) defined.add(k.toLowerCase());
  const relevant = [...used].filter((u) => defined.has(u));
  const out: [number, string][] = [];
  recipients.forEach((r, i) => {
    const own = new Set(Object.keys(r.variables ?? {}).map((k) => k.toLowerCase()));
    for (const v of relevant) if (!own.has(v)) out.push([i, v]);
  });
  return out;
}

/** Applies a text transformation to the content's main text (text, caption, or the interactive body). */
export function mapMainText<M>(content: Content<M>, fn: (text: string) => string): Content<M> {
  switch (content.type) {
    case 'text':
    case 'buttons':
    case 'list':
      return { ...content, text: fn(content.text) };
    case 'image':
    case 'video':
    case 'document':
      return content.caption ? { ...content, caption: fn(content.caption) } : content;
    default:
      return content;
  }
}
