/**
 * Sending for the seed 003 routes: the native outbox does the work; this
 * only keeps seed 003's words. Errors name `chatId` (not the native `to`),
 * and a send WhatsApp refused is an error answer (502), since seed 003
 * clients only look at `status`.
 */
import { z } from 'zod';
import { parseRecipient } from '../../../../domain/recipient.js';
import { ServiceError } from '../../../../services/errors.js';
import type { SendMessageInput } from '../../../../services/outbox/outbox-service.js';
import type { Services } from '../../../../services/services.js';
import type { InstanceDoc } from '../../../../store/repositories/instances.js';
import type { OutboxMessageDoc } from '../../../../store/repositories/outbox.js';
import type { AuthMode, BodyKind } from '../../../route.js';
import { withFieldNames, type FieldNames } from '../shared/field-names.js';
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

/** Route options shared by the instance routes that take JSON (or curl's form-labelled JSON). */
export const SESSION_JSON: { tags: string[]; auth: AuthMode; queryToken: true; bodyToken: true; accepts: BodyKind[]; jsonInForm: true } = {
  tags: [SEED003_TAG],
  auth: 'principal',
  queryToken: true,
  bodyToken: true,
  accepts: ['json', 'form'],
  jsonInForm: true,
};

export const CHAT_ID: FieldNames = { 'body.to': 'body.chatId' };

export function accepted(doc: OutboxMessageDoc): OutboxMessageDoc {
  if (doc.status !== 'failed' && doc.status !== 'cancelled') return doc;
  const why = doc.status === 'failed' ? `failed: ${doc.error ?? 'unknown error'}` : 'was cancelled before it was sent';
  throw new ServiceError(502, 'WhatsApp did not take the message', `message ${doc._id} ${why}`);
}

/** One message through the outbox, waiting for WhatsApp like POST /v1/instances/{id}/messages. */
export async function sendOne(s: Services, instance: InstanceDoc, input: SendMessageInput, names: FieldNames = CHAT_ID): Promise<OutboxMessageDoc> {
  return accepted(await withFieldNames(names, () => s.outbox.send(instance, input)));
}
