/**
 * Seed 001's envelopes: `{success: true, message?, data}` on success and
 * `{success: false, error}` on errors (plus `errors`, the failing fields,
 * when the request was invalid). Texts are in Spanish like the seed's.
 */
import { z } from 'zod';
import type { NotConnectedError } from '../../../../services/errors.js';
import type { ErrorFormatter } from '../../../middleware/problem.js';
import { headedErrors } from '../../../kit/headed-errors.js';

export const SEED001_TAG = 'Seed 001 — WhatsApp API Engine';

export const SEED001_TAG_DOC = {
  name: SEED001_TAG,
  description:
    '"WhatsApp API Engine" (`/api/contacts`, `/api/messages`, `/api/session`, `/api/webhooks`). Auth: the instance token in `X-API-Key`. ' +
    'Answers `{success, message?, data}`; errors `{success: false, error, errors?}` — 400 on validation errors (naming the field), 503 when WhatsApp is not connected, 404 when no QR is available. ' +
    'Every route counts against the seed rate limit: 100 requests per 15 minutes per IP by default (`http.seedApiRateLimit`), with RateLimit-* headers and Retry-After on 429. ' +
    '`POST /api/messages/send` is listed under the paths seed 001 shares with seed 002.',
};

const errors = headedErrors({
  field: 'error',
  always: [400, 401, 429],
  schemaId: 'Seed001Error',
  fieldsDescription: 'the failing fields, on validation errors',
  headings: {
    400: 'Error de validación',
    401: 'API key inválida o ausente',
    502: 'WhatsApp no respondió como se esperaba',
    503: 'WhatsApp no conectado',
  },
});

export const { heading, errorResponses } = errors;
export const seed001Error: ErrorFormatter = errors.format;

/** Seed 001's own way back: restart the session, then scan its QR. */
export function seed001NotConnected(err: NotConnectedError): string {
  return `WhatsApp is not connected (status: ${err.connection}); start it with POST /api/session/restart, scan GET /api/session/qr if it asks for a QR, and try again`;
}

export const SEED001_CREDENTIALS = 'send your API key in the X-API-Key header';

/** `{success: true, message?, data}` as a response schema. */
export function successSchema(id: string, data: z.ZodType) {
  return z.object({ success: z.literal(true), message: z.string().optional(), data }).meta({ id });
}

export function ok(data: unknown, message?: string) {
  return { success: true, ...(message !== undefined ? { message } : {}), data };
}
