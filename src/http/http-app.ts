/** The Koa application: request id → metrics → problem answers → CORS → global rate limit → routes. */
import Koa from 'koa';
import { Router } from '@koa/router';
import type { Api } from './api.js';
import { mount, type MountContext } from './mount.js';
import { corsPolicy } from './middleware/cors.js';
import { ownerForwarding } from './middleware/owner-forwarding.js';
import { requestMetrics } from './middleware/metrics.js';
import { problemHandler } from './middleware/problem.js';
import { RateLimit } from './middleware/rate-limit.js';
import { requestId } from './middleware/request-id.js';
import { buildOpenApi } from './openapi.js';
import type { AnyRoute } from './route.js';
import { routeGroups, TAGS } from './routes/index.js';
import { webhookCatalog } from './webhook-catalog.js';

const UNLIMITED_PATHS = new Set(['/health', '/ready', '/metrics']);

export function createHttpApp(api: Api): { koa: Koa; routes: AnyRoute[]; openApi: () => Record<string, unknown> } {
  const koa = new Koa({ proxy: api.config.server.trustProxy, maxIpsCount: 1 });
  const limits = api.config.http;
  const rateLimits = new Map<string, RateLimit>([
    ['global', new RateLimit('global', limits.rateLimit, api.rateCounters)],
    ['auth', new RateLimit('auth', limits.authRateLimit, api.rateCounters)],
    ['seed', new RateLimit('seed', limits.seedApiRateLimit, api.rateCounters)],
  ]);
  const registry: AnyRoute[] = [];
  let cached: Record<string, unknown> | null = null;
  const openApi = () => (cached ??= buildOpenApi(registry, { tags: TAGS, ...webhookCatalog() }));

  const mc: MountContext = {
    lookup: { instances: api.instances, auth: api.auth },
    cookieName: api.config.auth.cookieName,
    publicUrl: api.config.server.publicUrl,
    limits: { jsonLimitBytes: limits.jsonLimitBytes, maxUploadBytes: Math.max(...Object.values(api.config.media.maxBytes)) },
    rateLimits,
    registry,
    forward: api.cluster ? ownerForwarding({ directory: api.cluster, log: api.log }) : undefined,
  };
  const router = new Router({ exclusive: 'specificity' });
  for (const group of routeGroups(api, { openApi, rateLimits, limits: mc.limits })) mount(router, group, mc);

  const globalLimit = rateLimits.get('global')!.middleware();
  koa.use(requestId(api.log));
  koa.use(requestMetrics((method, route, status, seconds) => api.metrics.request(method, route, status, seconds)));
  koa.use(problemHandler());
  // before the rate limit, so a refused preflight costs nothing and answers carry CORS headers
  koa.use(corsPolicy(api.config.http.corsOrigins));
  koa.use((ctx, next) => (UNLIMITED_PATHS.has(ctx.path) ? next() : globalLimit(ctx, next)));
  koa.use(router.routes());
  koa.use(router.allowedMethods());
  return { koa, routes: registry, openApi };
}
