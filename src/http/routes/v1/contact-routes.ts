/** Contacts on WhatsApp: number checks (single and paced bulk) and public profiles. */
import { z } from 'zod';
import type { Api } from '../../api.js';
import { byPath } from '../../kit/instance.js';
import { defineRoute } from '../../route.js';
import { ObjectIdSchema } from '../../schemas.js';

const PhoneParams = z.object({ id: ObjectIdSchema, phone: z.string().max(40).meta({ description: 'digits with the country code, e.g. 573001234567', example: '573001234567' }) }).strict();

export const CheckResultSchema = z
  .object({
    phone: z.string().meta({ description: 'digits with the country code' }),
    is_registered: z.boolean(),
    jid: z.string().nullable().meta({ description: 'the JID to send to, when registered' }),
  })
  .meta({ id: 'NumberCheck' });

const ProfileSchema = z
  .object({
    phone: z.string(),
    jid: z.string(),
    name: z.string().nullable(),
    about: z.string().nullable(),
    picture_url: z.string().nullable(),
  })
  .meta({ id: 'ContactProfile' });

export function contactRoutes(s: Pick<Api, 'contacts'>) {
  const o = s.contacts.options;
  const pacing =
    `Lookups are paced per instance to avoid WhatsApp bans: numbers go to WhatsApp ${o.checkBatchSize} at a time, ` +
    `at least ${o.checkIntervalMs} ms (+ up to ${o.checkJitterMs} ms jitter) apart; answers are cached for ${o.checkCacheSeconds} s; ` +
    `at most ${o.checkHourlyLimit} uncached numbers per instance per hour (then 429 with Retry-After). 503 when WhatsApp is not connected.`;
  return [
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/contacts/:phone/check',
      tags: ['Contacts'],
      summary: 'Is this number on WhatsApp?',
      description: pacing,
      auth: 'principal',
      instance: byPath,
      params: PhoneParams,
      responses: { 200: { description: 'Result', schema: CheckResultSchema } },
      handler: async ({ instance, params }) => {
        return { body: await s.contacts.checkOne(instance, params.phone, 'params.phone') };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/instances/:id/contacts/check',
      tags: ['Contacts'],
      summary: `Check up to ${o.checkMaxPerRequest} numbers`,
      description: `${pacing} A list of ${o.checkMaxPerRequest} uncached numbers takes several seconds by design.`,
      auth: 'principal',
      instance: byPath,
      params: z.object({ id: ObjectIdSchema }).strict(),
      body: z.object({ phones: z.array(z.string().max(40)).min(1).max(o.checkMaxPerRequest) }).strict(),
      responses: {
        200: {
          description: 'Results, in the order given',
          schema: z.object({ results: z.array(CheckResultSchema), total: z.number().int(), registered: z.number().int() }),
        },
      },
      handler: async ({ instance, body }) => {
        const results = await s.contacts.checkMany(instance, body.phones, 'body.phones');
        return { body: { results, total: results.length, registered: results.filter((r) => r.is_registered).length } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/contacts/:phone',
      tags: ['Contacts'],
      summary: "A contact's WhatsApp profile: name, about and picture URL (each null when not visible)",
      auth: 'principal',
      instance: byPath,
      params: PhoneParams,
      responses: { 200: { description: 'Profile', schema: ProfileSchema } },
      handler: async ({ instance, params }) => {
        return { body: await s.contacts.profile(instance, params.phone, 'params.phone') };
      },
    }),
  ];
}
