/**
 * Deleting an instance: every capability that keeps something for it
 * forgets it, in the order the app was built (the engine stops and logs out
 * first), then the instance itself goes. One loop, built by the
 * composition root over its modules. With several nodes it runs on the node
 * running the instance, whose engine can log the device out.
 */
import type { InstanceDoc, InstancesRepo } from '../store/repositories/instances.js';
import type { OwnerFields } from './cluster/placement.js';

export interface ForgetsInstances {
  forgetInstance?(instanceId: string): Promise<void>;
}

export class InstanceDeletion {
  constructor(
    private readonly repo: InstancesRepo,
    private readonly capabilities: ForgetsInstances[],
    /** Throws OwnedElsewhereError when another node runs the instance. */
    private readonly assertHere: (instance: OwnerFields) => void = () => {},
  ) {}

  async delete(instance: InstanceDoc): Promise<void> {
    this.assertHere(instance);
    for (const c of this.capabilities) await c.forgetInstance?.(instance._id);
    await this.repo.remove(instance._id);
  }
}
