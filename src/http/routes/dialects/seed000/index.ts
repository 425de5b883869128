/**
 * Seed 000, the Kantuta POS backend's Baileys gateway, as a dialect: its
 * routes under `/whatsapp/...` and, because the seed's own text opens its
 * page under the NestJS global prefix (`/api/whatsapp/connect/view`), every
 * route again under `/api/whatsapp/...` as a hidden alias.
 */
import type { Api } from '../../../api.js';
import type { AnyRoute, RouteGroup } from '../../../route.js';
import { seed000ConnectRoutes } from './connect-routes.js';
import { seed000Error, seed000NotConnected } from './envelope.js';
import { seed000SendRoutes } from './send-routes.js';
import { seed000ViewRoutes } from './view-page.js';

export { SEED000_TAG_DOC } from './envelope.js';

function withApiPrefixAliases(routes: AnyRoute[]): AnyRoute[] {
  return [...routes, ...routes.map((r) => ({ ...r, path: `/api${r.path}`, hidden: true }))];
}

export function seed000Group(api: Api): RouteGroup {
  return {
    routes: withApiPrefixAliases([...seed000ConnectRoutes(api), ...seed000SendRoutes(api), ...seed000ViewRoutes(api)]),
    formatError: seed000Error,
    notConnected: seed000NotConnected,
    credentials: () => "send the instance's access token in X-API-Key (?access_token= on the pages), or your login as Authorization: Bearer <token>",
  };
}
