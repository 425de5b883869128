/**
 * Deleting an instance: every capability that keeps something for it
 * forgets it, in the order the app was built (the engine stops and logs out
 * first), then the instance itself goes. One loop, built by the
 * composition root over its modules.
 */
import type { InstanceDoc, InstancesRepo } from '../store/repositories/instances.js';

export interface ForgetsInstances {
  forgetInstance?(instanceId: string): Promise<void>;
}

export class InstanceDeletion {
  constructor(
    private readonly repo: InstancesRepo,
    private readonly capabilities: ForgetsInstances[],
  ) {}

  async delete(instance: InstanceDoc): Promise<void> {
    for (const c of this.capabilities) await c.forgetInstance?.(instance._id);
    await this.repo.remove(instance._id);
  }
}
