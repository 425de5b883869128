/**
 * The port's Mongo-style filters and sorts as PostgreSQL over a JSONB `doc`
 * column. Paths are inlined as literals (validated by splitPath), so the
 * planner can match them against the expression indexes; values are always
 * bound parameters, as JSONB.
 *
 * Semantics follow MongoDB, as the embedded backend does: `{f: null}`
 * matches null or missing, `$ne`/`$nin` match missing fields, comparisons
 * only match values of the same type, strings compare byte-wise.
 */
import { splitPath } from '../documents.js';
import type { FieldOps, Filter, Scalar, Sort } from '../port.js';

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

function literal(segment: string): string {
  return `'${segment.replace(/'/g, "''")}'`;
}

/** The JSONB value at `path` (SQL NULL when missing); `_id` is the id column, as JSONB. */
export function jsonAt(path: string): string {
  if (path === '_id') return 'to_jsonb(id)';
  return `(doc->${splitPath(path).map(literal).join('->')})`;
}

class Params {
  readonly values: unknown[] = [];
  json(value: Scalar): string {
    this.values.push(JSON.stringify(value));
    return `$${this.values.length}::jsonb`;
  }
  raw(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

function eq(path: string, value: Scalar, p: Params): string {
  if (path === '_id') return value === null ? 'FALSE' : `(id = ${p.raw(String(value), 'text')})`;
  if (value === null) return `(${jsonAt(path)} IS NULL OR ${jsonAt(path)} = 'null'::jsonb)`;
  return `(${jsonAt(path)} = ${p.json(value)})`;
}

function inList(path: string, values: Scalar[], p: Params): string {
  if (values.length === 0) return 'FALSE';
  const parts = values.filter((v) => v !== null).length > 0 ? [`(${jsonAt(path)} = ANY(${p.raw(values.filter((v) => v !== null).map((v) => JSON.stringify(v)), 'jsonb[]')}))`] : [];
  if (values.includes(null)) parts.push(eq(path, null, p));
  return `(${parts.join(' OR ')})`;
}

function not(predicate: string): string {
  return `(NOT COALESCE(${predicate}, FALSE))`;
}

const COMPARATORS: Record<string, string> = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' };

function range(path: string, op: string, value: string | number, p: Params): string {
  const cmp = COMPARATORS[op]!;
  if (path === '_id') return `(id COLLATE "C" ${cmp} ${p.raw(String(value), 'text')})`;
  const at = jsonAt(path);
  // CASE, not AND: PostgreSQL may evaluate the cast before the type check
  if (typeof value === 'number') return `((CASE WHEN jsonb_typeof(${at}) = 'number' THEN (${at})::numeric END) ${cmp} ${p.raw(value, 'numeric')})`;
  return `(jsonb_typeof(${at}) = 'string' AND (${at} #>> '{}') COLLATE "C" ${cmp} ${p.raw(value, 'text')})`;
}

function fieldCondition(path: string, ops: FieldOps, p: Params): string {
  const parts: string[] = [];
  for (const [op, value] of Object.entries(ops)) {
    if (value === undefined) continue;
    switch (op) {
      case '$eq':
        parts.push(eq(path, value as Scalar, p));
        break;
      case '$ne':
        parts.push(not(eq(path, value as Scalar, p)));
        break;
      case '$in':
        parts.push(inList(path, value as Scalar[], p));
        break;
      case '$nin':
        parts.push(not(inList(path, value as Scalar[], p)));
        break;
      case '$exists':
        parts.push(path === '_id' ? (value ? 'TRUE' : 'FALSE') : `(${jsonAt(path)} IS ${value ? 'NOT ' : ''}NULL)`);
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        parts.push(range(path, op, value as string | number, p));
        break;
      default:
        throw new Error(`unsupported filter operator ${op} on ${path}`);
    }
  }
  return parts.length > 0 ? parts.join(' AND ') : 'TRUE';
}

function isOps(value: unknown): value is FieldOps {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).every((k) => k.startsWith('$'));
}

function build(filter: Filter, p: Params): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === '$or' || key === '$and') {
      const subs = (value as Filter[]).map((f) => `(${build(f, p)})`);
      if (subs.length === 0) parts.push(key === '$or' ? 'FALSE' : 'TRUE');
      else parts.push(`(${subs.join(key === '$or' ? ' OR ' : ' AND ')})`);
    } else if (isOps(value)) {
      parts.push(fieldCondition(key, value, p));
    } else if (value === null || typeof value !== 'object') {
      parts.push(eq(key, value as Scalar, p));
    } else {
      throw new Error(`unsupported filter value for ${key}`);
    }
  }
  return parts.length > 0 ? parts.join(' AND ') : 'TRUE';
}

/** Parameters are numbered from $1; a query adds its own after them. */
export function whereClause(filter: Filter): SqlFragment {
  const p = new Params();
  const sql = build(filter, p);
  return { sql, params: p.values };
}

/**
 * MongoDB's order across types (missing and null, then numbers, then
 * strings, then the rest), numbers numerically, strings byte-wise.
 */
export function orderBy(sort: Sort | undefined): string {
  if (!sort) return '';
  const parts: string[] = [];
  for (const [path, dir] of Object.entries(sort)) {
    const d = dir === -1 ? 'DESC' : 'ASC';
    if (path === '_id') {
      parts.push(`id COLLATE "C" ${d}`);
      continue;
    }
    const at = jsonAt(path);
    parts.push(
      `(CASE jsonb_typeof(${at}) WHEN 'number' THEN 1 WHEN 'string' THEN 2 WHEN 'object' THEN 3 WHEN 'array' THEN 4 WHEN 'boolean' THEN 5 ELSE 0 END) ${d}`,
      `(CASE WHEN jsonb_typeof(${at}) = 'number' THEN (${at})::numeric END) ${d}`,
      `(CASE WHEN jsonb_typeof(${at}) = 'string' THEN ${at} #>> '{}' END) COLLATE "C" ${d}`,
      `(CASE WHEN jsonb_typeof(${at}) NOT IN ('number', 'string') THEN ${at} END) ${d}`,
    );
  }
  return parts.length > 0 ? ` ORDER BY ${parts.join(', ')}` : '';
}
