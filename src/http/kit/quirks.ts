/**
 * Seed dialects' request quirks, as middleware their route groups place in
 * the chain of the routes that need them (RouteGroup.quirks, mount.ts).
 */
import type Koa from 'koa';
import { ServiceError } from '../../services/errors.js';
import type { RateLimit } from '../middleware/rate-limit.js';

/**
 * curl's `--data '{...}'` labels JSON as a form; parsed as one it becomes a
 * mangled key (qs reads brackets as nesting), so the raw text of a form
 * body is read as JSON instead whenever it is an object. Runs after the
 * body parser, which keeps a form's raw text.
 */
export const jsonInForm: Koa.Middleware = async (ctx, next) => {
  const raw = ctx.state.rawForm as unknown;
  // once per request: a quirk may have run it already
  ctx.state.rawForm = undefined;
  if (typeof raw === 'string' && raw.trimStart().startsWith('{')) {
    try {
      ctx.request.body = JSON.parse(raw) as typeof ctx.request.body;
    } catch {
      throw new ServiceError(400, 'Invalid request', 'body: is not valid JSON', [{ field: 'body', message: 'is not valid JSON' }]);
    }
  }
  await next();
};

/**
 * The instance token as `access_token` inside the JSON or form body (seed
 * 003 sends it there): the route's body is read before the credential is
 * checked (`readBody`, then this), so only routes that take no multipart
 * uploads may use it. A credential in a header, the query or a cookie
 * still comes first.
 */
export function credentialInBody(readBody: Koa.Middleware): Koa.Middleware[] {
  const take: Koa.Middleware = async (ctx, next) => {
    const token = (ctx.request.body as Record<string, unknown> | undefined)?.access_token;
    if (typeof token === 'string' && token.trim()) ctx.state.credential = token.trim();
    await next();
  };
  return [readBody, jsonInForm, take];
}

/** A rate limit that applies only to the requests for which `when` holds (a path shared by dialects with different limits). */
export function rateLimitWhen(limit: RateLimit, when: (ctx: Koa.Context) => boolean): Koa.Middleware {
  const middleware = limit.middleware();
  return (ctx, next) => (when(ctx) ? middleware(ctx, next) : next());
}
