/** Health (public), readiness (public), metrics, and the API description. */
import { z } from 'zod';
import type { Api } from '../../api.js';
import { bearerMatches } from '../../kit/bearer.js';
import { NotFoundError, UnauthorizedError } from '../../../services/errors.js';
import { docsAsset, DOCS_ASSETS } from '../../pages/docs-assets.js';
import { DOCS_CSP, docsPage } from '../../pages/docs-page.js';
import { defineRoute } from '../../route.js';

export function systemRoutes(s: Pick<Api, 'health' | 'metrics' | 'config'>, openApi: () => Record<string, unknown>) {
  const metricsToken = s.config.http.metricsToken;
  // the document is built once, after every route is mounted
  let page: string | null = null;
  return [
    defineRoute({
      method: 'get',
      path: '/health',
      tags: ['System'],
      summary: 'Liveness',
      auth: 'public',
      responses: { 200: { description: 'The process is up', schema: z.object({ status: z.literal('ok') }) } },
      handler: async () => ({ body: { status: 'ok' } }),
    }),
    defineRoute({
      method: 'get',
      path: '/ready',
      tags: ['System'],
      summary: 'Readiness: the store answers',
      auth: 'public',
      responses: {
        200: { description: 'Ready', schema: z.object({ status: z.literal('ready'), store: z.string() }) },
        503: { description: 'The store is unreachable' },
      },
      handler: async () => {
        try {
          await s.health.ping();
          return { body: { status: 'ready', store: s.health.store } };
        } catch (err) {
          return { status: 503, body: { status: 'unavailable', store: s.health.store, error: (err as Error).message } };
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      tags: ['System'],
      summary: 'Prometheus metrics (text exposition format)',
      description: 'Public unless TUCAN_METRICS_TOKEN is set; then it needs `Authorization: Bearer <that token>`. No label carries tenant data.',
      auth: 'public',
      responses: { 200: { description: 'Metrics', contentType: 'text/plain' }, 401: { description: 'TUCAN_METRICS_TOKEN is set and was not given' } },
      handler: async ({ headers }) => {
        if (metricsToken && !bearerMatches(headers.authorization, metricsToken)) throw new UnauthorizedError('/metrics needs Authorization: Bearer <TUCAN_METRICS_TOKEN>');
        const { body, contentType } = await s.metrics.scrape();
        return { body, type: contentType, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      tags: ['System'],
      summary: 'The OpenAPI 3.1 document, generated from the request schemas',
      description: 'Public: it describes the API and holds nothing secret.',
      auth: 'public',
      responses: { 200: { description: 'OpenAPI document' } },
      handler: async () => ({ body: openApi() }),
    }),
    defineRoute({
      method: 'get',
      path: '/docs',
      tags: ['System'],
      summary: 'API documentation with try-it-out (Swagger UI, served locally)',
      description: 'Public. `/docs?access_token=<token>` opens it authorized with that token; the page removes the token from the address bar and sends no Referer.',
      auth: 'public',
      responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
      handler: async () => {
        page ??= docsPage(openApi());
        return { body: page, type: 'text/html; charset=utf-8', headers: { 'Content-Security-Policy': DOCS_CSP, 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/docs/assets/:file',
      tags: ['System'],
      summary: "The documentation page's scripts and styles",
      auth: 'public',
      hidden: true,
      params: z.object({ file: z.string().max(64) }),
      responses: { 200: { description: `One of: ${DOCS_ASSETS.join(', ')}` }, 404: { description: 'Not one of them' } },
      handler: async ({ params }) => {
        const asset = docsAsset(params.file);
        if (!asset) throw new NotFoundError('documentation asset');
        return { body: asset.body, type: asset.type, headers: { 'Cache-Control': 'public, max-age=86400', 'X-Content-Type-Options': 'nosniff' } };
      },
    }),
  ];
}
