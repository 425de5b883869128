/**
 * Seed 000's envelopes: `{success, message, data}` on success and
 * `{success: false, message, errors?}` on errors, in Spanish like the seed.
 * A send answers with the Baileys message key the seed's gateway returned.
 */
import { z } from 'zod';
import type { NotConnectedError } from '../../../../services/errors.js';
import type { OutboxMessageDoc } from '../../../../store/repositories/outbox.js';
import { headedErrors } from '../../../kit/headed-errors.js';
import { sendOutcome } from '../../../kit/send-outcome.js';
import type { ErrorFormatter } from '../../../middleware/problem.js';

export const SEED000_TAG = 'Seed 000 — POS gateway';

export const SEED000_TAG_DOC = {
  name: SEED000_TAG,
  description:
    'The Kantuta POS backend\'s Baileys gateway (`/whatsapp/...`, also under `/api/whatsapp/...`). The seed marks these routes public; tucan requires the instance token as `X-API-Key` or `?access_token=` (so the HTML pages open in a browser). ' +
    'Answers are `{success, message, data}`; errors `{success: false, message, errors?}` with the HTTP status of the problem.',
};

const errors = headedErrors({
  field: 'message',
  always: [400, 401],
  schemaId: 'Seed000Error',
  fieldsDescription: 'the failing fields, when the request was invalid',
  headings: {
    400: 'Datos inválidos',
    401: 'No autorizado',
    502: 'WhatsApp no aceptó el mensaje',
    503: 'WhatsApp no está conectado',
  },
});

export const { heading, errorResponses } = errors;
export const seed000Error: ErrorFormatter = errors.format;

/** The native answer suggests `"queue": true`, which seed 000 does not have: the hint is the seed's own linking page. */
export function seed000NotConnected(err: NotConnectedError): string {
  return `WhatsApp is not connected (status: ${err.connection}); link it at /whatsapp/connect/view and try again`;
}

export const SentDataSchema = z
  .object({
    key: z.object({ remoteJid: z.string(), fromMe: z.boolean(), id: z.string().nullable().meta({ description: 'the WhatsApp message id' }) }),
    messageTimestamp: z.number().int().nullable().meta({ description: 'Unix seconds at which WhatsApp took the message' }),
    status: z.string().meta({ description: "tucan's status: sent, delivered, read … or queued while WhatsApp has not answered yet" }),
    id: z.string().meta({ description: "tucan's message id (GET /v1/instances/{id}/messages/{msgId})" }),
  })
  .meta({ id: 'Seed000SentMessage' });

export const SentSchema = z.object({ success: z.literal(true), message: z.string(), data: SentDataSchema }).meta({ id: 'Seed000Sent' });

/**
 * The answer to a send, from the outbox's outcome: 200 once WhatsApp took
 * it, 202 while it is still queued (the wait for the engine ran out), and
 * an error when it failed or was cancelled.
 */
export function sentAnswer(doc: OutboxMessageDoc, okMessage: string) {
  const queued = sendOutcome(doc) === 'pending';
  const data = {
    key: { remoteJid: doc.chat_jid, fromMe: true, id: doc.wa_message_id },
    messageTimestamp: doc.sent_at ? Math.floor(doc.sent_at / 1000) : null,
    status: doc.status,
    id: doc._id,
  };
  return { status: queued ? 202 : 200, body: { success: true, message: queued ? 'Mensaje en cola: WhatsApp aún no lo confirmó' : okMessage, data } };
}
