/** Connection lifecycle: connect, status, logout, restart. */
import { z } from 'zod';
import type { Api } from '../../api.js';
import { byPath } from '../../kit/instance.js';
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
    wa_version: z
      .string()
      .nullable()
      .meta({ description: 'The WhatsApp Web version the connection announces, fetched from web.whatsapp.com at each connect (baileys.waVersion when that fails); null for sandbox instances', example: '2.3000.1043857760' }),
    node: z.string().nullable().meta({ description: 'With several nodes on one database: the node running the instance now (null when none does, or on a single process)' }),
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

export function lifecycleRoutes(s: Pick<Api, 'lifecycle'>) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/status',
      tags: ['Connection'],
      summary: 'Connection status',
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      responses: { 200: { description: 'Status', schema: StatusSchema } },
      handler: async ({ instance }) => ({ body: s.lifecycle.status(instance) }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/profile',
      tags: ['Connection'],
      summary: "The linked account's profile: number, name, about and picture URL (each null when WhatsApp does not show it)",
      description: '503 when WhatsApp is not connected.',
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      responses: { 200: { description: 'Profile', schema: ProfileSchema } },
      handler: async ({ instance }) => ({ body: await s.lifecycle.profile(instance) }),
    }),
    ...ACTIONS.map(({ action, summary, status }) =>
      defineRoute({
        method: 'post',
        path: `/v1/instances/:id/${action}`,
        tags: ['Connection'],
        summary,
        auth: 'principal',
        instance: byPath,
        params: InstanceParams,
        responses: { [status]: { description: 'Status after the action', schema: StatusSchema } },
        handler: async ({ instance }) => {
          return { status, body: await s.lifecycle[action](instance) };
        },
      }),
    ),
  ];
}
