/** Bulk sends: start a job, follow its progress and per-recipient results, cancel it. */
import { z } from 'zod';
import { ContentSchema, parseContentBody } from '../../../domain/content.js';
import { MAX_BULK_RECIPIENTS } from '../../../services/outbox/bulk-jobs.js';
import type { JobCounts } from '../../../services/outbox/job-progress.js';
import type { JobDoc } from '../../../store/repositories/jobs.js';
import type { OutboxMessageDoc } from '../../../store/repositories/outbox.js';
import type { Api } from '../../api.js';
import { IDEMPOTENCY_HEADER_DOC, idempotent } from '../../idempotent.js';
import { byPath } from '../../kit/instance.js';
import { defineRoute } from '../../route.js';
import { AiModificationsSchema, InstanceParams, ObjectIdSchema, paginate, PaginationQuery } from '../../schemas.js';
import { PaginationSchema } from '../../views/message-view.js';
import { RecipientSchema } from './message-input.js';

const VarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a placeholder name (letters, digits, _)');

const BulkRecipientSchema = z.union([
  RecipientSchema,
  z
    .object({
      to: RecipientSchema,
      name: z.string().trim().max(256).optional().meta({ description: 'fills [name]' }),
      variables: z.record(VarName, z.string().max(1024)).optional().meta({ description: 'custom placeholders: {"city": "La Paz"} fills [city]' }),
    })
    .strict(),
]);

export const BulkSendSchema = z
  .object({
    recipients: z.array(BulkRecipientSchema).min(1).max(MAX_BULK_RECIPIENTS),
    content: ContentSchema,
    delay_ms: z.number().int().min(0).max(600_000).default(0).meta({ description: "extra gap between this job's messages, on top of the instance's pacing" }),
    ai_modifications: AiModificationsSchema.optional(),
    aiModifications: AiModificationsSchema.optional().meta({ description: 'alias of ai_modifications (seed 002)' }),
    variation_seed: z.number().int().min(0).max(2 ** 32 - 1).optional().meta({ description: 'fixes the variation of every copy (same seed, same copies)' }),
    schedule_at: z.string().trim().max(64).optional().meta({ description: 'ISO 8601 with offset: start the job at that second' }),
  })
  .strict()
  .meta({ id: 'BulkSend' });

const CountsSchema = z.object({ total: z.number().int(), sent: z.number().int(), failed: z.number().int(), cancelled: z.number().int(), pending: z.number().int() });

const ResultSchema = z.object({
  message_id: z.string(),
  to: z.string(),
  status: z.string(),
  wa_message_id: z.string().nullable(),
  error: z.string().nullable(),
  sent_at: z.string().nullable(),
});

export const JobViewSchema = z
  .object({
    id: z.string(),
    status: z.enum(['creating', 'running', 'completed', 'cancelled']),
    progress: CountsSchema,
    content: z.record(z.string(), z.unknown()),
    delay_ms: z.number().int(),
    ai_modifications: AiModificationsSchema.nullable(),
    schedule_at: z.string().nullable(),
    created_at: z.string(),
    completed_at: z.string().nullable(),
    cancelled_at: z.string().nullable(),
    warnings: z.array(z.string()).optional(),
    results: z.array(ResultSchema).optional().meta({ description: 'per-recipient results (paged with page and limit)' }),
    results_pagination: PaginationSchema.optional(),
  })
  .meta({ id: 'BulkJob' });

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function jobView(job: JobDoc, counts: JobCounts) {
  return {
    id: job._id,
    status: job.status,
    progress: counts,
    content: job.content,
    delay_ms: job.delay_ms,
    ai_modifications: job.ai_modifications,
    schedule_at: iso(job.schedule_at),
    created_at: iso(job.created_at)!,
    completed_at: iso(job.completed_at),
    cancelled_at: iso(job.cancelled_at),
  };
}

function resultView(m: OutboxMessageDoc) {
  return { message_id: m._id, to: m.to, status: m.status, wa_message_id: m.wa_message_id, error: m.error ?? null, sent_at: iso(m.sent_at ?? null) };
}

const JobParams = z.object({ id: ObjectIdSchema, jobId: ObjectIdSchema }).strict();
const ResultsQuery = PaginationQuery.extend({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict();

function created(job: JobDoc, counts: JobCounts, warnings: string[]) {
  return { status: 202, headers: { Location: `/v1/instances/${job.instance_id}/jobs/${job._id}` }, body: { ...jobView(job, counts), warnings } };
}

export function jobRoutes(s: Pick<Api, 'config' | 'idempotency' | 'jobs'>) {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/instances/:id/messages/bulk',
      tags: ['Messages'],
      summary: 'Send one content to many recipients, personalised per recipient; returns a job',
      description:
        'Recipients are numbers/JIDs or `{to, name, variables}`; `[name]`, `[phone]` and each variable (`[city]`) are filled per copy. Every recipient is validated first; one bad entry rejects the request naming it. ' +
        'Copies go out with the instance pacing plus `delay_ms` between them. WhatsApp bans accounts that send unsolicited bulk messages. ' +
        IDEMPOTENCY_HEADER_DOC,
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      body: BulkSendSchema,
      // base64 media for the template plus up to 10,000 recipients with their variables
      maxJsonBytes: Math.ceil((Math.max(...Object.values(s.config.media.maxBytes)) * 4) / 3) + 4 * 1024 * 1024,
      responses: { 202: { description: 'The job, accepted with every copy stored', schema: JobViewSchema } },
      handler: async (req) => {
        const { instance, body: b } = req;
        const input = {
          recipients: b.recipients,
          content: parseContentBody(b.content),
          delay_ms: b.delay_ms,
          ai_modifications: b.ai_modifications ?? b.aiModifications,
          variation_seed: b.variation_seed,
          schedule_at: b.schedule_at,
        };
        return idempotent(
          s.idempotency,
          req,
          async (id) => {
            const { job, counts, warnings } = await s.jobs.create(instance, input, id);
            return created(job, counts, warnings);
          },
          async (id) => {
            const job = await s.jobs.find(instance, id);
            return job ? created(job, (await s.jobs.get(instance, id, 1, 1)).counts, []) : null;
          },
        );
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/jobs',
      tags: ['Messages'],
      summary: 'Bulk jobs of the instance, newest first',
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      query: PaginationQuery,
      responses: { 200: { description: 'Jobs', schema: z.object({ jobs: z.array(JobViewSchema), pagination: PaginationSchema }) } },
      handler: async ({ instance, query }) => {
        const { jobs, total } = await s.jobs.list(instance, query.page, query.limit);
        return { body: { jobs: jobs.map((j) => jobView(j.job, j.counts)), pagination: paginate(total, query.page, query.limit) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/jobs/:jobId',
      tags: ['Messages'],
      summary: 'A bulk job: progress {total, sent, failed, cancelled, pending} and per-recipient results',
      auth: 'principal',
      instance: byPath,
      params: JobParams,
      query: ResultsQuery,
      responses: { 200: { description: 'The job', schema: JobViewSchema } },
      handler: async ({ instance, params, query }) => {
        const { job, counts, results } = await s.jobs.get(instance, params.jobId, query.page, query.limit);
        return { body: { ...jobView(job, counts), results: results.map(resultView), results_pagination: paginate(job.total, query.page, query.limit) } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/instances/:id/jobs/:jobId',
      tags: ['Messages'],
      summary: 'Cancel what the job has not sent yet',
      auth: 'principal',
      instance: byPath,
      params: JobParams,
      responses: { 200: { description: 'The job after cancellation', schema: JobViewSchema } },
      handler: async ({ instance, params }) => {
        const { job, counts } = await s.jobs.cancel(instance, params.jobId);
        return { body: jobView(job, counts) };
      },
    }),
  ];
}
