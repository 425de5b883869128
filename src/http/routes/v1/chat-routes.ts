/** The bot's state in one chat: read it, pause the bot there (human takeover), resume it. */
import { z } from 'zod';
import { parseRecipient } from '../../../domain/recipient.js';
import type { Api } from '../../api.js';
import { byPath } from '../../kit/instance.js';
import { defineRoute } from '../../route.js';
import { ObjectIdSchema } from '../../schemas.js';
import { ChatStateViewSchema } from './test-chat-routes.js';

const ChatParams = z
  .object({
    id: ObjectIdSchema,
    chat: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .transform((value, ctx) => {
        const parsed = parseRecipient(value);
        if (!parsed.ok) {
          ctx.addIssue({ code: 'custom', message: `${parsed.reason}; give a phone number with its country code or a JID as webhooks show it (…@s.whatsapp.net, …@lid, …@g.us)` });
          return z.NEVER;
        }
        return parsed.recipient.jid;
      })
      .meta({ description: 'A phone number with its country code, or the chat JID as webhooks show it', example: '573001234567' }),
  })
  .strict();

const PauseBody = z
  .object({ minutes: z.number().int().min(1).max(30 * 24 * 60).meta({ description: 'How long the bot stays silent in the chat', example: 30 }) })
  .strict();

const ChatViewSchema = ChatStateViewSchema.extend({
  chat_jid: z.string(),
  paused_by: z.enum(['owner_message', 'api']).nullable().meta({ description: 'owner_message: the owner wrote from the phone (takeover_minutes); api: the pause route' }),
}).meta({ id: 'Chat' });

const TAKEOVER =
  'While a chat is paused the bot does not answer it (webhooks still fire). A flow in progress there ends with flow.abandoned (reason takeover). ' +
  'With the setting takeover_minutes, a message the owner writes from the phone pauses the chat the same way. chat.paused and chat.resumed webhooks tell when.';

export function chatRoutes(s: Pick<Api, 'chats'>) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/chats/:chat',
      tags: ['Chats'],
      summary: "The bot's state in a chat: paused until when, and the flow it is in with its step and variables",
      auth: 'principal',
      instance: byPath,
      params: ChatParams,
      responses: { 200: { description: 'The chat', schema: ChatViewSchema } },
      handler: async ({ instance, params }) => ({ body: await s.chats.get(instance, params.chat) }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/instances/:id/chats/:chat/pause',
      tags: ['Chats'],
      summary: 'Pause the bot in a chat (human takeover)',
      description: TAKEOVER,
      auth: 'principal',
      instance: byPath,
      params: ChatParams,
      body: PauseBody,
      responses: { 200: { description: 'The chat after the pause', schema: ChatViewSchema } },
      handler: async ({ instance, params, body }) => ({ body: await s.chats.pause(instance, params.chat, body.minutes) }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/instances/:id/chats/:chat/resume',
      tags: ['Chats'],
      summary: 'Let the bot answer a paused chat again',
      description: TAKEOVER,
      auth: 'principal',
      instance: byPath,
      params: ChatParams,
      responses: { 200: { description: 'The chat after resuming (unchanged when it was not paused)', schema: ChatViewSchema } },
      handler: async ({ instance, params }) => ({ body: await s.chats.resume(instance, params.chat) }),
    }),
  ];
}
