/** The owner's test chat (sandbox instances), the rules dry run (any instance) and stored decision traces. */
import { z } from 'zod';
import { EVENT_TYPES } from '../../../domain/events.js';
import { SandboxMessageSchema } from '../../../engines/sandbox/sandbox-input.js';
import type { Api } from '../../api.js';
import { byPath } from '../../kit/instance.js';
import { defineRoute } from '../../route.js';
import { InstanceParams, ObjectIdSchema } from '../../schemas.js';

const TraceStepSchema = z.object({
  step: z.string().meta({ description: 'message, webhook, broadcast, content, origin, takeover, pause, reply_msgs, group, unread, flow, schedule, echo, reply_cap, rules, rule, default, reply' }),
  result: z.enum(['info', 'pass', 'skip', 'match', 'stop', 'reply']),
  detail: z.string(),
});

export const ChatStateViewSchema = z
  .object({
    paused_until: z.string().nullable().meta({ description: 'The bot is silent in this chat until then (takeover or the pause route)' }),
    flow: z
      .object({
        id: z.string(),
        name: z.string(),
        step: z.string().meta({ description: 'the step waiting for an answer' }),
        variables: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
        attempts: z.number().int().meta({ description: 'answers to this step that did not fit' }),
        deadline: z.string().meta({ description: 'the chat leaves the flow if it does not answer by then' }),
      })
      .nullable(),
  })
  .meta({ id: 'ChatBotState' });

export const TraceViewSchema = z
  .object({
    message_id: z.string().nullable().meta({ description: "tucan's id; null for a dry run (nothing is stored)" }),
    wa_message_id: z.string(),
    chat_jid: z.string(),
    kind: z.string(),
    text: z.string().nullable(),
    received_at: z.string(),
    replied: z.boolean(),
    stop: z.string().nullable().meta({
      description:
        'Why the bot stayed silent: status_broadcast, not_answerable, own_api_send, from_me, own_reply, takeover, paused, reply_msgs_off, group_msgs_off, unread_msgs_off, outside_schedule, echo, reply_cap, cooldown, no_match, empty_reply, flow_unavailable, flow_no_reply, internal_error; null when it replied',
    }),
    rule: z.object({ id: z.string(), name: z.string() }).nullable(),
    flow: z
      .object({ id: z.string(), name: z.string(), step: z.string().nullable() })
      .nullable()
      .meta({ description: 'The flow that answered and the step the chat is at after it (step null: the chat left the flow)' }),
    used_default: z.boolean(),
    summary: z.string(),
    events: z.array(z.enum(EVENT_TYPES)).meta({ description: 'The webhook events published for the message' }),
    trace: z.array(TraceStepSchema).meta({ description: 'Every check in order; the last step says why it stopped or what was sent' }),
    replies: z.array(z.record(z.string(), z.unknown())).meta({ description: 'The rendered replies, as send API content (spintax and placeholders applied); bot.replied webhooks carry their message ids' }),
    reply_error: z.string().nullable().meta({ description: 'Why the replies could not be handed over for sending, when that happened' }),
    chat_state: ChatStateViewSchema.optional().meta({ description: "Test chat and dry run: the bot's state in the chat after this message (for a dry run, what it would be: nothing is kept)" }),
  })
  .meta({ id: 'DecisionTrace' });

const MessageParams = z.object({ id: ObjectIdSchema, msgId: z.string().trim().min(1).max(200).meta({ description: "tucan's message id or the WhatsApp message id" }) }).strict();

export function testChatRoutes(s: Pick<Api, 'testChat'>) {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/instances/:id/sandbox/messages',
      tags: ['Test chat'],
      summary: 'Send a message to a sandbox bot as if from WhatsApp; answers with the decision trace and the replies',
      description:
        'The message goes through the same pipeline as a real one: it is stored, its webhooks fire, the replies are sent by the sandbox engine, and its trace stays readable at GET /v1/instances/{id}/messages/{msgId}/trace.',
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      body: SandboxMessageSchema,
      responses: { 201: { description: 'Processed', schema: TraceViewSchema } },
      handler: async ({ instance, body }) => ({ status: 201, body: await s.testChat.sandboxMessage(instance, body) }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/instances/:id/rules/test',
      tags: ['Test chat'],
      summary: 'Dry run: what the bot would do with a message (nothing sent, stored or published)',
      description: "Works on any instance, with its current settings, rules and each chat's cooldowns.",
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      body: SandboxMessageSchema,
      responses: { 200: { description: 'The decision', schema: TraceViewSchema } },
      handler: async ({ instance, body }) => ({ body: await s.testChat.dryRun(instance, body) }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/messages/:msgId/trace',
      tags: ['Test chat'],
      summary: 'Why the bot answered (or did not answer) an inbound message',
      auth: 'principal',
      instance: byPath,
      params: MessageParams,
      responses: { 200: { description: 'The stored decision trace', schema: TraceViewSchema } },
      handler: async ({ instance, params }) => ({ body: await s.testChat.trace(instance, params.msgId) }),
    }),
  ];
}
