/**
 * Translates the port's Mongo-style filters and sorts into SQLite over JSON
 * documents. Paths are inlined as literals (validated by splitPath) so that
 * SQLite can match them against the expression indexes; values are always
 * bound parameters.
 *
 * Semantics follow MongoDB: `{f: null}` matches null or missing, `$ne`/`$nin`
 * match missing fields, comparisons only match values of the same type.
 */
import { splitPath } from '../documents.js';
import type { FieldOps, Filter, Scalar, Sort } from '../port.js';

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

export function fieldExpr(path: string): string {
  if (path === '_id') return 'id';
  return `json_extract(doc, '$.${splitPath(path).map((s) => `"${s}"`).join('.')}')`;
}

function typeExpr(path: string): string {
  if (path === '_id') return `'text'`;
  return `json_type(doc, '$.${splitPath(path).map((s) => `"${s}"`).join('.')}')`;
}

/**
 * A type check is added only where SQLite's ordering could match across
 * types: all numbers sort below all text, so `> number` would match strings
 * and `< string` would match numbers. Equality needs none — TEXT never
 * equals an INTEGER — except that JSON true/false read back as 1/0, which is
 * why booleans are compared by json_type. Each guard parses the document
 * once more, so leaving out the needless ones halves the JSON work of a
 * typical query.
 */
function rangeGuard(path: string, op: string, value: string | number): string {
  if (path === '_id') return '';
  const upward = op === '$gt' || op === '$gte';
  if (typeof value === 'number') return upward ? ` AND ${typeExpr(path)} IN ('integer','real')` : '';
  return upward ? '' : ` AND ${typeExpr(path)} = 'text'`;
}

/** May be SQL NULL for a missing field; negations go through notNull(). */
function eq(path: string, value: Scalar, params: unknown[]): string {
  if (value === null) return `(${fieldExpr(path)} IS NULL)`;
  if (typeof value === 'boolean') return `(${typeExpr(path)} IS '${value ? 'true' : 'false'}')`;
  params.push(value);
  return `(${fieldExpr(path)} = ?)`;
}

function inList(path: string, values: Scalar[], params: unknown[]): string {
  if (values.length === 0) return '(0)';
  const plain = values.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number');
  const parts: string[] = [];
  if (plain.length > 0) {
    params.push(...plain);
    parts.push(`(${fieldExpr(path)} IN (${plain.map(() => '?').join(',')}))`);
  }
  for (const v of values) if (v === null || typeof v === 'boolean') parts.push(eq(path, v, params));
  return `(${parts.join(' OR ')})`;
}

function notNull(predicate: string): string {
  return `(NOT COALESCE(${predicate}, 0))`;
}

const COMPARATORS: Record<string, string> = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' };

function fieldCondition(path: string, ops: FieldOps, params: unknown[]): string {
  const parts: string[] = [];
  for (const [op, value] of Object.entries(ops)) {
    if (value === undefined) continue;
    switch (op) {
      case '$eq':
        parts.push(eq(path, value as Scalar, params));
        break;
      case '$ne':
        parts.push(notNull(eq(path, value as Scalar, params)));
        break;
      case '$in':
        parts.push(inList(path, value as Scalar[], params));
        break;
      case '$nin':
        parts.push(notNull(inList(path, value as Scalar[], params)));
        break;
      case '$exists':
        parts.push(value ? `(${typeExpr(path)} IS NOT NULL)` : `(${typeExpr(path)} IS NULL)`);
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte': {
        const v = value as string | number;
        params.push(v);
        parts.push(`(${fieldExpr(path)} ${COMPARATORS[op]} ?${rangeGuard(path, op, v)})`);
        break;
      }
      default:
        throw new Error(`unsupported filter operator ${op} on ${path}`);
    }
  }
  return parts.length > 0 ? parts.join(' AND ') : '1';
}

function isOps(value: unknown): value is FieldOps {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).every((k) => k.startsWith('$'));
}

export function whereClause(filter: Filter): SqlFragment {
  const params: unknown[] = [];
  const sql = build(filter, params);
  return { sql, params };
}

function build(filter: Filter, params: unknown[]): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === '$or' || key === '$and') {
      const subs = (value as Filter[]).map((f) => `(${build(f, params)})`);
      if (subs.length === 0) parts.push(key === '$or' ? '0' : '1');
      else parts.push(`(${subs.join(key === '$or' ? ' OR ' : ' AND ')})`);
    } else if (isOps(value)) {
      parts.push(fieldCondition(key, value, params));
    } else if (value === null || typeof value !== 'object') {
      parts.push(eq(key, value as Scalar, params));
    } else {
      throw new Error(`unsupported filter value for ${key}`);
    }
  }
  return parts.length > 0 ? parts.join(' AND ') : '1';
}

export function orderBy(sort: Sort | undefined): string {
  if (!sort) return '';
  const parts = Object.entries(sort).map(([path, dir]) => `${fieldExpr(path)} ${dir === -1 ? 'DESC' : 'ASC'}`);
  return parts.length > 0 ? ` ORDER BY ${parts.join(', ')}` : '';
}
