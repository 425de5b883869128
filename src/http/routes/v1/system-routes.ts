/** Health (public), readiness (public), and the API description. */
import { z } from 'zod';
import type { Api } from '../../api.js';
import { docsPage } from '../../pages/docs-page.js';
import { defineRoute } from '../../route.js';

export function systemRoutes(s: Pick<Api, 'health'>, openApi: () => Record<string, unknown>) {
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
      path: '/openapi.json',
      tags: ['System'],
      summary: 'The OpenAPI 3.1 document, generated from the request schemas',
      auth: 'principal',
      queryToken: true,
      responses: { 200: { description: 'OpenAPI document' } },
      handler: async () => ({ body: openApi() }),
    }),
    defineRoute({
      method: 'get',
      path: '/docs',
      tags: ['System'],
      summary: 'Readable API documentation',
      auth: 'principal',
      queryToken: true,
      responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
      handler: async () => ({ body: docsPage(openApi()), type: 'text/html; charset=utf-8' }),
    }),
  ];
}
