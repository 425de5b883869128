/** Conversation flows of an instance: list, create, read, change, enable, disable, delete. */
import { z } from 'zod';
import { FlowCreateSchema, FlowDefinitionSchema, FlowPatchSchema } from '../../../domain/flows.js';
import type { FlowDoc } from '../../../store/repositories/flows.js';
import type { Api } from '../../api.js';
import { byPath } from '../../kit/instance.js';
import { defineRoute } from '../../route.js';
import { InstanceParams, ObjectIdSchema, PaginationQuery, paginate } from '../../schemas.js';

const FlowParams = z.object({ id: ObjectIdSchema, flowId: ObjectIdSchema }).strict();

export const FlowViewSchema = z
  .object({
    id: z.string(),
    instance_id: z.string(),
    ...FlowDefinitionSchema.shape,
    version: z.number().int().meta({ description: 'Starts at 1, bumped by every change; a chat inside an older version leaves the flow (flow.abandoned, flow_changed)' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Flow' });

export function flowView(doc: FlowDoc): z.infer<typeof FlowViewSchema> {
  return {
    id: doc._id,
    instance_id: doc.instance_id,
    name: doc.name,
    enabled: doc.enabled,
    trigger: doc.trigger,
    exit_keywords: doc.exit_keywords,
    exit_match: doc.exit_match,
    exit_message: doc.exit_message,
    timeout_minutes: doc.timeout_minutes,
    timeout_message: doc.timeout_message,
    on_fail: doc.on_fail,
    start: doc.start,
    steps: doc.steps,
    version: doc.version,
    created_at: new Date(doc.created_at).toISOString(),
    updated_at: new Date(doc.updated_at).toISOString(),
  };
}

const FLOWS_DESCRIPTION =
  'A flow is a guided conversation: a set of steps, entered at `start`. Each step sends content, then waits for an answer (`expect`: a choice, text, number, e-mail, phone, date or media), ' +
  'goes straight on to another step (`next`), or ends the flow (`end: true`). An answer that fits moves the chat to the step the expectation (or the chosen option) names, ' +
  'optionally kept as a variable for later texts ([var.<name>]); one that does not is answered with `invalid` and asked again, up to max_attempts. ' +
  'A flow starts from its trigger keywords or from a rule whose reply is `{"start_flow": "<flow id>"}`; a chat leaves it with an exit keyword, after timeout_minutes without an answer, or at an end step. ' +
  'A flow is checked as a whole when saved: every next names a step, every step is reachable from start and can reach an end, and what each content refers to (media, saved contacts) exists.';

const FlowList = z.object({ flows: z.array(FlowViewSchema), pagination: z.object({ page: z.number(), limit: z.number(), total: z.number(), pages: z.number() }) });

export function flowRoutes(s: Pick<Api, 'flows'>) {
  const toggle = (enabled: boolean) =>
    defineRoute({
      method: 'post',
      path: `/v1/instances/:id/flows/:flowId/${enabled ? 'enable' : 'disable'}`,
      tags: ['Flows'],
      summary: enabled ? 'Enable a flow: its trigger starts it again' : 'Disable a flow: nothing starts it until it is enabled, and chats inside it leave it at their next message',
      auth: 'principal',
      instance: byPath,
      params: FlowParams,
      responses: { 200: { description: 'The flow', schema: FlowViewSchema } },
      handler: async ({ instance, params }) => ({ body: flowView(await s.flows.setEnabled(instance, params.flowId, enabled)) }),
    });
  return [
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/flows',
      tags: ['Flows'],
      summary: 'The flows, in creation order (an earlier flow wins a trigger keyword both have)',
      description: FLOWS_DESCRIPTION,
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      query: PaginationQuery,
      responses: { 200: { description: 'Flows', schema: FlowList } },
      handler: async ({ instance, query }) => {
        const { flows, total } = await s.flows.list(instance, query);
        return { body: { flows: flows.map(flowView), pagination: paginate(total, query.page, query.limit) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/instances/:id/flows',
      tags: ['Flows'],
      summary: 'Create a flow',
      description: FLOWS_DESCRIPTION,
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      body: FlowCreateSchema,
      responses: { 201: { description: 'Created', schema: FlowViewSchema } },
      handler: async ({ instance, body }) => ({ status: 201, body: flowView(await s.flows.create(instance, body)) }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/flows/:flowId',
      tags: ['Flows'],
      summary: 'One flow',
      auth: 'principal',
      instance: byPath,
      params: FlowParams,
      responses: { 200: { description: 'The flow', schema: FlowViewSchema } },
      handler: async ({ instance, params }) => ({ body: flowView(await s.flows.get(instance, params.flowId)) }),
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/instances/:id/flows/:flowId',
      tags: ['Flows'],
      summary: 'Change some fields of a flow (checked as a whole; chats inside the older version leave it at their next message)',
      description: FLOWS_DESCRIPTION,
      auth: 'principal',
      instance: byPath,
      params: FlowParams,
      body: FlowPatchSchema,
      responses: { 200: { description: 'The flow after the change', schema: FlowViewSchema } },
      handler: async ({ instance, params, body }) => ({ body: flowView(await s.flows.update(instance, params.flowId, body)) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/instances/:id/flows/:flowId',
      tags: ['Flows'],
      summary: 'Delete a flow (chats inside it leave it at their next message)',
      auth: 'principal',
      instance: byPath,
      params: FlowParams,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ instance, params }) => {
        await s.flows.delete(instance, params.flowId);
        return { status: 204 };
      },
    }),
    toggle(true),
    toggle(false),
  ];
}
