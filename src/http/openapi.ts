/**
 * The OpenAPI 3.1 document, generated from the mounted routes' own schemas:
 * what validates a request is what the document describes.
 */
import { z } from 'zod';
import type { AnyRoute } from './route.js';

type JsonSchema = Record<string, unknown>;

export interface OpenApiExtras {
  /** Named component schemas (e.g. webhook event payloads). */
  schemas?: Record<string, z.ZodType>;
  tags?: { name: string; description: string }[];
  /** Top-level `webhooks` (OpenAPI 3.1): events tucan sends. */
  webhooks?: Record<string, { summary: string; description?: string; schema: z.ZodType }>;
}

/**
 * Named schemas (`.meta({ id })`) come out of zod as `$defs` inside every
 * schema that uses them; they are hoisted into `components.schemas` once and
 * referenced from there.
 */
class Components {
  readonly schemas: Record<string, JsonSchema> = {};

  toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
    delete out.$schema;
    const defs = (out.$defs as Record<string, JsonSchema> | undefined) ?? {};
    delete out.$defs;
    const names: Record<string, string> = {};
    for (const [id, def] of Object.entries(defs)) names[id] = this.add(id, def, io);
    // definitions may refer to each other as well
    for (const name of Object.values(names)) this.schemas[name] = rewriteRefs(this.schemas[name], names) as JsonSchema;
    return rewriteRefs(out, names) as JsonSchema;
  }

  /** The input and output forms of one schema may differ (defaults, transforms); then each gets its own name. */
  private add(id: string, def: JsonSchema, io: 'input' | 'output'): string {
    const existing = this.schemas[id];
    if (!existing || JSON.stringify(existing) === JSON.stringify(def)) {
      this.schemas[id] = def;
      return id;
    }
    const name = `${id}_${io}`;
    this.schemas[name] = def;
    return name;
  }
}

function rewriteRefs(value: unknown, names: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, names));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')) {
      const id = v.slice('#/$defs/'.length);
      out[k] = `#/components/schemas/${names[id] ?? id}`;
    } else out[k] = rewriteRefs(v, names);
  }
  return out;
}

function objectShape(schema: z.ZodType | undefined): Record<string, z.ZodType> {
  if (!schema) return {};
  const s = schema as unknown as { shape?: Record<string, z.ZodType>; def?: { in?: z.ZodType; innerType?: z.ZodType; schema?: z.ZodType } };
  if (s.shape) return s.shape;
  const inner = s.def?.in ?? s.def?.innerType ?? s.def?.schema;
  return inner ? objectShape(inner) : {};
}

function isOptional(schema: z.ZodType): boolean {
  return schema.safeParse(undefined).success;
}

function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

function operationId(route: AnyRoute): string {
  const words = `${route.method} ${route.path}`
    .replace(/[:{}]/g, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1))).join('');
}

function security(route: AnyRoute): Record<string, string[]>[] | undefined {
  if (route.auth === 'public') return [];
  const owner: Record<string, string[]>[] = [{ bearerAuth: [] }, { cookieAuth: [] }];
  if (route.auth === 'owner') return owner;
  return [...owner, { apiKeyAuth: [] }, ...(route.queryToken ? [{ queryToken: [] }] : [])];
}

function requestBody(route: AnyRoute, c: Components): JsonSchema | undefined {
  const accepts = route.accepts ?? (route.body ? ['json'] : []);
  if (accepts.length === 0) return undefined;
  const schema = route.body ? c.toSchema(route.body, 'input') : { type: 'object' };
  const content: JsonSchema = {};
  if (accepts.includes('json')) content['application/json'] = { schema };
  if (accepts.includes('multipart')) {
    const files = Object.entries(route.files ?? {});
    const props = { ...((schema.properties as JsonSchema | undefined) ?? {}) };
    for (const [name, f] of files) props[name] = { type: 'string', format: 'binary', description: f.description };
    const required = [...((schema.required as string[] | undefined) ?? []), ...files.filter(([, f]) => f.required).map(([n]) => n)];
    content['multipart/form-data'] = { schema: { type: 'object', properties: props, ...(required.length ? { required } : {}) } };
  }
  if (accepts.includes('form')) content['application/x-www-form-urlencoded'] = { schema };
  const required = route.body ? !isOptional(route.body) : false;
  return { required, content };
}

function operation(route: AnyRoute, c: Components): JsonSchema {
  const parameters: JsonSchema[] = [];
  for (const [name, s] of Object.entries(objectShape(route.params))) parameters.push({ name, in: 'path', required: true, schema: c.toSchema(s, 'input') });
  for (const [name, s] of Object.entries(objectShape(route.query))) {
    const schema = c.toSchema(s, 'input');
    parameters.push({ name, in: 'query', required: !isOptional(s), schema, ...(schema.description ? { description: schema.description } : {}) });
  }
  const responses: JsonSchema = {};
  for (const [status, r] of Object.entries(route.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.schema || r.contentType
        ? { content: { [r.contentType ?? 'application/json']: r.schema ? { schema: c.toSchema(r.schema, 'output') } : {} } }
        : {}),
    };
  }
  for (const status of ['400', '401', '404', '429']) {
    if (responses[status]) continue;
    if (status === '401' && route.auth === 'public') continue;
    if (status === '404' && !route.params) continue;
    responses[status] = { $ref: `#/components/responses/Problem${status}` };
  }
  const body = requestBody(route, c);
  return {
    operationId: operationId(route),
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: route.tags,
    ...(parameters.length ? { parameters } : {}),
    ...(body ? { requestBody: body } : {}),
    responses,
    ...(route.deprecated ? { deprecated: true } : {}),
    security: security(route),
  };
}

export function buildOpenApi(routes: AnyRoute[], extras: OpenApiExtras = {}, version = '0.1.0'): JsonSchema {
  const c = new Components();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    if (route.hidden) continue;
    const p = openApiPath(route.path);
    paths[p] ??= {};
    paths[p][route.method] = operation(route, c);
  }
  const problem = {
    type: 'object',
    required: ['type', 'title', 'status', 'detail', 'request_id'],
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
      request_id: { type: 'string' },
    },
  };
  const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
  const schemas: Record<string, JsonSchema> = { Problem: problem };
  for (const [name, s] of Object.entries(extras.schemas ?? {})) schemas[name] = c.toSchema(s, 'output');
  const webhooks: Record<string, JsonSchema> = {};
  for (const [name, w] of Object.entries(extras.webhooks ?? {})) {
    webhooks[name] = {
      post: {
        summary: w.summary,
        ...(w.description ? { description: w.description } : {}),
        requestBody: { required: true, content: { 'application/json': { schema: c.toSchema(w.schema, 'output') } } },
        responses: { '2XX': { description: 'Delivered. Any other answer is retried.' } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'tucan',
      version,
      description: 'WhatsApp bot engine and REST gateway. Errors are application/problem+json and name the failing fields.',
    },
    servers: [{ url: '/' }],
    tags: extras.tags ?? [],
    paths,
    ...(Object.keys(webhooks).length ? { webhooks } : {}),
    components: {
      schemas: { ...c.schemas, ...schemas },
      responses: {
        Problem400: problemResponse('Invalid request: the failing fields are named in `errors`.'),
        Problem401: problemResponse('Missing, invalid, expired or revoked credentials.'),
        Problem404: problemResponse('Not found (also for resources of another owner).'),
        Problem429: problemResponse('Rate limited; see Retry-After.'),
      },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: "The owner's JWT from /v1/auth/login, or an instance access token." },
        cookieAuth: { type: 'apiKey', in: 'cookie', name: 'tucan_session' },
        apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An instance access token (tuc_…).' },
        queryToken: { type: 'apiKey', in: 'query', name: 'access_token', description: 'Browser pages only.' },
      },
    },
  };
}
