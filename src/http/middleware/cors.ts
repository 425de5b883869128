/**
 * CORS for the origins the operator lists (TUCAN_CORS_ORIGINS; none by
 * default, so browsers on other origins get no access). Listed origins may
 * send credentials; `*` opens the API to every origin without credentials,
 * so a page elsewhere can use a token it holds but never a visitor's cookie.
 */
import cors from '@koa/cors';
import type Koa from 'koa';
import { CSRF_HEADER } from './csrf.js';

const ALLOWED_HEADERS = ['authorization', 'x-api-key', 'content-type', 'idempotency-key', CSRF_HEADER];
const EXPOSED_HEADERS = ['location', 'retry-after', 'x-request-id', 'x-tucan-warning', 'x-tucan-webhook-id', 'x-tucan-webhook-secret', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'ratelimit-policy'];

export function corsPolicy(origins: string[]): Koa.Middleware {
  const listed = new Set(origins.filter((o) => o !== '*'));
  const anyOrigin = origins.includes('*');
  if (!anyOrigin && listed.size === 0) return (_ctx, next) => next();
  return cors({
    // a listed origin is echoed (with credentials); any other gets '*' without them, or no CORS headers at all
    origin: (ctx) => {
      const origin = ctx.get('origin');
      if (listed.has(origin)) return origin;
      return anyOrigin ? '*' : '';
    },
    credentials: (ctx) => listed.has(ctx.get('origin')),
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ALLOWED_HEADERS,
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: 600,
    keepHeadersOnError: true,
  });
}
