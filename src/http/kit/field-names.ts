/**
 * Services name failing fields in the native API's words (`body.to`,
 * `body.schedule_at`, `file`). A dialect's client knows only its own field
 * names, so the dialect renames them in the error before it leaves: a 400
 * must name the field the caller actually sent.
 */
import { ServiceError } from '../../services/errors.js';

/** Native field (or prefix) → the dialect's name for it. */
export type FieldNames = Record<string, string>;

function renameField(field: string, names: FieldNames): string {
  for (const [native, dialect] of Object.entries(names)) {
    if (field === native || field.startsWith(`${native}.`)) return dialect + field.slice(native.length);
  }
  return field;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The error with the dialect's field names, in the field list and in the message; the error itself when it names none of them. */
export function renameFields(err: ServiceError, names: FieldNames): ServiceError {
  let message = err.message;
  for (const [native, dialect] of Object.entries(names)) {
    // only whole field names: `body.to` must not touch `body.token`
    message = message.replace(new RegExp(`(^|[\\s;(])${escapeRegExp(native)}(?=[:.\\s)]|$)`, 'g'), `$1${dialect}`);
  }
  const errors = err.errors.map((e) => ({ field: renameField(e.field, names), message: e.message }));
  // kept as it is (and of its class, which a dialect's wording may look at) when nothing was renamed
  if (message === err.message && errors.every((e, i) => e.field === err.errors[i].field)) return err;
  return new ServiceError(err.status, err.title, message, errors, err.headers, err.type);
}

/** Runs a service call, translating the field names of any error it raises. */
export async function withFieldNames<T>(names: FieldNames, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw err instanceof ServiceError ? renameFields(err, names) : err;
  }
}
