/**
 * Turns declared routes into Koa middleware chains:
 * errors (in the route's dialect) → rate limit → credentials → body → validation → handler.
 * Credentials come before the body so unauthenticated uploads are never parsed
 * (routes with `bodyToken` read their small JSON/form body first: the token is in it).
 */
import type Koa from 'koa';
import type { Router } from '@koa/router';
import { UnauthorizedError } from '../services/errors.js';
import type { AuthService } from '../services/auth.js';
import type { Principal } from '../services/principal.js';
import { bodyParser, type BodyLimits } from './middleware/body.js';
import { problemJson, sendProblem, type ErrorFormatter } from './middleware/problem.js';
import type { RateLimit } from './middleware/rate-limit.js';
import type { AnyRoute, RouteResult, UploadedFile } from './route.js';
import { parseOrThrow } from './validation.js';
import { ForbiddenError } from '../services/errors.js';

export interface MountContext {
  auth: AuthService;
  cookieName: string;
  limits: BodyLimits;
  rateLimits: Map<string, RateLimit>;
  /** Every mounted route, for the OpenAPI document. */
  registry: AnyRoute[];
}

export interface MountOptions {
  /** How this group's errors are enveloped (the seed dialects have their own). */
  formatError?: ErrorFormatter;
}

/** The credential presented, in order of precedence: X-API-Key, Authorization, ?access_token (pages only), cookie. */
export function presentedCredential(ctx: Koa.Context, cookieName: string, allowQuery: boolean): string | null {
  const apiKey = ctx.get('x-api-key').trim();
  if (apiKey) return apiKey;
  const authorization = ctx.get('authorization');
  if (authorization) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) throw new UnauthorizedError('Authorization must be "Bearer <token>"');
    return m[1];
  }
  if (allowQuery && typeof ctx.query.access_token === 'string' && ctx.query.access_token) return ctx.query.access_token;
  return ctx.cookies.get(cookieName) ?? null;
}

/** `access_token` of an already parsed JSON or form body (routes with `bodyToken`). */
function bodyCredential(ctx: Koa.Context): string | null {
  const token = (ctx.request.body as Record<string, unknown> | undefined)?.access_token;
  return typeof token === 'string' && token.trim() ? token.trim() : null;
}

export async function resolvePrincipal(ctx: Koa.Context, route: Pick<AnyRoute, 'auth' | 'queryToken' | 'bodyToken'>, mc: MountContext): Promise<Principal | null> {
  if (route.auth === 'public') return null;
  const credential = presentedCredential(ctx, mc.cookieName, route.queryToken ?? false) ?? (route.bodyToken ? bodyCredential(ctx) : null);
  if (!credential) throw new UnauthorizedError('credentials required: Authorization: Bearer <token> or X-API-Key');
  const principal = await mc.auth.authenticate(credential);
  if (route.auth === 'owner' && principal.kind !== 'owner') throw new ForbiddenError("this route needs the owner's login, not an instance token");
  return principal;
}

function writeResult(ctx: Koa.Context, result: RouteResult | void): void {
  const r = result ?? {};
  for (const [k, v] of Object.entries(r.headers ?? {})) ctx.set(k, v);
  ctx.status = r.status ?? (r.body === undefined ? 204 : 200);
  if (r.body !== undefined) {
    if (r.type) ctx.type = r.type;
    ctx.body = r.body;
  }
}

export function mount(router: Router, routes: AnyRoute[], mc: MountContext, options: MountOptions = {}): void {
  const formatError = options.formatError ?? problemJson;
  for (const route of routes) {
    mc.registry.push(route);
    const chain: Koa.Middleware[] = [];
    chain.push(async (ctx, next) => {
      try {
        await next();
      } catch (err) {
        sendProblem(ctx, err, formatError);
      }
    });
    if (route.rateLimit) {
      const limiter = mc.rateLimits.get(route.rateLimit);
      if (!limiter) throw new Error(`route ${route.method} ${route.path} names unknown rate limit ${route.rateLimit}`);
      const limit = limiter.middleware();
      const when = route.rateLimitWhen;
      chain.push(when ? (ctx, next) => (when(ctx) ? limit(ctx, next) : next()) : limit);
    }
    const accepts = route.accepts ?? (route.body ? ['json'] : []);
    if (route.bodyToken && accepts.includes('multipart')) throw new Error(`route ${route.method} ${route.path}: bodyToken routes cannot take multipart (uploads are never parsed before the credential is checked)`);
    const parseBody = accepts.length > 0 ? bodyParser(accepts, { jsonLimitBytes: route.maxJsonBytes ?? mc.limits.jsonLimitBytes, maxUploadBytes: route.maxUploadBytes ?? mc.limits.maxUploadBytes }, { jsonInForm: route.jsonInForm }) : null;
    // a credential inside the body needs the (small, non-multipart) body first
    if (parseBody && route.bodyToken) chain.push(parseBody);
    chain.push(async (ctx, next) => {
      ctx.state.principal = await resolvePrincipal(ctx, route, mc);
      await next();
    });
    if (parseBody && !route.bodyToken) chain.push(parseBody);
    chain.push(async (ctx) => {
      const params = route.params ? parseOrThrow(route.params, 'params', ctx.params) : undefined;
      const query = route.query ? parseOrThrow(route.query, 'query', withoutCredential(ctx.query, route.queryToken)) : undefined;
      const rawBody = ctx.request.body ?? {};
      const body = route.body ? parseOrThrow(route.body, 'body', rawBody) : undefined;
      const result = await route.handler({
        params,
        query,
        body,
        files: (ctx.state.files as UploadedFile[] | undefined) ?? [],
        principal: ctx.state.principal as Principal | null,
        headers: ctx.headers,
        ip: ctx.ip,
        requestId: ctx.state.requestId as string,
        ctx,
      });
      writeResult(ctx, result);
    });
    router.register(route.path, [route.method.toUpperCase()], chain as never);
  }
}

/** The page token is a credential, not a query parameter of the route. */
function withoutCredential(query: Record<string, unknown>, queryToken: boolean | undefined): Record<string, unknown> {
  if (!queryToken || !('access_token' in query)) return query;
  const { access_token: _t, ...rest } = query;
  return rest;
}
