/**
 * Pure document helpers shared by the backends: dotted-path access, applying
 * update operators, and building the base document of an upsert.
 */
import type { Filter, Update } from './port.js';

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Rejects paths that could not be expressed safely as a JSON path (they are inlined into SQL). */
export function splitPath(path: string): string[] {
  const segments = path.split('.');
  for (const s of segments) {
    if (!SEGMENT.test(s)) throw new Error(`invalid field path: ${path}`);
  }
  return segments;
}

export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const s of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[s];
  }
  return cur;
}

function parentOf(doc: Record<string, unknown>, path: string, create: boolean): [Record<string, unknown>, string] | null {
  const segments = splitPath(path);
  let cur = doc;
  for (const s of segments.slice(0, -1)) {
    const next = cur[s];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      if (!create) return null;
      cur[s] = {};
    }
    cur = cur[s] as Record<string, unknown>;
  }
  return [cur, segments[segments.length - 1]];
}

export function setPath(doc: Record<string, unknown>, path: string, value: unknown): void {
  const [parent, key] = parentOf(doc, path, true)!;
  parent[key] = value;
}

export function unsetPath(doc: Record<string, unknown>, path: string): void {
  const found = parentOf(doc, path, false);
  if (found) delete found[0][found[1]];
}

/** Values are copied so a stored document never aliases the caller's objects. */
function clone<T>(value: T): T {
  return value === null || typeof value !== 'object' ? value : structuredClone(value);
}

/**
 * Applies update operators. `inserting` enables `$setOnInsert`. The document
 * is modified in place unless `copy` is set: backends pass freshly parsed
 * rows that nobody else holds.
 */
export function applyUpdate<T extends object>(doc: T, update: Update, inserting: boolean, copy = false): T {
  const out = (copy ? structuredClone(doc) : doc) as Record<string, unknown>;
  for (const [op, fields] of Object.entries(update)) {
    if (fields === undefined) continue;
    for (const [path, value] of Object.entries(fields as Record<string, unknown>)) {
      if (path === '_id' && op !== '$setOnInsert') continue;
      switch (op) {
        case '$set':
          setPath(out, path, clone(value));
          break;
        case '$setOnInsert':
          if (inserting) setPath(out, path, clone(value));
          break;
        case '$unset':
          unsetPath(out, path);
          break;
        case '$inc': {
          const current = getPath(out, path);
          setPath(out, path, (typeof current === 'number' ? current : 0) + (value as number));
          break;
        }
        case '$push': {
          const current = getPath(out, path);
          setPath(out, path, [...(Array.isArray(current) ? current : []), clone(value)]);
          break;
        }
        default:
          throw new Error(`unsupported update operator ${op}`);
      }
    }
  }
  return out as T;
}

/** The document an upsert starts from: the filter's top-level equality conditions. */
export function upsertBase(filter: Filter): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  for (const [path, cond] of Object.entries(filter)) {
    if (path.startsWith('$')) continue;
    if (cond === null || typeof cond !== 'object') setPath(base, path, cond);
    else if (!Array.isArray(cond) && '$eq' in cond) setPath(base, path, cond.$eq);
  }
  return base;
}
