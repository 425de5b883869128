/**
 * Renders a reply for one inbound message: spintax first, then placeholders,
 * in every human-readable text of the content (text, caption, button and list
 * texts, poll name and options, location name). URLs, ids and media are never
 * touched.
 */
import type { Content } from './content.js';
import { fillPlaceholders, type PlaceholderContext } from './placeholders.js';
import type { Random } from './random.js';
import { Spintax } from './spintax.js';

const parsed = new Map<string, Spintax>();

/** Rule replies repeat, so each template is parsed once. */
function spintax(template: string): Spintax {
  let s = parsed.get(template);
  if (!s) {
    if (parsed.size > 10_000) parsed.clear();
    s = new Spintax(template);
    parsed.set(template, s);
  }
  return s;
}

export function renderText(template: string, random: Random, ctx: PlaceholderContext): string {
  return fillPlaceholders(spintax(template).render(random), ctx);
}

export function renderContent(content: Content, random: Random, ctx: PlaceholderContext): Content {
  switch (content.type) {
    case 'text':
      return { ...content, text: renderText(content.text, random, ctx) };
    case 'image':
    case 'video':
    case 'document':
      return content.caption === undefined ? content : { ...content, caption: renderText(content.caption, random, ctx) };
    case 'location':
      return content.name === undefined ? content : { ...content, name: renderText(content.name, random, ctx) };
    case 'poll':
      return { ...content, name: renderText(content.name, random, ctx), options: content.options.map((o) => renderText(o, random, ctx)) };
    case 'buttons':
      return {
        ...content,
        text: renderText(content.text, random, ctx),
        ...(content.footer !== undefined ? { footer: renderText(content.footer, random, ctx) } : {}),
        buttons: content.buttons.map((b) => ({ ...b, title: renderText(b.title, random, ctx) })),
      };
    case 'list':
      return {
        ...content,
        text: renderText(content.text, random, ctx),
        ...(content.title !== undefined ? { title: renderText(content.title, random, ctx) } : {}),
        ...(content.footer !== undefined ? { footer: renderText(content.footer, random, ctx) } : {}),
      };
    default:
      return content;
  }
}

/** Why a rendered reply cannot be sent (spintax chose only empty options), or null. */
export function emptyReason(content: Content): string | null {
  if (content.type === 'text' && content.text.trim() === '') return 'the rendered text is empty';
  if ((content.type === 'buttons' || content.type === 'list') && content.text.trim() === '') return 'the rendered text is empty';
  if (content.type === 'poll' && content.name.trim() === '') return 'the rendered poll name is empty';
  return null;
}
