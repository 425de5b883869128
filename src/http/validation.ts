/**
 * Zod issues → problem+json field errors, with the request location in the
 * field name. A field that is missing "is required"; a field of the wrong
 * kind says what was expected and what came (`body.from: expected a string
 * like "09:00", got a number`), with the schema's example when it has one.
 * Zod 4 reports the offending input only when asked (`reportInput`); JSON
 * has no undefined, so an undefined input is a missing field.
 */
import { z } from 'zod';
import { ValidationError, type FieldProblem, type ServiceError } from '../services/errors.js';

export type Location = 'body' | 'query' | 'params';

type Issue = z.core.$ZodIssue;

function join(location: Location, path: PropertyKey[]): string {
  return [location, ...path.map(String)].join('.');
}

/** `schema` (the one that was parsed) gives the examples named in wrong-type messages. */
export function issuesToProblems(location: Location, issues: Issue[], schema?: z.ZodType): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ field: join(location, [...issue.path, key]), message: 'is not a known field' });
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      out.push({ field: join(location, issue.path), message: 'is required' });
    } else if (issue.code === 'invalid_type') {
      out.push({ field: join(location, issue.path), message: `expected ${expected(issue.expected, schema && exampleAt(schema, issue.path))}, got ${got(issue.input)}` });
    } else if (issue.code === 'invalid_value' && issue.input !== undefined) {
      const options = issue.values.map((v) => JSON.stringify(v));
      const wanted = options.length === 1 ? options[0] : `one of ${options.join(', ')}`;
      out.push({ field: join(location, issue.path), message: `expected ${wanted}, got ${got(issue.input)}` });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // report the branch that got furthest, not "invalid input"
      const best = issue.errors.reduce((a, b) => (b.length < a.length ? b : a));
      out.push(...issuesToProblems(location, best.map((i) => ({ ...i, path: [...issue.path, ...i.path] })), schema));
    } else {
      out.push({ field: join(location, issue.path), message: issue.message });
    }
  }
  return out;
}

export function parseOrThrow<T extends z.ZodType>(schema: T, location: Location, input: unknown): z.output<T> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  throw validationError(location, result.error.issues, schema);
}

export function validationError(location: Location, issues: Issue[], schema?: z.ZodType): ServiceError {
  return ValidationError.many(issuesToProblems(location, issues, schema));
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  record: 'an object',
  bigint: 'an integer',
  date: 'a date',
  null: 'null',
};

function expected(type: string, example: unknown): string {
  const phrase = EXPECTED[type] ?? `a value of type ${type}`;
  if (example === undefined) return phrase;
  if (type === 'string' && typeof example === 'string') return `${phrase} like ${JSON.stringify(example)}`;
  if (type === 'number' || type === 'int' || type === 'array' || type === 'object') return `${phrase} like ${JSON.stringify(example)}`;
  return phrase;
}

/** What came, as a phrase: the JSON type, and short strings themselves (`"2000"` says why it is not a number). */
function got(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  switch (typeof input) {
    case 'string':
      return input.length <= 40 ? `the string ${JSON.stringify(input)}` : 'a string';
    case 'number':
      return Number.isNaN(input) ? 'something that is not a number' : 'a number';
    case 'boolean':
      return `${input}`;
    case 'object':
      return 'an object';
    default:
      return typeof input;
  }
}

/** The documented example of the field at `path`, looked up through wrappers, arrays, records and union options. */
function exampleAt(schema: z.ZodType, path: PropertyKey[]): unknown {
  return walk(schema as unknown as z.core.$ZodType, path, 0);
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional', 'lazy', 'pipe']);

function metaExample(schema: z.core.$ZodType): unknown {
  return (z.globalRegistry.get(schema) as { example?: unknown } | undefined)?.example;
}

function walk(schema: z.core.$ZodType, path: PropertyKey[], depth: number): unknown {
  if (depth > 32) return undefined;
  const own = metaExample(schema);
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  if (WRAPPERS.has(def.type)) {
    const inner = (def.type === 'lazy' ? (def.getter as () => z.core.$ZodType)() : def.type === 'pipe' ? def.in : def.innerType) as z.core.$ZodType;
    const below = walk(inner, path, depth + 1);
    return path.length === 0 && own !== undefined ? own : below;
  }
  if (path.length === 0) return own;
  const [key, ...rest] = path;
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, z.core.$ZodType>;
      const child = Object.hasOwn(shape, String(key)) ? shape[String(key)] : (def.catchall as z.core.$ZodType | undefined);
      return child ? walk(child, rest, depth + 1) : undefined;
    }
    case 'array':
      return walk(def.element as z.core.$ZodType, rest, depth + 1);
    case 'record':
      return walk(def.valueType as z.core.$ZodType, rest, depth + 1);
    case 'tuple':
      return typeof key === 'number' && (def.items as z.core.$ZodType[])[key] ? walk((def.items as z.core.$ZodType[])[key], rest, depth + 1) : undefined;
    case 'union':
      for (const option of def.options as z.core.$ZodType[]) {
        const found = walk(option, path, depth + 1);
        if (found !== undefined) return found;
      }
      return undefined;
    case 'intersection':
      return walk(def.left as z.core.$ZodType, path, depth + 1) ?? walk(def.right as z.core.$ZodType, path, depth + 1);
    default:
      return undefined;
  }
}
