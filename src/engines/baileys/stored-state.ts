/**
 * Where Baileys instances keep their state in the store, without Baileys
 * itself: the engine module is loaded only when a Baileys instance starts,
 * and deleting an instance must clear this state whether it was loaded or
 * not.
 */
import type { Store } from '../../store/port.js';

export const AUTH_COLLECTION = 'baileys_auth';
export const ARCHIVE_COLLECTION = 'baileys_messages';

/** Deletes an instance's auth state and archived messages. */
export async function forgetStoredState(store: Store, instanceId: string): Promise<void> {
  await store.collection(AUTH_COLLECTION).deleteMany({ instance_id: instanceId });
  await store.collection(ARCHIVE_COLLECTION).deleteMany({ instance_id: instanceId });
}
