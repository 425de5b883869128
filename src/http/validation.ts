/** Zod issues → problem+json field errors, with the request location in the field name. */
import type { z } from 'zod';
import { ValidationError, type FieldProblem, type ServiceError } from '../services/errors.js';

export type Location = 'body' | 'query' | 'params';

function join(location: Location, path: PropertyKey[]): string {
  return [location, ...path.map(String)].join('.');
}

export function issuesToProblems(location: Location, issues: z.core.$ZodIssue[]): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ field: join(location, [...issue.path, key]), message: 'is not a known field' });
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      out.push({ field: join(location, issue.path), message: 'is required' });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // report the branch that got furthest, not "invalid input"
      const best = issue.errors.reduce((a, b) => (b.length < a.length ? b : a));
      out.push(...issuesToProblems(location, best.map((i) => ({ ...i, path: [...issue.path, ...i.path] }))));
    } else {
      out.push({ field: join(location, issue.path), message: issue.message });
    }
  }
  return out;
}

export function parseOrThrow<T extends z.ZodType>(schema: T, location: Location, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationError(location, result.error.issues);
}

export function validationError(location: Location, issues: z.core.$ZodIssue[]): ServiceError {
  return ValidationError.many(issuesToProblems(location, issues));
}
