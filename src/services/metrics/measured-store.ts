/**
 * The store, with the latency of every collection operation observed. A
 * decorator: the backend and the repositories are unchanged.
 */
import type { Collection, Doc, Store } from '../../store/port.js';

const OPERATIONS = ['insertOne', 'insertMany', 'findOne', 'find', 'countDocuments', 'updateOne', 'updateMany', 'findOneAndUpdate', 'deleteOne', 'deleteMany'] as const;

export type StoreTimer = (operation: string, collection: string) => (seconds: number) => void;

export function measuredStore(store: Store, timer: StoreTimer): Store {
  const collections = new Map<string, Collection<Doc>>();
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'collection') {
        return (name: string) => {
          let measured = collections.get(name);
          if (!measured) collections.set(name, (measured = measuredCollection(target.collection(name), timer)));
          return measured;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function measuredCollection<T extends Doc>(inner: Collection<T>, timer: StoreTimer): Collection<T> {
  const out: Record<string, unknown> = { name: inner.name };
  for (const op of OPERATIONS) {
    const observe = timer(op, inner.name);
    const call = (inner[op] as (...args: unknown[]) => Promise<unknown>).bind(inner);
    out[op] = (...args: unknown[]) => {
      const started = performance.now();
      const done = () => observe((performance.now() - started) / 1000);
      const result = call(...args);
      result.then(done, done);
      return result;
    };
  }
  return out as unknown as Collection<T>;
}
