/**
 * Which instance a seed 001/002 request acts on. Seed 001 authenticates
 * with the instance's own token (X-API-Key); seed 002 has users, not
 * instances, so a logged-in user acts on their default instance.
 */
import type { Principal } from '../../../../services/principal.js';
import type { Services } from '../../../../services/services.js';
import type { InstanceDoc } from '../../../../store/repositories/instances.js';

export function instanceFor(s: Services, principal: Principal): Promise<InstanceDoc> {
  return principal.kind === 'instance' ? s.instances.get(principal, principal.instanceId) : s.instances.defaultFor(principal.ownerId);
}
