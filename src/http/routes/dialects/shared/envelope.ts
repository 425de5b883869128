/**
 * The shared path's envelopes. Seed 001 clients read `success`, `data` and,
 * on errors, `error`; seed 002 clients read `success`, `messageId`,
 * `scheduledFor` and `message`. Every answer carries all of them.
 */
import type { ErrorFormatter } from '../../../middleware/problem.js';

export const SHARED_TAG = 'Seeds 001 + 002: shared paths';

export const SHARED_TAG_DOC = {
  name: SHARED_TAG,
  description:
    'Paths that seed 001 ("WhatsApp API Engine") and seed 002 ("WhatsApp Automation API") both define. One handler serves both: the X-API-Key acts on that instance, a session cookie (or Bearer login) on the user\'s default instance; answers carry both seeds\' fields. Errors: `{success: false, error, message, errors?, request_id}`.',
};

export const sharedError: ErrorFormatter = (problem) => ({
  body: {
    success: false,
    error: problem.detail,
    message: problem.detail,
    ...(problem.errors ? { errors: problem.errors } : {}),
    request_id: problem.request_id,
  },
  type: 'application/json',
});

/** ISO 8601 of an epoch-ms field, or null when it is not set. */
export function isoOrNull(ms: number | undefined | null): string | null {
  return typeof ms === 'number' ? new Date(ms).toISOString() : null;
}
