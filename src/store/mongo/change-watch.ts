/**
 * Store.watch on MongoDB: a change stream per watched collection. Change
 * streams exist only on replica sets and sharded clusters; the store claims
 * changeNotification only there (mongo-store.ts). A stream that fails is
 * reopened after a pause, and the listener called once, since changes made
 * meanwhile were not seen.
 */
import type { ChangeStream, Collection, Document } from 'mongodb';

const REOPEN_AFTER_MS = 1000;

export function watchCollection(coll: Collection<Document>, onChange: () => void): () => void {
  let stream: ChangeStream | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const open = () => {
    if (stopped) return;
    // only the operation is needed: the listener re-reads what it wants
    const s = coll.watch([{ $project: { operationType: 1 } }]);
    stream = s;
    s.on('change', () => onChange());
    s.on('error', () => {
      void s.close().catch(() => undefined);
      if (stream === s) stream = null;
      if (stopped) return;
      timer = setTimeout(() => {
        open();
        onChange();
      }, REOPEN_AFTER_MS);
      timer.unref();
    });
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    void stream?.close().catch(() => undefined);
    stream = null;
  };
}
