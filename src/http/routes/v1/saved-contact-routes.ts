/** Saved contacts: the instance's vCard address book, sendable as `{contact: {contact_id}}`. */
import { z } from 'zod';
import type { SavedContactDoc } from '../../../services/contacts/saved-contacts.js';
import type { Api } from '../../api.js';
import { byPath } from '../../kit/instance.js';
import { defineRoute } from '../../route.js';
import { InstanceParams, ObjectIdSchema, paginate, PaginationQuery } from '../../schemas.js';

const phone = z.string().trim().max(40).meta({ description: 'with the country code, e.g. 573001234567 or +57 300 123 4567' });

const CreateSchema = z
  .object({
    full_name: z.string().trim().min(1).max(256),
    display_name: z.string().trim().min(1).max(256).optional(),
    organization: z.string().trim().max(256).optional(),
    phone,
  })
  .strict();

const PatchSchema = z
  .object({
    full_name: z.string().trim().min(1).max(256).optional(),
    display_name: z.string().trim().min(1).max(256).nullable().optional(),
    organization: z.string().trim().max(256).nullable().optional(),
    phone: phone.optional(),
  })
  .strict();

const SavedContactSchema = z
  .object({
    id: z.string(),
    full_name: z.string(),
    display_name: z.string().nullable(),
    organization: z.string().nullable(),
    phone: z.string().meta({ description: 'digits with the country code' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'SavedContact' });

const ContactParams = z.object({ id: ObjectIdSchema, contactId: ObjectIdSchema }).strict();

function view(c: SavedContactDoc) {
  return {
    id: c._id,
    full_name: c.full_name,
    display_name: c.display_name,
    organization: c.organization,
    phone: c.phone,
    created_at: new Date(c.created_at).toISOString(),
    updated_at: new Date(c.updated_at).toISOString(),
  };
}

export function savedContactRoutes(s: Pick<Api, 'savedContacts'>) {
  const base = '/v1/instances/:id/saved-contacts';
  return [
    defineRoute({
      method: 'post',
      path: base,
      tags: ['Saved contacts'],
      summary: 'Save a contact (one per phone number)',
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      body: CreateSchema,
      responses: { 201: { description: 'Saved', schema: SavedContactSchema } },
      handler: async ({ instance, body }) => {
        return { status: 201, body: view(await s.savedContacts.create(instance._id, body)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: base,
      tags: ['Saved contacts'],
      summary: 'Saved contacts, by name',
      auth: 'principal',
      instance: byPath,
      params: InstanceParams,
      query: PaginationQuery.extend({ phone: phone.optional() }),
      responses: {
        200: {
          description: 'Contacts',
          schema: z.object({ contacts: z.array(SavedContactSchema), pagination: z.object({ page: z.number(), limit: z.number(), total: z.number(), pages: z.number() }) }),
        },
      },
      handler: async ({ instance, query }) => {
        const { contacts, total } = await s.savedContacts.list(instance._id, query.page, query.limit, query.phone);
        return { body: { contacts: contacts.map(view), pagination: paginate(total, query.page, query.limit) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${base}/:contactId`,
      tags: ['Saved contacts'],
      summary: 'One saved contact',
      auth: 'principal',
      instance: byPath,
      params: ContactParams,
      responses: { 200: { description: 'Contact', schema: SavedContactSchema } },
      handler: async ({ instance, params }) => {
        return { body: view(await s.savedContacts.get(instance._id, params.contactId)) };
      },
    }),
    defineRoute({
      method: 'patch',
      path: `${base}/:contactId`,
      tags: ['Saved contacts'],
      summary: 'Change a saved contact (null clears display_name or organization)',
      auth: 'principal',
      instance: byPath,
      params: ContactParams,
      body: PatchSchema,
      responses: { 200: { description: 'Contact after the change', schema: SavedContactSchema } },
      handler: async ({ instance, params, body }) => {
        return { body: view(await s.savedContacts.update(instance._id, params.contactId, body)) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: `${base}/:contactId`,
      tags: ['Saved contacts'],
      summary: 'Delete a saved contact',
      auth: 'principal',
      instance: byPath,
      params: ContactParams,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ instance, params }) => {
        await s.savedContacts.remove(instance._id, params.contactId);
        return { status: 204 };
      },
    }),
  ];
}
