/**
 * Seed 001, "WhatsApp API Engine", as a dialect: contacts, media and bulk
 * sends, session control and webhooks under `/api/...`, authenticated by
 * the instance token in X-API-Key and rate limited by the seed limiter.
 * Its text send, `POST /api/messages/send`, is shared with seed 002 and
 * served by dialects/shared.
 *
 * Request bodies ignore fields the seed does not define, where the native
 * API refuses them: seed 001's clients must keep working unchanged.
 */
import type { Api } from '../../../api.js';
import type { RouteGroup } from '../../../route.js';
import { seed001ContactRoutes } from './contact-routes.js';
import { SEED001_CREDENTIALS, seed001Error, seed001NotConnected } from './envelope.js';
import { seed001MessageRoutes } from './message-routes.js';
import { seed001SessionRoutes } from './session-routes.js';
import { seed001WebhookRoutes } from './webhook-routes.js';

export { SEED001_TAG_DOC } from './envelope.js';

export function seed001Group(api: Api): RouteGroup {
  return {
    routes: [...seed001ContactRoutes(api), ...seed001MessageRoutes(api), ...seed001SessionRoutes(api), ...seed001WebhookRoutes(api)],
    formatError: seed001Error,
    // the native answer suggests "queue": true and /v1 routes, which seed 001 clients do not have
    notConnected: seed001NotConnected,
    credentials: () => SEED001_CREDENTIALS,
  };
}
