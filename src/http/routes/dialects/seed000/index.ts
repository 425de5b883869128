/**
 * Seed 000, the Kantuta POS backend's Baileys gateway, as a dialect: its
 * routes under `/whatsapp/...` and, because the seed's own text opens its
 * page under the NestJS global prefix (`/api/whatsapp/connect/view`), every
 * route again under `/api/whatsapp/...` as a hidden alias.
 */
import type { Services } from '../../../../services/services.js';
import type { AnyRoute } from '../../../route.js';
import type { RouteGroup } from '../../index.js';
import { seed000ConnectRoutes } from './connect-routes.js';
import { seed000Error } from './envelope.js';
import { seed000SendRoutes } from './send-routes.js';
import { seed000ViewRoutes } from './view-page.js';

export { SEED000_TAG_DOC } from './envelope.js';

function withApiPrefixAliases(routes: AnyRoute[]): AnyRoute[] {
  return [...routes, ...routes.map((r) => ({ ...r, path: `/api${r.path}`, hidden: true }))];
}

export function seed000Routes(s: Services): RouteGroup {
  return {
    routes: withApiPrefixAliases([...seed000ConnectRoutes(s), ...seed000SendRoutes(s), ...seed000ViewRoutes(s)]),
    formatError: seed000Error,
  };
}
