/**
 * Live events: every event published for an instance, handed at once to
 * whoever listens (the server-sent-events stream GET /v1/instances/:id/events),
 * in the webhooks' envelope and names, plus a `qr` event whenever a new QR
 * is up. Nothing is kept: a listener sees what happens while it listens
 * (webhooks are the durable channel).
 */
import type { DomainEvent, EventType } from '../domain/events.js';
import { newId } from '../store/port.js';
import type { EventSink } from './ports.js';

export type LiveEventType = EventType | 'qr';

export interface LiveEvent {
  id: string;
  type: LiveEventType;
  instance_id: string;
  timestamp: string;
  data: unknown;
}

export interface LiveListener {
  event(e: LiveEvent): void;
  /** The server is closing: end the stream. */
  end(): void;
}

export class LiveEvents {
  private readonly listeners = new Map<string, Set<LiveListener>>();

  constructor(private readonly clock: () => number) {}

  listening(instanceId: string): boolean {
    return (this.listeners.get(instanceId)?.size ?? 0) > 0;
  }

  /** Returns the unsubscribe function. */
  subscribe(instanceId: string, listener: LiveListener): () => void {
    let set = this.listeners.get(instanceId);
    if (!set) this.listeners.set(instanceId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(instanceId) === set) this.listeners.delete(instanceId);
    };
  }

  publish(instanceId: string, events: DomainEvent[]): void {
    const set = this.listeners.get(instanceId);
    if (!set || set.size === 0) return;
    const timestamp = new Date(this.clock()).toISOString();
    const out: LiveEvent[] = [];
    for (const e of events) {
      out.push({ id: newId(), type: e.type, instance_id: instanceId, timestamp, data: e.data });
      if (e.type === 'connection.update' && e.data.qr) out.push({ id: newId(), type: 'qr', instance_id: instanceId, timestamp, data: { qr: e.data.qr } });
    }
    for (const listener of [...set]) for (const e of out) listener.event(e);
  }

  /** Ends every stream (the server is closing: open streams would keep it from closing). */
  endAll(): void {
    for (const set of this.listeners.values()) for (const listener of [...set]) listener.end();
    this.listeners.clear();
  }
}

/** An EventSink that also feeds the live listeners; wanted when a webhook or a listener takes it. */
export function withLiveEvents(sink: EventSink, live: LiveEvents): EventSink {
  return {
    publish(instanceId, events) {
      live.publish(instanceId, events);
      return sink.publish(instanceId, events);
    },
    wants(instanceId, type) {
      return sink.wants(instanceId, type) || live.listening(instanceId);
    },
  };
}
