/**
 * Seed 001's envelopes: `{success: true, message?, data}` on success and
 * `{success: false, error}` on errors (plus `errors`, the failing fields,
 * when the request was invalid). Texts are in Spanish like the seed's.
 */
import { z } from 'zod';
import type { ErrorFormatter } from '../../../middleware/problem.js';
import type { ResponseSpec } from '../../../route.js';

export const SEED001_TAG = 'Seed 001 — WhatsApp API Engine';

export const SEED001_TAG_DOC = {
  name: SEED001_TAG,
  description:
    '"WhatsApp API Engine" (`/api/contacts`, `/api/messages`, `/api/session`, `/api/webhooks`). Auth: the instance token in `X-API-Key`. ' +
    'Answers `{success, message?, data}`; errors `{success: false, error, errors?}` — 400 on validation errors (naming the field), 503 when WhatsApp is not connected, 404 when no QR is available. ' +
    'Every route counts against the seed rate limit: 100 requests per 15 minutes per IP by default (`http.seedApiRateLimit`), with RateLimit-* headers and Retry-After on 429. ' +
    '`POST /api/messages/send` is listed under the paths seed 001 shares with seed 002.',
};

const HEADINGS: Record<number, string> = {
  400: 'Error de validación',
  401: 'API key inválida o ausente',
  403: 'Prohibido',
  404: 'No encontrado',
  409: 'Conflicto',
  413: 'Archivo demasiado grande',
  415: 'Tipo de contenido no soportado',
  422: 'Solicitud no procesable',
  429: 'Demasiadas solicitudes',
  502: 'WhatsApp no respondió como se esperaba',
  503: 'WhatsApp no conectado',
};

export function heading(status: number): string {
  return HEADINGS[status] ?? (status >= 500 ? 'Error interno' : 'Solicitud inválida');
}

export const seed001Error: ErrorFormatter = (problem) => ({
  body: {
    success: false,
    error: `${heading(problem.status)}: ${problem.detail}`,
    ...(problem.errors ? { errors: problem.errors } : {}),
  },
  type: 'application/json',
});

const ErrorSchema = z
  .object({
    success: z.literal(false),
    error: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional().meta({ description: 'the failing fields, on validation errors' }),
  })
  .meta({ id: 'Seed001Error' });

/** The error answers of a seed 001 route (400, 401 and 429 always), for the OpenAPI document. */
export function errorResponses(...statuses: number[]): Record<number, ResponseSpec> {
  const out: Record<number, ResponseSpec> = {};
  for (const status of [400, 401, 429, ...statuses]) out[status] = { description: heading(status), schema: ErrorSchema };
  return out;
}

/** `{success: true, message?, data}` as a response schema. */
export function successSchema(id: string, data: z.ZodType) {
  return z.object({ success: z.literal(true), message: z.string().optional(), data }).meta({ id });
}

export function ok(data: unknown, message?: string) {
  return { success: true, ...(message !== undefined ? { message } : {}), data };
}
