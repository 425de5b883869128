/** Seed 002 ("WhatsApp Automation API"): every route but the shared send, its error envelope and its wording. */
import type { Api } from '../../../api.js';
import type { RouteGroup } from '../../../route.js';
import { seed002AuthRoutes } from './auth-routes.js';
import { seed002Error } from './envelope.js';
import { seed002MessageRoutes } from './message-routes.js';
import { seed002WhatsappRoutes } from './whatsapp-routes.js';

export { SEED002_TAG_DOC } from './envelope.js';

export function seed002Group(api: Api): RouteGroup {
  return {
    routes: [...seed002AuthRoutes(api), ...seed002WhatsappRoutes(api), ...seed002MessageRoutes(api)],
    formatError: seed002Error,
    credentials: () => 'log in with POST /api/auth/login {username, password} and send the session cookie it sets',
    notConnected: (err) => `WhatsApp is not connected (status: ${err.connection}); link it with GET /api/whatsapp/createqr${err.remedy === 'queue' ? ', or give scheduledTime to send the message later' : ''}`,
  };
}
