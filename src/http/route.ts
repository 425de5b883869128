/**
 * A route is declared once: its schemas validate the request, type the
 * handler, and generate the OpenAPI document (openapi.ts). Handlers receive
 * parsed input and return a result; they never touch validation.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type Koa from 'koa';
import type { z } from 'zod';
import type { Principal } from '../services/principal.js';
import type { UploadedFile } from '../services/ports.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * public: no credentials (health, login, registration).
 * owner: the owner's JWT (Bearer or cookie).
 * principal: the owner's JWT or an instance token (X-API-Key or Bearer).
 */
export type AuthMode = 'public' | 'owner' | 'principal';

export type BodyKind = 'json' | 'multipart' | 'form';

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

export interface RouteResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Content type for non-JSON bodies. */
  type?: string;
}

export interface RouteSpec<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined> {
  method: Method;
  /** Koa style: `/v1/instances/:id`. */
  path: string;
  tags: string[];
  summary: string;
  description?: string;
  auth: AuthMode;
  /** Accept `?access_token=` as the credential (browser pages only). */
  queryToken?: boolean;
  /**
   * Also accept the instance token as `access_token` in a JSON or form body
   * (seed 003 sends it there). The body is then read before the credential
   * is checked, so such a route may not take multipart uploads.
   */
  bodyToken?: boolean;
  /** Read a JSON text sent as application/x-www-form-urlencoded (curl --data without a Content-Type) as JSON. */
  jsonInForm?: boolean;
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
  /** Applies `rateLimit` only to the requests for which this holds (a path shared by dialects with different limits). */
  rateLimitWhen?: (ctx: Koa.Context) => boolean;
  responses: Record<number, ResponseSpec>;
  deprecated?: boolean;
  /** Left out of the OpenAPI document (e.g. aliases). */
  hidden?: boolean;
  handler(req: RouteRequest<P, Q, B>): Promise<RouteResult | void>;
}

// The registry stores routes with their generics erased.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any>;

export function defineRoute<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  spec: RouteSpec<P, Q, B>,
): AnyRoute {
  return spec as AnyRoute;
}
