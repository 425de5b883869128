/**
 * Buttons and lists as faithful text. Baileys 7 cannot send native
 * interactive messages reliably (see shared/reference/baileys-7.md §8), so
 * every engine receives this rendering instead: nothing is dropped, and the
 * recipient can still answer by number.
 */
import type { Content } from './content.js';

type Interactive<M> = Extract<Content<M>, { type: 'buttons' | 'list' }>;

export function isInteractive<M>(content: Content<M>): content is Interactive<M> {
  return content.type === 'buttons' || content.type === 'list';
}

function renderButtons(c: Extract<Content<unknown>, { type: 'buttons' }>): string {
  const lines = [c.text, ''];
  c.buttons.forEach((b, i) => {
    if (b.type === 'url') lines.push(`${i + 1}. ${b.title}: ${b.payload}`);
    else if (b.type === 'call') lines.push(`${i + 1}. ${b.title}: ${/^\+/.test(b.payload ?? '') ? b.payload : `+${b.payload}`}`);
    else lines.push(`${i + 1}. ${b.title}`);
  });
  if (c.buttons.some((b) => b.type === 'reply')) lines.push('', 'Reply with the number of your choice.');
  if (c.footer) lines.push('', `_${c.footer}_`);
  return lines.join('\n');
}

function renderList(c: Extract<Content<unknown>, { type: 'list' }>): string {
  const lines: string[] = [];
  if (c.title) lines.push(`*${c.title}*`);
  lines.push(c.text);
  let n = 0;
  for (const section of c.sections) {
    lines.push('');
    if (section.title) lines.push(`*${section.title}*`);
    for (const row of section.rows) {
      n++;
      lines.push(`${n}. ${row.title}${row.description ? ` — ${row.description}` : ''}`);
    }
  }
  lines.push('', `${c.button_text}: reply with the number of your choice.`);
  if (c.footer) lines.push('', `_${c.footer}_`);
  return lines.join('\n');
}

/** Text (or media with the text as caption) that carries every option of an interactive message. */
export function renderInteractive<M>(content: Content<M>): Content<M> {
  const { mentions, reply_to } = content;
  const common = { ...(mentions ? { mentions } : {}), ...(reply_to ? { reply_to } : {}) };
  if (content.type === 'list') return { ...common, type: 'text', text: renderList(content) };
  if (content.type === 'buttons') {
    const text = renderButtons(content);
    return content.media ? { ...common, type: 'image', media: content.media, caption: text } : { ...common, type: 'text', text };
  }
  return content;
}
