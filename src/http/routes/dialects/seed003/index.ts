/**
 * Seed 003, "Whatsapp/Bots" (shared/seeds/003_191e6abfde8b0db6.txt): every
 * route of the document under /whatsapp, as a thin translator onto the
 * services the native /v1 API uses, with its own error envelope.
 */
import type { Services } from '../../../../services/services.js';
import type { RouteGroup } from '../../index.js';
import { seed003Error } from './envelope.js';
import { seed003InstanceRoutes } from './instance-routes.js';
import { seed003InteractiveRoutes } from './interactive-routes.js';
import { seed003MediaMessageRoutes } from './media-message-routes.js';
import { seed003MessageRoutes } from './message-routes.js';
import { seed003SettingsRoutes } from './settings-routes.js';

export { SEED003_TAG_DOC } from './envelope.js';

export function seed003Group(s: Services): RouteGroup {
  return {
    routes: [...seed003SettingsRoutes(s), ...seed003InstanceRoutes(s), ...seed003MessageRoutes(s), ...seed003MediaMessageRoutes(s), ...seed003InteractiveRoutes(s)],
    formatError: seed003Error,
  };
}
