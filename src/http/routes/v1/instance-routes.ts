/** Bot instances: create (token shown once), list, get, delete, rotate token. */
import { z } from 'zod';
import { SettingsPatchSchema } from '../../../domain/settings.js';
import type { Api } from '../../api.js';
import { byPath } from '../../kit/instance.js';
import { defineRoute } from '../../route.js';
import { InstanceParams } from '../../schemas.js';
import { instanceView, InstanceViewSchema } from '../../views/instance-view.js';

export const CreateInstanceSchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    engine: z.enum(['baileys', 'sandbox']).optional().meta({ description: "'baileys' links a real WhatsApp number; 'sandbox' is a local stand-in for tests and demos" }),
    settings: SettingsPatchSchema.optional(),
  })
  .strict();

export function instanceRoutes(s: Pick<Api, 'instances' | 'lifecycle' | 'deletion'>) {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/instances',
      tags: ['Instances'],
      summary: 'Create a bot instance; the access token is returned only here and on rotation',
      auth: 'owner',
      body: CreateInstanceSchema,
      responses: { 201: { description: 'Created', schema: InstanceViewSchema } },
      handler: async ({ principal, body }) => {
        const { instance, token } = await s.instances.create(principal!.ownerId, body);
        return { status: 201, body: instanceView(instance, s.lifecycle.status(instance), token) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/instances',
      tags: ['Instances'],
      summary: "The owner's instances",
      auth: 'owner',
      responses: { 200: { description: 'Instances', schema: z.object({ instances: z.array(InstanceViewSchema) }) } },
      handler: async ({ principal }) => {
        const list = await s.instances.list(principal!.ownerId);
        return { body: { instances: list.map((i) => instanceView(i, s.lifecycle.status(i))) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id',
      tags: ['Instances'],
      summary: 'One instance',
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      responses: { 200: { description: 'The instance', schema: InstanceViewSchema } },
      handler: async ({ instance }) => ({ body: instanceView(instance, s.lifecycle.status(instance)) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/instances/:id',
      tags: ['Instances'],
      summary: 'Delete an instance: unlinks it and removes its data',
      auth: 'owner',
      instance: byPath,
      params: InstanceParams,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ instance }) => {
        await s.deletion.delete(instance);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/instances/:id/token',
      tags: ['Instances'],
      summary: 'Rotate the access token; the old one stops working at once',
      auth: 'owner',
      instance: byPath,
      params: InstanceParams,
      responses: { 200: { description: 'The new token', schema: z.object({ access_token: z.string(), access_token_hint: z.string() }) } },
      handler: async ({ instance }) => {
        const rotated = await s.instances.rotateToken(instance);
        return { body: instanceView(rotated.instance, s.lifecycle.status(rotated.instance), rotated.token) };
      },
    }),
  ];
}
