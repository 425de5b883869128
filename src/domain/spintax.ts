/**
 * Spintax: `{a|b|{c|d}}` picks one option per group, nested groups too, and
 * empty options are allowed (`{|!}`). `\{ \} \|` are literal braces and bars.
 * `\[ \]` are kept escaped here so the placeholder pass, which runs after,
 * knows they are not placeholders. Braces that do not pair up are literal
 * text: owners' typos must never break a reply.
 */
import { pick, type Random } from './random.js';

type Node = string | Group;
interface Group {
  options: Node[][];
}

/** Index of the matching `}` for every `{` that has one; unpaired braces are absent. */
function pairBraces(template: string): Map<number, number> {
  const pairs = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') open.push(i);
    else if (c === '}' && open.length > 0) pairs.set(open.pop()!, i);
  }
  return pairs;
}

function parseRange(template: string, from: number, to: number, pairs: Map<number, number>, splitBars: boolean): Node[][] {
  const options: Node[][] = [[]];
  let literal = '';
  const flush = () => {
    if (literal) options[options.length - 1].push(literal);
    literal = '';
  };
  for (let i = from; i < to; i++) {
    const c = template[i];
    if (c === '\\' && i + 1 < to) {
      const next = template[i + 1];
      if (next === '{' || next === '}' || next === '|') {
        literal += next;
        i++;
        continue;
      }
      if (next === '[' || next === ']') {
        literal += c + next;
        i++;
        continue;
      }
      literal += c;
      continue;
    }
    if (c === '{' && pairs.has(i)) {
      flush();
      const close = pairs.get(i)!;
      options[options.length - 1].push({ options: parseRange(template, i + 1, close, pairs, true) });
      i = close;
      continue;
    }
    if (c === '|' && splitBars) {
      flush();
      options.push([]);
      continue;
    }
    literal += c;
  }
  flush();
  return options;
}

function render(nodes: Node[], random: Random): string {
  let out = '';
  for (const node of nodes) out += typeof node === 'string' ? node : render(pick(node.options, random), random);
  return out;
}

/** A template parsed once (rule replies are parsed at compile time) and rendered per message. */
export class Spintax {
  /** @internal */
  readonly nodes: Node[];
  /** True when rendering can only ever give one result (no groups). */
  readonly isStatic: boolean;

  constructor(readonly template: string) {
    this.nodes = parseRange(template, 0, template.length, pairBraces(template), false)[0];
    this.isStatic = this.nodes.every((n) => typeof n === 'string');
  }

  render(random: Random): string {
    return render(this.nodes, random);
  }
}

export function spin(template: string, random: Random): string {
  return new Spintax(template).render(random);
}

/** Every text a template can produce (for tests and previews); capped to keep it cheap. */
export function spinAll(template: string, limit = 1000): string[] {
  const expand = (nodes: Node[]): string[] => {
    let acc = [''];
    for (const node of nodes) {
      const parts = typeof node === 'string' ? [node] : node.options.flatMap(expand);
      const next: string[] = [];
      for (const a of acc) for (const p of parts) if (next.length < limit) next.push(a + p);
      acc = next;
    }
    return acc;
  };
  return [...new Set(expand(new Spintax(template).nodes))];
}
