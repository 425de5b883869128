/**
 * Seed 002's scheduling and queue, on the user's default instance.
 * `POST /api/messages/send` is shared with seed 001 (dialects/shared).
 *
 * - `schedule`: the native scheduled send (outbox, `schedule_at`), with the
 *   text first varied by the variation service when `aiModifications` asks
 *   for it: the stored (and later sent) text is the varied one.
 * - `queue`: the native outbound message listing, newest first.
 */
import { z } from 'zod';
import type { OutboxMessageDoc } from '../../../../store/repositories/outbox.js';
import type { Api } from '../../../api.js';
import { withFieldNames } from '../../../kit/field-names.js';
import { byCredential } from '../../../kit/instance.js';
import { defineRoute } from '../../../route.js';
import { AiModificationsSchema, paginate } from '../../../schemas.js';
import { PaginationSchema } from '../../../views/message-view.js';
import { isoOrNull } from '../shared/envelope.js';
import { plusPhone, SEED002_TAG } from './envelope.js';

const ScheduleBody = z
  .object({
    phoneId: z.string().trim().min(1).max(120).meta({ description: 'the number with its country code, or a group JID', example: '+573001234567' }),
    message: z.string().min(1, 'must not be empty').max(65536),
    scheduledTime: z.string().trim().min(1).max(64).meta({ description: "ISO 8601 with offset ('2025-05-16T10:00:00.000Z')" }),
    aiModifications: AiModificationsSchema.optional().meta({ description: 'applied once, to the stored text' }),
  })
  .meta({ id: 'Seed002Schedule' });

const QueueQuery = z
  .object({
    page: z.coerce.number().int().min(1).default(1),
    limit: z.coerce.number().int().min(1).max(200).default(10),
  })
  .meta({ id: 'Seed002QueueQuery' });

const QueueItem = z
  .object({
    id: z.string(),
    to: z.string().meta({ description: "'+' and the number; the JID for groups" }),
    message: z.string().meta({ description: 'the text, or the caption of a media message (empty when it has none)' }),
    type: z.string().meta({ description: 'text, image, video, audio, document, …' }),
    status: z.string().meta({ description: "tucan's statuses: queued, scheduled, sending, sent, delivered, read, played, failed, cancelled" }),
    scheduledFor: z.string().nullable(),
    sentAt: z.string().nullable(),
  })
  .meta({ id: 'Seed002QueueItem' });

const FIELD_NAMES = { 'body.to': 'body.phoneId', 'body.schedule_at': 'body.scheduledTime', 'body.text': 'body.message' };

function queueItem(doc: OutboxMessageDoc) {
  return {
    id: doc._id,
    to: plusPhone(doc.phone, doc.to)!,
    message: doc.text ?? '',
    type: doc.kind,
    status: doc.status,
    scheduledFor: isoOrNull(doc.schedule_at),
    sentAt: isoOrNull(doc.sent_at),
  };
}

export function seed002MessageRoutes(s: Pick<Api, 'outbox' | 'variation'>) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/messages/schedule',
      tags: [SEED002_TAG],
      summary: 'Schedule a text message, optionally varied (aiModifications)',
      auth: 'owner',
      instance: byCredential,
      body: ScheduleBody,
      responses: {
        200: { description: 'Scheduled', schema: z.object({ success: z.literal(true), messageId: z.string(), scheduledFor: z.string() }) },
        400: { description: 'Invalid field (e.g. scheduledTime without offset, or in the past)' },
      },
      handler: async ({ instance, body }) => {
        const text = body.aiModifications ? s.variation.vary(body.message, body.aiModifications, Math.random) : body.message;
        const doc = await withFieldNames(FIELD_NAMES, () => s.outbox.send(instance, { to: body.phoneId, content: { type: 'text', text }, schedule_at: body.scheduledTime }));
        return { body: { success: true, messageId: doc._id, scheduledFor: isoOrNull(doc.schedule_at) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/messages/queue',
      tags: [SEED002_TAG],
      summary: 'Outbound messages (scheduled, queued and sent), newest first',
      auth: 'owner',
      instance: byCredential,
      query: QueueQuery,
      responses: { 200: { description: 'One page', schema: z.object({ messages: z.array(QueueItem), pagination: PaginationSchema }) } },
      handler: async ({ instance, query }) => {
        const { messages, total } = await s.outbox.list(instance, { direction: 'out', page: query.page, limit: query.limit });
        return { body: { messages: messages.map((m) => queueItem(m as unknown as OutboxMessageDoc)), pagination: paginate(total, query.page, query.limit) } };
      },
    }),
  ];
}
