/**
 * Sending for the seed 003 routes: the native outbox does the work; this
 * only keeps seed 003's words. Errors name `chatId` (not the native `to`),
 * and a send WhatsApp refused is an error answer (502, or 409 when
 * cancelled), since seed 003 clients only look at `status`.
 */
import { z } from 'zod';
import { parseRecipient } from '../../../../domain/recipient.js';
import type { SendMessageInput } from '../../../../services/outbox/outbox-service.js';
import type { InstanceDoc } from '../../../../store/repositories/instances.js';
import type { OutboxMessageDoc } from '../../../../store/repositories/outbox.js';
import type { Api } from '../../../api.js';
import { withFieldNames, type FieldNames } from '../../../kit/field-names.js';
import { sendOutcome } from '../../../kit/send-outcome.js';
import type { AuthMode, BodyKind } from '../../../route.js';
import { SEED003_TAG } from './envelope.js';

/** Form fields arrive as "" when left empty (the seed's own examples do it): that means "not given". */
export const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

function recipient(description: string) {
  return z
    .string()
    .trim()
    .min(1, 'is required')
    .max(120)
    .superRefine((value, ctx) => {
      if (value === '') return; // already reported as required
      const parsed = parseRecipient(value);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
    })
    .meta({ description, example: '2348179803743' });
}

export const ChatIdSchema = recipient("a phone number with its country code ('2348179803743'), a user JID (…@c.us, …@s.whatsapp.net) or a group JID (…@g.us)");

/** Route options shared by the instance routes that take JSON or a form (the group's quirks then read access_token from the body). */
export const SESSION_JSON: { tags: string[]; auth: AuthMode; queryToken: true; accepts: BodyKind[] } = {
  tags: [SEED003_TAG],
  auth: 'principal',
  queryToken: true,
  accepts: ['json', 'form'],
};

export const CHAT_ID: FieldNames = { 'body.to': 'body.chatId' };

/** The message once WhatsApp has it or it waits; refused sends are error answers, as in the native API. */
export function accepted(doc: OutboxMessageDoc): OutboxMessageDoc {
  sendOutcome(doc);
  return doc;
}

/** One message through the outbox, waiting for WhatsApp like POST /v1/instances/{id}/messages. */
export async function sendOne(s: Pick<Api, 'outbox'>, instance: InstanceDoc, input: SendMessageInput, names: FieldNames = CHAT_ID): Promise<OutboxMessageDoc> {
  return accepted(await withFieldNames(names, () => s.outbox.send(instance, input)));
}
