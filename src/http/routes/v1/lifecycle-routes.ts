/** Connection lifecycle: connect, status, logout, restart. */
import { z } from 'zod';
import type { Services } from '../../../services/services.js';
import { defineRoute } from '../../route.js';
import { InstanceParams } from '../../schemas.js';

export const StatusSchema = z
  .object({
    status: z.enum(['disconnected', 'connecting', 'qr', 'connected', 'reconnecting', 'logged_out', 'failed']),
    is_ready: z.boolean(),
    has_qr: z.boolean(),
    phone: z.string().nullable(),
    name: z.string().nullable(),
    reason: z.string().nullable(),
  })
  .meta({ id: 'InstanceStatus' });

const ProfileSchema = z
  .object({
    jid: z.string().nullable(),
    phone: z.string().nullable().meta({ description: 'digits of the linked number' }),
    name: z.string().nullable(),
    about: z.string().nullable(),
    picture_url: z.string().nullable(),
  })
  .meta({ id: 'LinkedProfile' });

const ACTIONS = [
  { action: 'connect', summary: 'Start the connection (a QR becomes available for baileys instances)', status: 202 },
  { action: 'logout', summary: 'Unlink the WhatsApp device; the next connect needs a new scan', status: 200 },
  { action: 'restart', summary: 'Close and reopen the connection, keeping the link', status: 202 },
] as const;

export function lifecycleRoutes(s: Services) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/status',
      tags: ['Connection'],
      summary: 'Connection status',
      auth: 'principal',
      params: InstanceParams,
      responses: { 200: { description: 'Status', schema: StatusSchema } },
      handler: async ({ principal, params }) => ({ body: s.lifecycle.status(await s.instances.get(principal!, params.id)) }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/profile',
      tags: ['Connection'],
      summary: "The linked account's profile: number, name, about and picture URL (each null when WhatsApp does not show it)",
      description: '503 when WhatsApp is not connected.',
      auth: 'principal',
      params: InstanceParams,
      responses: { 200: { description: 'Profile', schema: ProfileSchema } },
      handler: async ({ principal, params }) => ({ body: await s.lifecycle.profile(await s.instances.get(principal!, params.id)) }),
    }),
    ...ACTIONS.map(({ action, summary, status }) =>
      defineRoute({
        method: 'post',
        path: `/v1/instances/:id/${action}`,
        tags: ['Connection'],
        summary,
        auth: 'principal',
        params: InstanceParams,
        responses: { [status]: { description: 'Status after the action', schema: StatusSchema } },
        handler: async ({ principal, params }) => {
          const instance = await s.instances.get(principal!, params.id);
          return { status, body: await s.lifecycle[action](instance) };
        },
      }),
    ),
  ];
}
