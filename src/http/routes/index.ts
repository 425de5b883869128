/**
 * Every route group the app serves. The native API uses problem+json
 * errors; each seed dialect brings its own error envelope.
 */
import type { Services } from '../../services/services.js';
import type { ErrorFormatter } from '../middleware/problem.js';
import type { AnyRoute } from '../route.js';
import { authRoutes } from './v1/auth-routes.js';
import { instanceRoutes } from './v1/instance-routes.js';
import { lifecycleRoutes } from './v1/lifecycle-routes.js';
import { settingsRoutes } from './v1/settings-routes.js';
import { systemRoutes } from './v1/system-routes.js';

export interface RouteGroup {
  routes: AnyRoute[];
  formatError?: ErrorFormatter;
}

export function routeGroups(s: Services, openApi: () => Record<string, unknown>): RouteGroup[] {
  return [
    {
      routes: [...systemRoutes(s, openApi), ...authRoutes(s), ...instanceRoutes(s), ...settingsRoutes(s), ...lifecycleRoutes(s)],
    },
  ];
}

export const TAGS = [
  { name: 'System', description: 'Health, readiness and this document.' },
  { name: 'Auth', description: 'Owner accounts. Login returns a JWT (also set as an HttpOnly cookie); logout revokes it server-side.' },
  { name: 'Instances', description: 'Bot instances. Each has an access token, shown once, usable as X-API-Key for that instance only.' },
  { name: 'Settings', description: "Per-bot settings: seed 003's fields and meanings." },
  { name: 'Connection', description: 'Linking and connection lifecycle.' },
];
