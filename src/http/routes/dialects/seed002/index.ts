/** Seed 002 ("WhatsApp Automation API"): every route but the shared send, and its error envelope. */
import type { Services } from '../../../../services/services.js';
import type { AnyRoute } from '../../../route.js';
import { seed002AuthRoutes } from './auth-routes.js';
import { seed002Error, SEED002_TAG_DOC } from './envelope.js';
import { seed002MessageRoutes } from './message-routes.js';
import { seed002WhatsappRoutes } from './whatsapp-routes.js';

export { seed002Error, SEED002_TAG_DOC };

export function seed002Routes(s: Services): AnyRoute[] {
  return [...seed002AuthRoutes(s), ...seed002WhatsappRoutes(s), ...seed002MessageRoutes(s)];
}
