/**
 * A capability module: what one capability adds to the app, as the
 * composition root (src/app.ts) chains them. Each module's factory takes
 * the faces of the modules built before it and returns its own faces, plus
 * these optional parts.
 */
import type { Worker } from '../services/interval-worker.js';

export interface Module {
  /** Background loops: started in build order once the app listens, stopped in reverse before the store closes. */
  readonly workers?: Worker[];
  /** Removes what the module keeps for an instance that is being deleted. */
  forgetInstance?(instanceId: string): Promise<void>;
  /** Releases what it holds open (sockets, connection pools), after every worker stopped and before the store closes. */
  close?(): Promise<void>;
}
