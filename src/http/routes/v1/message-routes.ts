/** Send a message (JSON or multipart), list messages, get one, cancel one. */
import { z } from 'zod';
import type { OutboxMessageDoc } from '../../../store/repositories/outbox.js';
import type { StoredResponse } from '../../../store/repositories/idempotency.js';
import type { Api } from '../../api.js';
import { IDEMPOTENCY_HEADER_DOC, idempotent } from '../../idempotent.js';
import { byPath } from '../../kit/instance.js';
import { sendOutcome, SendRefusedError } from '../../kit/send-outcome.js';
import { toProblem } from '../../middleware/problem.js';
import { defineRoute } from '../../route.js';
import { InstanceParams, ObjectIdSchema, paginate, PaginationQuery, ProblemSchema } from '../../schemas.js';
import { messageView, MessageViewSchema, PaginationSchema } from '../../views/message-view.js';
import { SendMessageSchema, toSendInput } from './message-input.js';

const MessageParams = z.object({ id: ObjectIdSchema, msgId: ObjectIdSchema }).strict();

const STATUSES = ['received', 'queued', 'scheduled', 'sending', 'sent', 'delivered', 'read', 'played', 'failed', 'cancelled'] as const;

const ListQuery = PaginationQuery.extend({
  status: z.enum(STATUSES).optional(),
  direction: z.enum(['in', 'out']).optional(),
}).strict();

/**
 * The answer to a send: 201 once WhatsApp has it, 202 while queued or
 * scheduled; 502 (failed) and 409 (cancelled) as problem+json, by the one
 * rule every API shares (kit/send-outcome.ts). Stored as is for
 * Idempotency-Key replays, so the problem is built here, not thrown.
 */
export function sendResponse(doc: OutboxMessageDoc, requestId: string): StoredResponse {
  const location = `/v1/instances/${doc.instance_id}/messages/${doc._id}`;
  try {
    return { status: sendOutcome(doc) === 'sent' ? 201 : 202, headers: { Location: location }, body: messageView(doc) };
  } catch (err) {
    if (!(err instanceof SendRefusedError)) throw err;
    const { problem, headers } = toProblem(err, requestId);
    return { status: problem.status, headers: { ...headers, Location: location, 'Content-Type': 'application/problem+json' }, body: problem };
  }
}

export function messageRoutes(s: Pick<Api, 'config' | 'idempotency' | 'outbox'>) {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/instances/:id/messages',
      tags: ['Messages'],
      summary: 'Send a message: text, media, location, contact, reaction, poll, buttons or list',
      description:
        'JSON: `{to, <type>: {...}, caption?, mentions?, reply_to?}` with exactly one content field. Multipart: a `file` (or a field named image, video, audio, document or sticker) plus `to`, `type`, `caption`, `ptt`, `filename`. ' +
        'The message is stored before any attempt. Without `queue` or `schedule_at` the answer waits for WhatsApp: 201 with status `sent`, or 502 if it was refused (the message stays visible as failed). ' +
        'With `queue: true`, or `schedule_at`, the answer is 202 at once. An instance that is not connected answers 503 unless the message is queued or scheduled. ' +
        'Buttons and lists are delivered as a faithful text rendering (numbered options, links, call numbers): the Baileys engine cannot send native interactive messages. ' +
        IDEMPOTENCY_HEADER_DOC,
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      body: SendMessageSchema,
      accepts: ['json', 'multipart'],
      files: { file: { description: 'the media file (multipart)' } },
      maxUploadBytes: Math.max(...Object.values(s.config.media.maxBytes)),
      // base64 media inside JSON: the largest file, encoded, plus room for the rest of the message
      maxJsonBytes: Math.ceil((Math.max(...Object.values(s.config.media.maxBytes)) * 4) / 3) + 64 * 1024,
      responses: {
        201: { description: 'WhatsApp accepted the message', schema: MessageViewSchema },
        202: { description: 'Queued or scheduled (or still waiting for the engine)', schema: MessageViewSchema },
        502: { description: 'WhatsApp refused the message; it is recorded as failed (Location names it)', schema: ProblemSchema, contentType: 'application/problem+json' },
        503: { description: 'The instance is not connected and the message was not queued', schema: ProblemSchema, contentType: 'application/problem+json' },
      },
      handler: async (req) => {
        const { instance } = req;
        const input = toSendInput(req.body, req.files);
        return idempotent(
          s.idempotency,
          req,
          async (id) => sendResponse(await s.outbox.send(instance, input, id), req.requestId),
          async (id) => {
            const doc = await s.outbox.find(instance, id);
            return doc ? sendResponse(doc, req.requestId) : null;
          },
        );
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/messages',
      tags: ['Messages'],
      summary: 'Messages of the instance, both directions, newest first',
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      query: ListQuery,
      responses: { 200: { description: 'Messages', schema: z.object({ messages: z.array(MessageViewSchema), pagination: PaginationSchema }) } },
      handler: async ({ instance, query }) => {
        const { messages, total } = await s.outbox.list(instance, query);
        return { body: { messages: messages.map(messageView), pagination: paginate(total, query.page, query.limit) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/messages/:msgId',
      tags: ['Messages'],
      summary: 'One message',
      auth: 'principal',
      instance: byPath,
      params: MessageParams,
      responses: { 200: { description: 'The message', schema: MessageViewSchema } },
      handler: async ({ instance, params }) => {
        return { body: messageView(await s.outbox.get(instance, params.msgId)) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/instances/:id/messages/:msgId',
      tags: ['Messages'],
      summary: 'Cancel a message that has not been sent yet',
      description: 'Queued and scheduled messages are cancelled; a message already handed to WhatsApp answers 409.',
      auth: 'principal',
      instance: byPath,
      params: MessageParams,
      responses: { 200: { description: 'The cancelled message', schema: MessageViewSchema }, 409: { description: 'Already sent, sending, or failed', schema: ProblemSchema, contentType: 'application/problem+json' } },
      handler: async ({ instance, params }) => {
        return { body: messageView(await s.outbox.cancel(instance, params.msgId)) };
      },
    }),
  ];
}
