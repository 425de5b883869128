/**
 * Seed 003's envelopes: `{status, message, data}` on success, and
 * `{status: false, message, data: {errors, request_id}}` with the real HTTP
 * status on errors, so clients that only read `status` and `message` keep
 * working and the failing fields are still named.
 */
import { z } from 'zod';
import type { ErrorFormatter } from '../../../middleware/problem.js';

export const SEED003_TAG = 'Seed 003: Whatsapp/Bots';

export const SEED003_TAG_DOC = {
  name: SEED003_TAG,
  description:
    'The "Whatsapp/Bots" API under /whatsapp: the same instances, settings, webhooks and outbox as /v1, in that API\'s paths, fields and `{status, message, data}` envelope. ' +
    "Credentials: the owner's Bearer login plus `session_id` (the instance id) and `access_token` (the instance token) in the query or the body; the access token alone is enough on instance routes. " +
    'Errors: `{status: false, message, data: {errors: [{field, message}], request_id}}` with the HTTP status (400 names the field, 401, 404, 503 when WhatsApp is not connected). ' +
    'Access tokens are shown only when an instance is created (masked in listings).',
};

export const seed003Error: ErrorFormatter = (problem) => ({
  body: { status: false, message: problem.detail, data: { errors: problem.errors ?? [], request_id: problem.request_id } },
  type: 'application/json',
});

export function ok<T>(message: string, data: T): { status: true; message: string; data: T } {
  return { status: true, message, data };
}

/** The success envelope around `data`, for the OpenAPI document. */
export function envelope(data: z.ZodType) {
  return z.object({ status: z.literal(true), message: z.string(), data });
}

/** Seed 003 answers settings changes with MongoDB's update result. */
export const UpdateResultSchema = z
  .object({
    acknowledged: z.literal(true),
    modifiedCount: z.number().int(),
    upsertedId: z.null(),
    upsertedCount: z.literal(0),
    matchedCount: z.number().int(),
  })
  .meta({ id: 'Seed003UpdateResult' });

export function updateResult(modified: boolean): z.output<typeof UpdateResultSchema> {
  return { acknowledged: true, modifiedCount: modified ? 1 : 0, upsertedId: null, upsertedCount: 0, matchedCount: 1 };
}

export const SETTINGS_UPDATED = 'Whatsapp settings updated successfully!';
