/** Recurring sends: a cron expression in the bot's time zone; create, list, get, pause, resume, delete. */
import { z } from 'zod';
import { ContentSchema, parseContentBody } from '../../../domain/content.js';
import { recurringView } from '../../../services/outbox/recurring-service.js';
import type { Api } from '../../api.js';
import { byPath } from '../../kit/instance.js';
import { defineRoute } from '../../route.js';
import { InstanceParams, ObjectIdSchema } from '../../schemas.js';
import { RecipientSchema } from './message-input.js';

export const RecurringCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    to: RecipientSchema,
    cron: z
      .string()
      .trim()
      .min(1)
      .max(120)
      .meta({ description: "node-cron syntax: 'minute hour day month weekday' (or with seconds first), evaluated in the bot's time zone; at most once a minute", example: '0 9 * * mon-fri' }),
    content: ContentSchema.meta({ description: 'media by url only: it is fetched again for every run' }),
    paused: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'RecurringSendCreate' });

export const RecurringViewSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    to: z.string(),
    cron: z.string(),
    time_zone: z.string().meta({ description: "the bot's time zone (bot_timezone), in which cron is evaluated" }),
    content: z.record(z.string(), z.unknown()),
    paused: z.boolean(),
    next_run_at: z.string().nullable(),
    last_run_at: z.string().nullable(),
    last_message_id: z.string().nullable(),
    runs: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'RecurringSend' });

const Params = z.object({ id: ObjectIdSchema, recurringId: ObjectIdSchema }).strict();

export function recurringRoutes(s: Pick<Api, 'recurring'>) {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/instances/:id/recurring',
      tags: ['Messages'],
      summary: 'Create a recurring send (cron in the bot time zone)',
      description: 'Each run becomes an ordinary outbox message (listed with source "recurring"). Runs missed while tucan was down collapse into one catch-up message.',
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      body: RecurringCreateSchema,
      responses: { 201: { description: 'Created', schema: RecurringViewSchema } },
      handler: async ({ instance, body }) => {
        const doc = await s.recurring.create(instance, { ...body, content: parseContentBody(body.content) });
        return { status: 201, body: recurringView(doc, instance) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/recurring',
      tags: ['Messages'],
      summary: 'Recurring sends of the instance',
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      responses: { 200: { description: 'Recurring sends', schema: z.object({ recurring: z.array(RecurringViewSchema) }) } },
      handler: async ({ instance }) => {
        return { body: { recurring: (await s.recurring.list(instance)).map((d) => recurringView(d, instance)) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/recurring/:recurringId',
      tags: ['Messages'],
      summary: 'One recurring send',
      auth: 'principal',
      instance: byPath,
      params: Params,
      responses: { 200: { description: 'The recurring send', schema: RecurringViewSchema } },
      handler: async ({ instance, params }) => {
        return { body: recurringView(await s.recurring.get(instance, params.recurringId), instance) };
      },
    }),
    ...(['pause', 'resume'] as const).map((action) =>
      defineRoute({
        method: 'post',
        path: `/v1/instances/:id/recurring/:recurringId/${action}`,
        tags: ['Messages'],
        summary: action === 'pause' ? 'Pause a recurring send' : 'Resume a paused recurring send from its next occurrence',
        auth: 'principal',
        instance: byPath,
        params: Params,
        responses: { 200: { description: 'The recurring send', schema: RecurringViewSchema } },
        handler: async ({ instance, params }) => {
          return { body: recurringView(await s.recurring.setPaused(instance, params.recurringId, action === 'pause'), instance) };
        },
      }),
    ),
    defineRoute({
      method: 'delete',
      path: '/v1/instances/:id/recurring/:recurringId',
      tags: ['Messages'],
      summary: 'Delete a recurring send (messages already created stay)',
      auth: 'principal',
      instance: byPath,
      params: Params,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ instance, params }) => {
        await s.recurring.remove(instance, params.recurringId);
        return { status: 204 };
      },
    }),
  ];
}
