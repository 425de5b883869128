/**
 * Turns declared routes into Koa middleware chains:
 *
 *   errors (in the group's envelope) → rate limit → group quirks →
 *   credentials → body → group quirks → validation → instance → handler
 *
 * Credentials come before the body so unauthenticated uploads are never
 * parsed; a group whose dialect sends the credential inside a small JSON or
 * form body reads that body first, in a quirk (kit/quirks.ts).
 */
import type Koa from 'koa';
import type { Router } from '@koa/router';
import { ForbiddenError, NotConnectedError, ServiceError, UnauthorizedError } from '../services/errors.js';
import type { Principal } from '../services/principal.js';
import { bodyParser, type BodyLimits } from './middleware/body.js';
import { checkCsrf } from './middleware/csrf.js';
import { problemJson, sendProblem } from './middleware/problem.js';
import type { RateLimit } from './middleware/rate-limit.js';
import type { AnyRoute, InstanceLookup, RouteGroup, RouteResult, UploadedFile } from './route.js';
import { parseOrThrow } from './validation.js';

export interface MountContext {
  /** Checks credentials, and looks instances up for the routes' resolvers. */
  lookup: InstanceLookup;
  cookieName: string;
  /** The server's public address, an origin of its own for the CSRF check (null: the request's Host). */
  publicUrl: string | null;
  limits: BodyLimits;
  rateLimits: Map<string, RateLimit>;
  /** Every mounted route, for the OpenAPI document. */
  registry: AnyRoute[];
  /** With several nodes: carries a request for an instance another node runs to that node. */
  forward?: Koa.Middleware;
}

const CREDENTIALS_REQUIRED = 'credentials required: Authorization: Bearer <token> or X-API-Key';

/** Where a credential came from: only the cookie is sent by browsers on their own, so only it needs the CSRF check. */
export type CredentialSource = 'header' | 'query' | 'cookie' | 'body';

/** The credential presented, in order of precedence: X-API-Key, Authorization, ?access_token (pages only), cookie, then one a quirk found in the body. */
export function presentedCredential(ctx: Koa.Context, cookieName: string, allowQuery: boolean): { credential: string; source: CredentialSource } | null {
  const apiKey = ctx.get('x-api-key').trim();
  if (apiKey) return { credential: apiKey, source: 'header' };
  const authorization = ctx.get('authorization');
  if (authorization) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) throw new UnauthorizedError('Authorization must be "Bearer <token>"');
    return { credential: m[1], source: 'header' };
  }
  if (allowQuery && typeof ctx.query.access_token === 'string' && ctx.query.access_token) return { credential: ctx.query.access_token, source: 'query' };
  const cookie = ctx.cookies.get(cookieName);
  if (cookie) return { credential: cookie, source: 'cookie' };
  const inBody = ctx.state.credential as string | undefined;
  return inBody ? { credential: inBody, source: 'body' } : null;
}

export async function resolvePrincipal(ctx: Koa.Context, route: Pick<AnyRoute, 'auth' | 'queryToken'>, mc: MountContext): Promise<Principal | null> {
  if (route.auth === 'public') return null;
  const presented = presentedCredential(ctx, mc.cookieName, route.queryToken ?? false);
  if (!presented) throw new UnauthorizedError(CREDENTIALS_REQUIRED);
  const principal = await mc.lookup.auth.authenticate(presented.credential);
  if (route.auth === 'owner' && principal.kind !== 'owner') throw new ForbiddenError("this route needs the owner's login, not an instance token");
  if (presented.source === 'cookie') checkCsrf(ctx, mc.publicUrl);
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

export function mount(router: Router, group: RouteGroup, mc: MountContext): void {
  const formatError = group.formatError ?? problemJson;
  const { notConnected, credentials } = group;
  // a refusal in the group's words: its own routes and fields, never another dialect's
  const reword = (err: unknown, ctx: Koa.Context): unknown => (notConnected && err instanceof NotConnectedError ? err.worded(notConnected(err, ctx)) : err);
  // a credential missing or refused, with how this group's clients authenticate (a wrong password at login is not this)
  const credentialHint = (err: unknown, ctx: Koa.Context): unknown => {
    if (!credentials || !(err instanceof UnauthorizedError)) return err;
    const message = err.message === CREDENTIALS_REQUIRED ? `credentials required: ${credentials(ctx)}` : `${err.message}; ${credentials(ctx)}`;
    return new ServiceError(err.status, err.title, message, err.errors, err.headers, err.type);
  };
  for (const route of group.routes) {
    mc.registry.push(route);
    const quirks = group.quirks?.(route) ?? {};
    const chain: Koa.Middleware[] = [];
    chain.push(async (ctx, next) => {
      try {
        await next();
      } catch (err) {
        sendProblem(ctx, reword(err, ctx), formatError);
      }
    });
    // inside the answer above: the owner's answer is relayed as it is, in the group's own words
    if (mc.forward) chain.push(mc.forward);
    if (route.rateLimit) {
      const limiter = mc.rateLimits.get(route.rateLimit);
      if (!limiter) throw new Error(`route ${route.method} ${route.path} names unknown rate limit ${route.rateLimit}`);
      chain.push(limiter.middleware());
    }
    chain.push(...(quirks.beforeCredentials ?? []));
    chain.push(async (ctx, next) => {
      try {
        ctx.state.principal = await resolvePrincipal(ctx, route, mc);
      } catch (err) {
        throw credentialHint(err, ctx);
      }
      await next();
    });
    const parseBody = bodyFor(route, mc.limits);
    if (parseBody) chain.push(parseBody);
    chain.push(...(quirks.afterBody ?? []));
    chain.push(async (ctx) => {
      const params = route.params ? parseOrThrow(route.params, 'params', ctx.params) : undefined;
      const query = route.query ? parseOrThrow(route.query, 'query', withoutCredential(ctx.query, route.queryToken)) : undefined;
      const rawBody = ctx.request.body ?? {};
      const body = route.body ? parseOrThrow(route.body, 'body', rawBody) : undefined;
      const req = {
        params,
        query,
        body,
        files: (ctx.state.files as UploadedFile[] | undefined) ?? [],
        principal: ctx.state.principal as Principal | null,
        headers: ctx.headers,
        ip: ctx.ip,
        requestId: ctx.state.requestId as string,
        ctx,
      };
      const instance = route.instance ? await route.instance({ ...req, principal: req.principal! }, mc.lookup) : undefined;
      writeResult(ctx, await route.handler(instance ? Object.assign(req, { instance }) : req));
    });
    router.register(route.path, [route.method.toUpperCase()], chain as never);
  }
}

/** The route's body parser (none for routes without a body); a body a quirk already read is not read again. */
export function bodyFor(route: AnyRoute, limits: BodyLimits): Koa.Middleware | null {
  const accepts = route.accepts ?? (route.body ? ['json'] : []);
  if (accepts.length === 0) return null;
  return bodyParser(accepts, { jsonLimitBytes: route.maxJsonBytes ?? limits.jsonLimitBytes, maxUploadBytes: route.maxUploadBytes ?? limits.maxUploadBytes });
}

/** The page token is a credential, not a query parameter of the route. */
function withoutCredential(query: Record<string, unknown>, queryToken: boolean | undefined): Record<string, unknown> {
  if (!queryToken || !('access_token' in query)) return query;
  const { access_token: _t, ...rest } = query;
  return rest;
}
