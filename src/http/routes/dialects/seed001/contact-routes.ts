/**
 * Seed 001's contact routes, onto the contacts service (paced, capped and
 * cached number checks; profiles): check one number, check many, and a
 * contact's profile.
 */
import { z } from 'zod';
import type { Api } from '../../../api.js';
import { byCredential } from '../../../kit/instance.js';
import { defineRoute } from '../../../route.js';
import { errorResponses, ok, SEED001_TAG, successSchema } from './envelope.js';

const TAGS = [SEED001_TAG];

const PhoneParams = z
  .object({ phone: z.string().max(40).meta({ description: 'the number with its country code, without +', example: '573001234567' }) })
  .strict();

const CheckSchema = z.object({
  phone: z.string().meta({ description: 'digits with the country code' }),
  isRegistered: z.boolean(),
  jid: z.string().nullable().meta({ description: 'the JID to send to, when registered' }),
});

const check = (r: { phone: string; is_registered: boolean; jid: string | null }) => ({ phone: r.phone, isRegistered: r.is_registered, jid: r.jid });

export function seed001ContactRoutes(s: Pick<Api, 'contacts'>) {
  const o = s.contacts.options;
  const pacing = `Lookups are paced per instance (WhatsApp bans accounts that check numbers in bulk): ${o.checkBatchSize} numbers per query, at least ${o.checkIntervalMs} ms apart; answers are cached for ${o.checkCacheSeconds} s.`;
  return [
    defineRoute({
      method: 'get',
      path: '/api/contacts/check/:phone',
      tags: TAGS,
      summary: 'Is this number on WhatsApp?',
      description: `${pacing} Native: \`GET /v1/instances/{id}/contacts/{phone}/check\`.`,
      auth: 'principal',
      instance: byCredential,
      rateLimit: 'seed',
      params: PhoneParams,
      responses: { 200: { description: 'Resultado de la verificación', schema: successSchema('Seed001Check', CheckSchema) }, ...errorResponses(503) },
      handler: async ({ instance, params }) => {
        return { body: ok(check(await s.contacts.checkOne(instance, params.phone, 'params.phone'))) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/contacts/check-bulk',
      tags: TAGS,
      summary: `Check up to ${o.checkMaxPerRequest} numbers; results in the order given`,
      description: `${pacing} Native: \`POST /v1/instances/{id}/contacts/check\`.`,
      auth: 'principal',
      instance: byCredential,
      rateLimit: 'seed',
      body: z
        .object({ phones: z.array(z.string().max(40)).min(1).max(o.checkMaxPerRequest).meta({ example: ['573001234567', '573009876543'] }) })
        .meta({ id: 'Seed001CheckBulk' }),
      responses: { 200: { description: 'Resultados de verificación', schema: successSchema('Seed001CheckBulkResult', z.array(CheckSchema)) }, ...errorResponses(503) },
      handler: async ({ instance, body }) => {
        const results = await s.contacts.checkMany(instance, body.phones, 'body.phones');
        return { body: ok(results.map(check)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/contacts/info/:phone',
      tags: TAGS,
      summary: "A contact's WhatsApp profile: name, about and picture URL (each null when not visible)",
      description: 'Native: `GET /v1/instances/{id}/contacts/{phone}`.',
      auth: 'principal',
      instance: byCredential,
      rateLimit: 'seed',
      params: PhoneParams,
      responses: {
        200: {
          description: 'Información del contacto',
          schema: successSchema(
            'Seed001ContactInfo',
            z.object({ phone: z.string(), jid: z.string(), name: z.string().nullable(), about: z.string().nullable(), profilePicUrl: z.string().nullable() }),
          ),
        },
        ...errorResponses(503),
      },
      handler: async ({ instance, params }) => {
        const p = await s.contacts.profile(instance, params.phone, 'params.phone');
        return { body: ok({ phone: p.phone, jid: p.jid, name: p.name, about: p.about, profilePicUrl: p.picture_url }) };
      },
    }),
  ];
}
