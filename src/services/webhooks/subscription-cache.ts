/**
 * Every subscription, in memory, with its event filter compiled. Publishing
 * reads it synchronously so the delivery rows are written in the same
 * event-loop turn as the producer's own record (a store with turnCommit
 * commits a turn's writes together). Local changes update it at once; on a
 * store shared across processes, where others may change subscriptions, it
 * is also reloaded periodically.
 */
import { resolveEventName, type DomainEvent, type EventType } from '../../domain/events.js';
import type { WebhookSubscriptionDoc } from '../../store/repositories/webhook-subscriptions.js';

export interface CompiledSubscription {
  doc: WebhookSubscriptionDoc;
  types: Set<EventType>;
  /** Subscribed through seed 001's `ready` only: connection updates while connected. */
  readyOnly: boolean;
}

export function compile(doc: WebhookSubscriptionDoc): CompiledSubscription {
  const types = new Set<EventType>();
  let explicitConnection = false;
  for (const name of doc.events) {
    const type = resolveEventName(name);
    if (!type) continue;
    types.add(type);
    if (type === 'connection.update' && name !== 'ready') explicitConnection = true;
  }
  return { doc, types, readyOnly: types.has('connection.update') && !explicitConnection };
}

export function wants(sub: CompiledSubscription, event: DomainEvent): boolean {
  if (!sub.types.has(event.type)) return false;
  if (event.type === 'connection.update' && sub.readyOnly) return event.data.ready;
  return true;
}

export class SubscriptionCache {
  private readonly byId = new Map<string, CompiledSubscription>();
  private readonly byInstance = new Map<string, CompiledSubscription[]>();

  replaceAll(docs: WebhookSubscriptionDoc[]): void {
    this.byId.clear();
    this.byInstance.clear();
    for (const doc of docs) this.put(doc);
  }

  put(doc: WebhookSubscriptionDoc): void {
    this.drop(doc._id);
    const compiled = compile(doc);
    this.byId.set(doc._id, compiled);
    const list = this.byInstance.get(doc.instance_id) ?? [];
    list.push(compiled);
    this.byInstance.set(doc.instance_id, list);
  }

  drop(id: string): void {
    const existing = this.byId.get(id);
    if (!existing) return;
    this.byId.delete(id);
    const list = (this.byInstance.get(existing.doc.instance_id) ?? []).filter((s) => s.doc._id !== id);
    if (list.length > 0) this.byInstance.set(existing.doc.instance_id, list);
    else this.byInstance.delete(existing.doc.instance_id);
  }

  get(id: string): WebhookSubscriptionDoc | undefined {
    return this.byId.get(id)?.doc;
  }

  /** Whether an enabled subscription of the instance takes events of this type. */
  wantsType(instanceId: string, type: EventType): boolean {
    const list = this.byInstance.get(instanceId);
    if (!list) return false;
    for (const sub of list) if (sub.doc.enabled && sub.types.has(type)) return true;
    return false;
  }

  /** Enabled subscriptions of the instance that want this event. */
  matching(instanceId: string, event: DomainEvent): WebhookSubscriptionDoc[] {
    const list = this.byInstance.get(instanceId);
    if (!list) return [];
    const out: WebhookSubscriptionDoc[] = [];
    for (const sub of list) if (sub.doc.enabled && wants(sub, event)) out.push(sub.doc);
    return out;
  }
}
