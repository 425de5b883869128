/**
 * Paths that seed 001 and seed 002 both define, served by one handler each,
 * with an envelope that satisfies both. Seed 001's rate limit is for its
 * API-key clients only: seed 002 documents none, and its users must not
 * lose sends to a neighbour's limit.
 */
import type Koa from 'koa';
import type { Api } from '../../../api.js';
import { jsonInForm, rateLimitWhen } from '../../../kit/quirks.js';
import type { GroupContext, RouteGroup } from '../../../route.js';
import { sharedError } from './envelope.js';
import { sharedRoutes } from './send-route.js';

export { SHARED_TAG_DOC } from './envelope.js';

const isApiKeyCaller = (ctx: Koa.Context) => ctx.get('x-api-key').trim() !== '';
/** The caller's seed, by credential: an API key is seed 001's, anything else (the cookie) seed 002's. */
const seedOf = (ctx: Koa.Context) => (isApiKeyCaller(ctx) ? '001' : '002');

export function sharedGroup(api: Api, g: Pick<GroupContext, 'rateLimits'>): RouteGroup {
  const seedLimit = rateLimitWhen(g.rateLimits.get('seed')!, isApiKeyCaller);
  return {
    routes: sharedRoutes(api),
    formatError: sharedError,
    // the native answer suggests "queue": true, which these seeds do not have; their way to send later is scheduledTime
    notConnected: (err, ctx) =>
      seedOf(ctx) === '001'
        ? `WhatsApp is not connected (status: ${err.connection}); start it with POST /api/session/restart, scan GET /api/session/qr if it asks for a QR, or give scheduledTime to send the message later`
        : `WhatsApp is not connected (status: ${err.connection}); link it with GET /api/whatsapp/createqr, or give scheduledTime to send the message later`,
    credentials: () => 'send your API key in X-API-Key (seed 001), or log in with POST /api/auth/login and send the session cookie it sets (seed 002)',
    // curl --data '{"phone":…}' labels JSON as a form
    quirks: () => ({ beforeCredentials: [seedLimit], afterBody: [jsonInForm] }),
  };
}
