/**
 * The layering rules of docs/architecture.md, checked on the source: the
 * import graph of src/ (type-only imports included) has no cycles,
 * dependencies point inward, services never branch on the store backend,
 * and production code never imports test support.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import ts from 'typescript';

const SRC = path.dirname(fileURLToPath(import.meta.url));

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

const isTest = (file: string) => file.endsWith('.test.ts');
const rel = (file: string) => path.relative(SRC, file).split(path.sep).join('/');

/** Each file's relative imports (static, dynamic and type-only), resolved to the .ts files they name. */
function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles
      .map((f) => f.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => path.resolve(path.dirname(file), name.replace(/\.js$/, '.ts')));
    graph.set(file, targets);
  }
  return graph;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indexes = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    indexes.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indexes.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexes.get(w)!));
    }
    if (low.get(v) === indexes.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.map(rel).sort());
    }
  };
  for (const v of graph.keys()) if (!indexes.has(v)) visit(v);
  return found;
}

describe('architecture', () => {
  const files = sourceFiles(SRC);
  const production = files.filter((f) => !isTest(f) && !rel(f).startsWith('test-support/'));
  const graph = importGraph(files);

  it('has no import cycles', () => {
    expect(cycles(graph)).to.deep.equal([]);
  });

  it('finds cycles when there are some (the check itself)', () => {
    const a = path.join(SRC, 'a.ts');
    const b = path.join(SRC, 'b.ts');
    const c = path.join(SRC, 'c.ts');
    expect(cycles(new Map([[a, [b]], [b, [a]], [c, [a]]]))).to.deep.equal([['a.ts', 'b.ts']]);
  });

  it('keeps the domain pure: it imports only the domain and libraries without I/O', () => {
    const offending: string[] = [];
    for (const file of production.filter((f) => rel(f).startsWith('domain/'))) {
      for (const target of graph.get(file) ?? []) if (!rel(target).startsWith('domain/')) offending.push(`${rel(file)} → ${rel(target)}`);
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/from '(node:[a-z_/]+)'/g)) offending.push(`${rel(file)} → ${m[1]}`);
    }
    expect(offending).to.deep.equal([]);
  });

  it('points dependencies inward: the store and engines know no services, services know no HTTP, nothing but the root knows the modules', () => {
    const rules: [string, string[]][] = [
      ['store/', ['services/', 'http/', 'modules/']],
      ['engines/', ['services/', 'http/', 'modules/']],
      ['services/', ['http/', 'modules/']],
      ['http/', ['modules/']],
    ];
    const offending: string[] = [];
    for (const file of production) {
      const from = rel(file);
      for (const [layer, forbidden] of rules) {
        if (!from.startsWith(layer)) continue;
        for (const target of graph.get(file) ?? []) if (forbidden.some((f) => rel(target).startsWith(f))) offending.push(`${from} → ${rel(target)}`);
      }
    }
    expect(offending).to.deep.equal([]);
  });

  it('never branches on the store backend outside the store', () => {
    const offending = production.filter((f) => !rel(f).startsWith('store/') && /\.kind\s*[!=]==\s*'(embedded|mongodb)'/.test(fs.readFileSync(f, 'utf8'))).map(rel);
    expect(offending).to.deep.equal([]);
  });

  it('keeps test support out of production code', () => {
    const offending: string[] = [];
    for (const file of production) for (const target of graph.get(file) ?? []) if (rel(target).startsWith('test-support/')) offending.push(`${rel(file)} → ${rel(target)}`);
    expect(offending).to.deep.equal([]);
  });

  it('gives route handlers narrow faces: no route imports the store, the engine hub, the engine manager or an engine', () => {
    // the test chat's request schema is declared once, beside the sandbox engine that builds messages from it
    const allowed = new Set(['engines/sandbox/sandbox-input.ts']);
    const offending: string[] = [];
    for (const file of production.filter((f) => rel(f).startsWith('http/routes/'))) {
      for (const target of graph.get(file) ?? []) {
        const t = rel(target);
        const forbidden = t === 'store/port.ts' || t === 'services/engine-hub.ts' || t === 'services/engine-manager.ts' || t.startsWith('engines/');
        if (forbidden && !allowed.has(t)) offending.push(`${rel(file)} → ${t}`);
      }
    }
    expect(offending).to.deep.equal([]);
  });
});
