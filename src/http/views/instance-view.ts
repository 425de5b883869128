/** The JSON an instance is shown as. The access token appears only when just issued. */
import { maskKey } from '../../services/api-keys.js';
import type { StatusView } from '../../services/lifecycle.js';
import type { InstanceDoc } from '../../store/repositories/instances.js';
import { z } from 'zod';
import { BotSettingsSchema } from '../../domain/settings.js';

export const InstanceViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    engine: z.enum(['baileys', 'sandbox']),
    status: z.string(),
    is_ready: z.boolean(),
    has_qr: z.boolean(),
    phone: z.string().nullable(),
    settings: BotSettingsSchema,
    access_token: z.string().optional().meta({ description: 'Only in the creation and rotation answers; store it, it is not shown again.' }),
    access_token_hint: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Instance' });

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function instanceView(instance: InstanceDoc, status: StatusView, token?: string) {
  return {
    id: instance._id,
    name: instance.name,
    engine: instance.engine,
    status: status.status,
    is_ready: status.is_ready,
    has_qr: status.has_qr,
    phone: status.phone,
    settings: instance.settings,
    ...(token ? { access_token: token } : {}),
    access_token_hint: maskKey(instance.token_prefix),
    created_at: iso(instance.created_at),
    updated_at: iso(instance.updated_at),
  };
}
