/** Paths that seed 001 and seed 002 both define, served by one handler each, with an envelope that satisfies both. */
export { sharedError, SHARED_TAG_DOC } from './envelope.js';
export { sharedRoutes } from './send-route.js';
