/** Keyword rules of an instance: list, create, read, change, delete. */
import { z } from 'zod';
import { MATCH_MODES, RULE_MESSAGE_TYPES, RULE_SCOPES, RuleCreateSchema, RulePatchSchema } from '../../../domain/rules.js';
import type { RuleDoc } from '../../../store/repositories/rules.js';
import type { Api } from '../../api.js';
import { byPath } from '../../kit/instance.js';
import { defineRoute } from '../../route.js';
import { InstanceParams, ObjectIdSchema, PaginationQuery, paginate } from '../../schemas.js';

const RuleParams = z.object({ id: ObjectIdSchema, ruleId: ObjectIdSchema }).strict();

export const RuleViewSchema = z
  .object({
    id: z.string(),
    instance_id: z.string(),
    name: z.string(),
    keywords: z.array(z.string()),
    match: z.enum(MATCH_MODES),
    case_sensitive: z.boolean(),
    priority: z.number().int(),
    enabled: z.boolean(),
    scope: z.enum(RULE_SCOPES),
    message_types: z.array(z.enum(RULE_MESSAGE_TYPES)).nullable(),
    reply: z.record(z.string(), z.unknown()),
    cooldown_seconds: z.number().int().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Rule' });

export function ruleView(doc: RuleDoc): z.infer<typeof RuleViewSchema> {
  return {
    id: doc._id,
    instance_id: doc.instance_id,
    name: doc.name,
    keywords: doc.keywords,
    match: doc.match,
    case_sensitive: doc.case_sensitive,
    priority: doc.priority,
    enabled: doc.enabled,
    scope: doc.scope,
    message_types: doc.message_types,
    reply: doc.reply as Record<string, unknown>,
    cooldown_seconds: doc.cooldown_seconds,
    created_at: new Date(doc.created_at).toISOString(),
    updated_at: new Date(doc.updated_at).toISOString(),
  };
}

const RULES_DESCRIPTION =
  'Rules are checked by priority (higher first), then creation order; the first rule that matches, fits its scope and message_types and is not cooling down for the chat answers. ' +
  'When none matches, default_msg is sent if actions.send_default_msg is on. ' +
  'Matching ignores accents, case (unless case_sensitive) and repeated whitespace; keywords are literal text except in regex mode (RE2: linear time, no backreferences or lookaround). ' +
  'message_types lets a rule answer non-text messages: `{"message_types": ["image"], "keywords": []}` answers every image.';

export function ruleRoutes(s: Pick<Api, 'rules'>) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/rules',
      tags: ['Rules'],
      summary: 'The rules, in the order they are checked',
      description: RULES_DESCRIPTION,
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      query: PaginationQuery,
      responses: {
        200: {
          description: 'Rules',
          schema: z.object({ rules: z.array(RuleViewSchema), pagination: z.object({ page: z.number(), limit: z.number(), total: z.number(), pages: z.number() }) }),
        },
      },
      handler: async ({ instance, query }) => {
        const { rules, total } = await s.rules.list(instance, query);
        return { body: { rules: rules.map(ruleView), pagination: paginate(total, query.page, query.limit) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/instances/:id/rules',
      tags: ['Rules'],
      summary: 'Create a rule',
      description: RULES_DESCRIPTION,
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      body: RuleCreateSchema,
      responses: { 201: { description: 'Created', schema: RuleViewSchema } },
      handler: async ({ instance, body }) => ({ status: 201, body: ruleView(await s.rules.create(instance, body)) }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/rules/:ruleId',
      tags: ['Rules'],
      summary: 'One rule',
      auth: 'principal',
      instance: byPath,
      params: RuleParams,
      responses: { 200: { description: 'The rule', schema: RuleViewSchema } },
      handler: async ({ instance, params }) => ({ body: ruleView(await s.rules.get(instance, params.ruleId)) }),
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/instances/:id/rules/:ruleId',
      tags: ['Rules'],
      summary: 'Change some fields of a rule (the result is validated as a whole)',
      auth: 'principal',
      instance: byPath,
      params: RuleParams,
      body: RulePatchSchema,
      responses: { 200: { description: 'The rule after the change', schema: RuleViewSchema } },
      handler: async ({ instance, params, body }) => ({ body: ruleView(await s.rules.update(instance, params.ruleId, body)) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/instances/:id/rules/:ruleId',
      tags: ['Rules'],
      summary: 'Delete a rule',
      auth: 'principal',
      instance: byPath,
      params: RuleParams,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ instance, params }) => {
        await s.rules.delete(instance, params.ruleId);
        return { status: 204 };
      },
    }),
  ];
}
