/**
 * What a caller may send to create or change a webhook subscription. The
 * schemas validate the request, type the service and document the API; the
 * service adds the checks that need the network (SSRF) or the instance.
 */
import { z } from 'zod';
import { EVENT_ALIASES, EVENT_TYPES, resolveEventName } from '../../domain/events.js';
import { normalizeSecret } from './signing.js';

export const MAX_HEADERS = 20;
export const MIN_TIMEOUT_MS = 1000;
export const MAX_TIMEOUT_MS = 30_000;

/** tucan sets these itself; letting a subscription override them would break signing or framing. */
export const RESERVED_HEADERS = new Set([
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'host',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-authorization',
]);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Node refuses anything outside these in a header value (and CR/LF would split the request).
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

const known = [...EVENT_TYPES, ...Object.keys(EVENT_ALIASES)].join(', ');

export const WebhookUrlSchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(2048, 'is longer than 2048 characters')
  .superRefine((raw, ctx) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a valid URL' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must be an http or https URL' });
    else if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'must not contain credentials; use headers instead' });
  })
  .meta({
    description:
      'http(s) URL. A literal private, link-local or loopback address, or a host resolving to one, is refused (loopback only with TUCAN_ALLOW_LOOPBACK_URLS=true); ' +
      'a host that does not resolve yet is accepted with a warning, and every delivery checks the address it connects to.',
    example: 'https://example.com/hooks/whatsapp',
  });

export const WebhookEventsSchema = z
  .array(
    z.string().refine((name) => resolveEventName(name) !== null, { message: `is not a known event; known events: ${known}` }),
  )
  .min(1, 'must name at least one event')
  .max(20, 'has more than 20 entries')
  .meta({ description: `Event names or the seeds' aliases (${Object.keys(EVENT_ALIASES).join(', ')}). \`ready\` alone means connection.update while connected.`, example: ['message.received', 'message.status'] });

export const WebhookSecretSchema = z
  .string()
  .superRefine((raw, ctx) => {
    const result = normalizeSecret(raw);
    if ('error' in result) ctx.addIssue({ code: 'custom', message: result.error });
  })
  .meta({ description: 'whsec_<base64 of 24–64 bytes>, or 24–64 printable characters (used as the key bytes). Omit to have one generated; it is shown once.' });

export const WebhookHeadersSchema = z
  .record(z.string(), z.string())
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > MAX_HEADERS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_HEADERS} headers` });
    const seen = new Set<string>();
    for (const name of names) {
      const lower = name.toLowerCase();
      const value = headers[name];
      if (!TOKEN.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'is not a valid header name' });
      else if (RESERVED_HEADERS.has(lower)) ctx.addIssue({ code: 'custom', path: [name], message: 'is set by tucan and cannot be overridden' });
      else if (seen.has(lower)) ctx.addIssue({ code: 'custom', path: [name], message: 'is given twice (header names are case-insensitive)' });
      if (!HEADER_VALUE.test(value)) ctx.addIssue({ code: 'custom', path: [name], message: 'must be printable ASCII without line breaks' });
      else if (value.length > 2048) ctx.addIssue({ code: 'custom', path: [name], message: 'is longer than 2048 characters' });
      seen.add(lower);
    }
  })
  .meta({ description: "Extra request headers sent with every delivery (seed 003's requestConfig), e.g. an Authorization for your endpoint", example: { Authorization: 'Bearer my-endpoint-token' } });

const TimeoutSchema = z
  .number()
  .int()
  .min(MIN_TIMEOUT_MS, `must be at least ${MIN_TIMEOUT_MS}`)
  .max(MAX_TIMEOUT_MS, `must be at most ${MAX_TIMEOUT_MS}`)
  .meta({ description: 'Per-attempt timeout; defaults to the server setting (15 s)' });

const DescriptionSchema = z.string().trim().max(200).nullable();

export const CreateWebhookSchema = z
  .object({
    url: WebhookUrlSchema,
    events: WebhookEventsSchema,
    secret: WebhookSecretSchema.optional(),
    headers: WebhookHeadersSchema.optional(),
    enabled: z.boolean().optional(),
    timeout_ms: TimeoutSchema.optional(),
    description: DescriptionSchema.optional(),
  })
  .strict();
export type CreateWebhookInput = z.output<typeof CreateWebhookSchema>;

export const PatchWebhookSchema = z
  .object({
    url: WebhookUrlSchema.optional(),
    events: WebhookEventsSchema.optional(),
    secret: WebhookSecretSchema.optional().meta({ description: 'Replaces the secret at once (no grace period); use rotate-secret for a grace period' }),
    headers: WebhookHeadersSchema.optional().meta({ description: 'Replaces all custom headers' }),
    enabled: z.boolean().optional(),
    timeout_ms: TimeoutSchema.optional(),
    description: DescriptionSchema.optional(),
  })
  .strict();
export type PatchWebhookInput = z.output<typeof PatchWebhookSchema>;

export const ToggleWebhookSchema = z
  .object({ enabled: z.boolean().optional().meta({ description: 'The state to set; omitted flips the current one' }) })
  .strict();
