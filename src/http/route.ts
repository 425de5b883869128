/**
 * A route is declared once: its schemas validate the request, type the
 * handler, and generate the OpenAPI document (openapi.ts). Handlers receive
 * parsed input, and the instance the request acts on when the route names
 * how to find it; they return a result and never touch validation.
 *
 * Routes come in groups: the native API, and one group per seed dialect,
 * which brings its error envelope, its wording of "not connected" and its
 * quirks (middleware for its own routes).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type Koa from 'koa';
import type { z } from 'zod';
import type { AuthService } from '../services/auth.js';
import type { NotConnectedError } from '../services/errors.js';
import type { InstancesService } from '../services/instances.js';
import type { Principal } from '../services/principal.js';
import type { UploadedFile } from '../services/ports.js';
import type { InstanceDoc } from '../store/repositories/instances.js';
import type { BodyKind, BodyLimits } from './middleware/body.js';
import type { ErrorFormatter } from './middleware/problem.js';
import type { RateLimit } from './middleware/rate-limit.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * public: no credentials (health, login, registration).
 * owner: the owner's JWT (Bearer or cookie).
 * principal: the owner's JWT or an instance token (X-API-Key or Bearer).
 */
export type AuthMode = 'public' | 'owner' | 'principal';

export type { BodyKind };

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json. */
  contentType?: string;
}

export type { UploadedFile };

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface RouteRequest<P, Q, B> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  files: UploadedFile[];
  /** Null only on public routes. */
  principal: Principal | null;
  headers: IncomingHttpHeaders;
  ip: string;
  requestId: string;
  /** Escape hatch for the few handlers that must set cookies or stream. */
  ctx: Koa.Context;
}

/** What an instance resolver may look instances up with. */
export interface InstanceLookup {
  instances: Pick<InstancesService, 'get' | 'defaultFor' | 'list'>;
  auth: Pick<AuthService, 'authenticate'>;
}

/**
 * Finds the instance a request acts on, once its credential is checked and
 * its input validated; answers 404 for an instance the principal may not
 * use. See kit/instance.ts for the native and seed ways.
 */
export type InstanceResolver = (req: RouteRequest<z.ZodType, z.ZodType, z.ZodType> & { principal: Principal }, lookup: InstanceLookup) => Promise<InstanceDoc>;

/** The handler's request: with `instance` when the route has an instance resolver. */
export type HandlerRequest<P, Q, B, I> = RouteRequest<P, Q, B> & (I extends InstanceResolver ? { instance: InstanceDoc } : unknown);

export interface RouteResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Content type for non-JSON bodies. */
  type?: string;
}

export interface RouteSpec<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  I extends InstanceResolver | undefined = undefined,
> {
  method: Method;
  /** Koa style: `/v1/instances/:id`. */
  path: string;
  tags: string[];
  summary: string;
  description?: string;
  auth: AuthMode;
  /** Accept `?access_token=` as the credential (browser pages only). */
  queryToken?: boolean;
  /** How to find the instance the request acts on; the handler then gets it as `instance`. */
  instance?: I;
  params?: P;
  query?: Q;
  body?: B;
  /** Body encodings accepted; defaults to ['json'] when a body schema is given. */
  accepts?: BodyKind[];
  /** Multipart file fields, for the OpenAPI document. */
  files?: Record<string, { description: string; required?: boolean }>;
  /** Body size limit in bytes for multipart uploads (defaults to the largest media limit). */
  maxUploadBytes?: number;
  /** JSON body size limit in bytes, for routes that take base64 files (defaults to http.jsonLimitBytes). */
  maxJsonBytes?: number;
  /** Names a rate limiter registered on the app (in addition to the global one). */
  rateLimit?: string;
  responses: Record<number, ResponseSpec>;
  deprecated?: boolean;
  /** Left out of the OpenAPI document (e.g. aliases). */
  hidden?: boolean;
  handler(req: HandlerRequest<P, Q, B, I>): Promise<RouteResult | void>;
}

// The registry stores routes with their generics erased.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any, any>;

export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  I extends InstanceResolver | undefined = undefined,
>(spec: RouteSpec<P, Q, B, I>): AnyRoute {
  return spec as AnyRoute;
}

/** Where a group's quirk runs in each of its routes' middleware chains (see mount.ts). */
export interface Quirks {
  /** Before the credential is checked: may read a small body, and a credential from it (ctx.state.credential). */
  beforeCredentials?: Koa.Middleware[];
  /** Once the body is parsed, before it is validated. */
  afterBody?: Koa.Middleware[];
}

/** What route groups take besides the services: the OpenAPI document, the app's rate limiters and body limits. */
export interface GroupContext {
  openApi: () => Record<string, unknown>;
  rateLimits: Map<string, RateLimit>;
  limits: BodyLimits;
}

export interface RouteGroup {
  routes: AnyRoute[];
  /** How the group's errors are enveloped (the native API uses problem+json). */
  formatError?: ErrorFormatter;
  /** "WhatsApp is not connected" in the group's words (its way to link, its way to send later), for this caller. */
  notConnected?: (err: NotConnectedError, ctx: Koa.Context) => string;
  /** How this group's clients authenticate, told with every 401 (the native answer names Bearer and X-API-Key). */
  credentials?: (ctx: Koa.Context) => string;
  /** The dialect's quirks, for those of its routes that need them. */
  quirks?: (route: AnyRoute) => Quirks;
}
