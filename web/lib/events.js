// One EventSource per instance page, shared by the page and its layout:
// events.on('connection.update', fn) → unsubscribe.
import { useEffect, useMemo } from 'preact/hooks';
import { eventsUrl } from './api.js';

export function useInstanceEvents(instanceId) {
  const hub = useMemo(() => {
    const handlers = new Map();
    return {
      handlers,
      on(type, fn) {
        if (!handlers.has(type)) handlers.set(type, new Set());
        handlers.get(type).add(fn);
        return () => handlers.get(type)?.delete(fn);
      },
    };
  }, [instanceId]);
  useEffect(() => {
    if (!instanceId) return undefined;
    const source = new EventSource(eventsUrl(instanceId));
    const dispatch = (e) => {
      let envelope;
      try {
        envelope = JSON.parse(e.data);
      } catch {
        return;
      }
      for (const fn of hub.handlers.get(e.type) ?? []) fn(envelope.data ?? envelope, envelope);
      for (const fn of hub.handlers.get('*') ?? []) fn(envelope.data ?? envelope, envelope);
    };
    const types = ['connection.update', 'qr', 'message.received', 'message.any', 'message.status', 'bot.replied', 'job.progress', 'group.participants', 'flow.completed', 'flow.abandoned', 'chat.paused', 'chat.resumed'];
    for (const type of types) source.addEventListener(type, dispatch);
    return () => source.close();
  }, [hub]);
  return hub;
}

/** Runs fn for every event of this type while the component is mounted. */
export function useEvent(events, type, fn, deps = []) {
  useEffect(() => (events ? events.on(type, fn) : undefined), [events, type, ...deps]);
}
