/**
 * Seed 003, "Whatsapp/Bots" (the seed's 'Whatsapp/Bots' API document): every
 * route of the document under /whatsapp, as a thin translator onto the
 * services the native /v1 API uses, with its own error envelope and quirks:
 * - the instance token may come as `access_token` inside a JSON or form
 *   body (routes without uploads read their body before the credential);
 * - curl's `--data '{…}'` labels JSON as a form, and is read as JSON.
 */
import type { Api } from '../../../api.js';
import { credentialInBody, jsonInForm } from '../../../kit/quirks.js';
import { bodyFor } from '../../../mount.js';
import type { GroupContext, Quirks, RouteGroup } from '../../../route.js';
import { seed003Error } from './envelope.js';
import { seed003InstanceRoutes } from './instance-routes.js';
import { seed003InteractiveRoutes } from './interactive-routes.js';
import { seed003MediaMessageRoutes } from './media-message-routes.js';
import { seed003MessageRoutes } from './message-routes.js';
import { seed003SettingsRoutes } from './settings-routes.js';

export { SEED003_TAG_DOC } from './envelope.js';

export function seed003Group(api: Api, g: Pick<GroupContext, 'limits'>): RouteGroup {
  return {
    routes: [...seed003SettingsRoutes(api), ...seed003InstanceRoutes(api), ...seed003MessageRoutes(api), ...seed003MediaMessageRoutes(api), ...seed003InteractiveRoutes(api)],
    formatError: seed003Error,
    notConnected: (err) => `WhatsApp is not connected for this instance (status: ${err.connection}); link it with POST /whatsapp/init, then scan GET /whatsapp/scan`,
    credentials: () => "give the instance's access_token (with its session_id) in the query or the body, or your login as Authorization: Bearer <token>",
    quirks: (route) => {
      const accepts = route.accepts ?? (route.body ? ['json'] : []);
      const quirks: Quirks = {};
      if (accepts.includes('form')) quirks.afterBody = [jsonInForm];
      const readBody = bodyFor(route, g.limits);
      if (route.auth === 'principal' && readBody && !accepts.includes('multipart')) quirks.beforeCredentials = credentialInBody(readBody);
      return quirks;
    },
  };
}
