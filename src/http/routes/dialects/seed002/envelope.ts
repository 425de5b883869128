/**
 * Seed 002 ("WhatsApp Automation API"): its tag in the OpenAPI document,
 * its error envelope and the small conversions its answers need. The seed
 * shows `message` on its auth answers and `success` on its message answers,
 * so errors carry both.
 */
import type { ErrorFormatter } from '../../../middleware/problem.js';

export const SEED002_TAG = 'Seed 002: WhatsApp Automation API';

export const SEED002_TAG_DOC = {
  name: SEED002_TAG,
  description:
    "Seed 002's API: cookie sessions (/api/auth/register, login, logout), the user's WhatsApp (/api/whatsapp/*), scheduling with aiModifications and the message queue (/api/messages/*). " +
    "Each user acts on their default instance, created on first use. Errors: `{success: false, message, errors?, request_id}`. POST /api/messages/send is under 'Seeds 001 + 002: shared paths'.",
};

export const seed002Error: ErrorFormatter = (problem) => ({
  body: { success: false, message: problem.detail, ...(problem.errors ? { errors: problem.errors } : {}), request_id: problem.request_id },
  type: 'application/json',
});

/** Seed 002 writes numbers as '+1234567890'; a JID (group, @lid) stays as it is. */
export function plusPhone(digits: string | null, fallback: string | null = null): string | null {
  return digits ? `+${digits}` : fallback;
}
