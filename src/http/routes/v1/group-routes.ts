/** The groups the linked number belongs to. */
import { z } from 'zod';
import type { Api } from '../../api.js';
import { byPath } from '../../kit/instance.js';
import { defineRoute } from '../../route.js';
import { InstanceParams } from '../../schemas.js';

const GroupSchema = z
  .object({
    id: z.string().meta({ description: 'group JID (…@g.us); use it as `to` to send to the group' }),
    name: z.string(),
    size: z.number().int(),
    participants: z.array(
      z.object({
        jid: z.string(),
        phone: z.string().nullable().meta({ description: 'digits, when WhatsApp reveals the number or tucan learnt it (null for @lid-only members it never saw paired)' }),
        lid: z.string().nullable().meta({ description: "the member's LID (…@lid), when known; either form works as `to`" }),
        admin: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'Group' });

export function groupRoutes(s: Pick<Api, 'groups'>) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/groups',
      tags: ['Groups'],
      summary: 'Groups the linked number belongs to, with their participants',
      description: '503 when WhatsApp is not connected.',
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      responses: { 200: { description: 'Groups, by name', schema: z.array(GroupSchema) } },
      handler: async ({ instance }) => {
        return { body: await s.groups.list(instance) };
      },
    }),
  ];
}
