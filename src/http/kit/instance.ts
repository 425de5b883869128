/**
 * Instance resolvers: how a route finds the instance a request acts on
 * (the route's `instance` option). Each answers 404 for an instance the
 * principal may not use, so another owner's ids are never revealed.
 */
import type { InstanceResolver } from '../route.js';

/** The native API: the instance id in the path (`/v1/instances/:id/...`). */
export const byPath: InstanceResolver = ({ principal, params }, { instances }) => instances.get(principal, (params as { id: string }).id);

/**
 * Seeds 001 and 002: an instance token (X-API-Key) acts on its instance;
 * seed 002 has users, not instances, so a login acts on the owner's
 * default instance (created on first use).
 */
export const byCredential: InstanceResolver = ({ principal }, { instances }) =>
  principal.kind === 'instance' ? instances.get(principal, principal.instanceId) : instances.defaultFor(principal.ownerId);
