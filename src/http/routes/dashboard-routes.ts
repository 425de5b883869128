/**
 * The owner dashboard (web/): one HTML page at / and its modules under /ui/.
 * Public, like /docs: the files hold nothing secret; every call the
 * dashboard makes goes to the authenticated /v1 API.
 */
import { z } from 'zod';
import { NotFoundError } from '../../services/errors.js';
import { DASHBOARD_CSP, dashboardAsset, dashboardPage } from '../pages/dashboard-assets.js';
import { defineRoute, type AnyRoute } from '../route.js';

const NAME = z.string().regex(/^[a-z0-9-]+(\.[a-z0-9]+)+$/i, 'must be a file name such as app.js').max(64);

function asset(path: string, name: (p: Record<string, string>) => string, params: z.ZodType): AnyRoute {
  return defineRoute({
    method: 'get',
    path,
    tags: ['System'],
    summary: "The dashboard's scripts and styles",
    auth: 'public',
    hidden: true,
    params,
    responses: { 200: { description: 'A file of the dashboard' }, 404: { description: 'Not one of them' } },
    handler: async ({ params: p }) => {
      const found = dashboardAsset(name(p as Record<string, string>));
      if (!found) throw new NotFoundError('dashboard file');
      return { body: found.body, type: found.type, headers: { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' } };
    },
  });
}

export function dashboardRoutes(): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/',
      tags: ['System'],
      summary: 'The owner dashboard (sign in, instances, linking, settings, rules, test chat)',
      description:
        'Public page; it calls this API with the login cookie (and X-CSRF-Token on writes), or with an instance token: `/?access_token=<token>#/instances/<id>` opens one bot\'s pages, and the page removes the token from the address bar and sends no Referer.',
      auth: 'public',
      responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
      handler: async () => ({
        body: dashboardPage(),
        type: 'text/html; charset=utf-8',
        headers: { 'Content-Security-Policy': DASHBOARD_CSP, 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
      }),
    }),
    asset('/ui/:file', (p) => p.file, z.object({ file: NAME })),
    asset('/ui/:dir/:file', (p) => `${p.dir}/${p.file}`, z.object({ dir: z.enum(['pages', 'lib', 'i18n', 'vendor']), file: NAME })),
  ];
}
