/**
 * Webhook subscriptions of an instance: validation that needs the network
 * (SSRF) or the instance, secrets shown once, enable/disable with a recorded
 * history, and auto-disable after days of only failures.
 */
import type { Logger } from '../../logger.js';
import { resolveEventName } from '../../domain/events.js';
import { newId } from '../../store/port.js';
import type { InstanceDoc } from '../../store/repositories/instances.js';
import type { WebhookDeliveriesRepo } from '../../store/repositories/webhook-deliveries.js';
import type { WebhookEventsRepo } from '../../store/repositories/webhook-events.js';
import type { DisabledReason, WebhookSubscriptionDoc, WebhookSubscriptionsRepo } from '../../store/repositories/webhook-subscriptions.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { UrlRejectedError, type SafeHttp } from '../net/safe-http.js';
import { generateSecret, normalizeSecret } from './signing.js';
import { SubscriptionCache } from './subscription-cache.js';
import type { CreateWebhookInput, PatchWebhookInput } from './subscription-input.js';

export const MAX_SUBSCRIPTIONS_PER_INSTANCE = 20;
/** After a rotation the old secret keeps signing this long, so receivers can switch without dropping events. */
export const ROTATION_GRACE_MS = 24 * 3600_000;

/** A labelled subscription's settings (seed 003's one webhook per instance). */
export type LabelledInput = Omit<CreateWebhookInput, 'description' | 'enabled'>;

export interface LabelledResult {
  doc: WebhookSubscriptionDoc;
  created: boolean;
  /** The signing secret when the subscription was created now (never shown again), else null. */
  secret: string | null;
  warnings: string[];
}

export interface SubscriptionsOptions {
  defaultTimeoutMs: number;
  disableAfterDays: number;
  clock: () => number;
  log: Logger;
}

export class WebhookSubscriptions {
  readonly cache = new SubscriptionCache();
  /** Called after a subscription is enabled again, so its paused deliveries are picked up at once. */
  onResumed: (subscriptionId: string) => void = () => {};

  constructor(
    private readonly repo: WebhookSubscriptionsRepo,
    private readonly deliveries: WebhookDeliveriesRepo,
    private readonly events: WebhookEventsRepo,
    private readonly http: SafeHttp,
    private readonly options: SubscriptionsOptions,
  ) {}

  async load(): Promise<void> {
    this.cache.replaceAll(await this.repo.all());
  }

  /** Re-reads one subscription (the cache may be stale when other processes share the store). */
  async reload(id: string): Promise<WebhookSubscriptionDoc | null> {
    const doc = await this.repo.byId(id);
    if (doc) this.cache.put(doc);
    else this.cache.drop(id);
    return doc;
  }

  list(instanceId: string): Promise<WebhookSubscriptionDoc[]> {
    return this.repo.listByInstance(instanceId);
  }

  async get(instanceId: string, id: string): Promise<WebhookSubscriptionDoc> {
    const doc = await this.repo.byId(id);
    if (!doc || doc.instance_id !== instanceId) throw new NotFoundError('webhook');
    return doc;
  }

  async create(instance: InstanceDoc, input: CreateWebhookInput): Promise<{ doc: WebhookSubscriptionDoc; secret: string; warnings: string[] }> {
    const { url, warning } = await this.checkUrl(input.url);
    if ((await this.repo.countByInstance(instance._id)) >= MAX_SUBSCRIPTIONS_PER_INSTANCE) {
      throw new ConflictError(`an instance can have at most ${MAX_SUBSCRIPTIONS_PER_INSTANCE} webhooks`);
    }
    const secret = input.secret === undefined ? generateSecret() : this.secret(input.secret);
    const now = this.options.clock();
    const enabled = input.enabled ?? true;
    const doc = await this.repo.insert({
      _id: newId(),
      instance_id: instance._id,
      owner_id: instance.owner_id,
      url,
      events: dedupe(input.events),
      secret,
      previous_secret: null,
      previous_secret_expires_at: null,
      headers: toHeaderList(input.headers ?? {}),
      enabled,
      timeout_ms: input.timeout_ms ?? this.options.defaultTimeoutMs,
      description: input.description ?? null,
      failing_since: null,
      disabled_reason: enabled ? null : 'user',
      disabled_at: enabled ? null : now,
      history: [],
      created_at: now,
      updated_at: now,
    });
    this.cache.put(doc);
    return { doc, secret, warnings: [...(warning ? [warning] : []), ...warnings(instance, doc.events)] };
  }

  async patch(instance: InstanceDoc, id: string, input: PatchWebhookInput): Promise<{ doc: WebhookSubscriptionDoc; warnings: string[] }> {
    const current = await this.get(instance._id, id);
    const fields: Partial<WebhookSubscriptionDoc> = {};
    const checked = input.url !== undefined ? await this.checkUrl(input.url) : null;
    if (checked) fields.url = checked.url;
    if (input.events !== undefined) fields.events = dedupe(input.events);
    if (input.secret !== undefined) Object.assign(fields, { secret: this.secret(input.secret), previous_secret: null, previous_secret_expires_at: null });
    if (input.headers !== undefined) fields.headers = toHeaderList(input.headers);
    if (input.timeout_ms !== undefined) fields.timeout_ms = input.timeout_ms;
    if (input.description !== undefined) fields.description = input.description;
    let doc = current;
    if (Object.keys(fields).length > 0) doc = await this.save(id, fields);
    if (input.enabled !== undefined && input.enabled !== doc.enabled) doc = await this.setEnabled(doc, input.enabled, 'user', 'changed through the API');
    return { doc, warnings: [...(checked?.warning ? [checked.warning] : []), ...(input.events !== undefined ? warnings(instance, doc.events) : [])] };
  }

  /**
   * "Set the webhook" of APIs where an instance has one (seed 003): creates
   * the subscription whose description is `label`, or changes and re-enables
   * the existing one. Subscriptions made any other way are left alone.
   */
  /**
   * The instance's subscription under `label`: created (its secret returned,
   * the only time it is shown), or changed. `replace` sets what is given and
   * clears the headers not given; `merge` changes the URL and adds the given
   * events to those chosen before, keeping headers and timeout (seed 003's
   * init, which names only a URL, must not undo what setWebhook chose).
   */
  async putLabelled(instance: InstanceDoc, label: string, input: LabelledInput, mode: 'replace' | 'merge' = 'replace'): Promise<LabelledResult> {
    const existing = (await this.repo.listByInstance(instance._id)).find((d) => d.description === label);
    if (!existing) {
      const { doc, secret, warnings: w } = await this.create(instance, { ...input, description: label });
      return { doc, created: true, secret, warnings: w };
    }
    const change: PatchWebhookInput =
      mode === 'merge' ? { url: input.url, events: [...existing.events, ...(input.events ?? [])], enabled: true } : { ...input, headers: input.headers ?? {}, enabled: true };
    const { doc, warnings: w } = await this.patch(instance, existing._id, change);
    return { doc, created: false, secret: null, warnings: w };
  }

  async toggle(instance: InstanceDoc, id: string, enabled?: boolean): Promise<WebhookSubscriptionDoc> {
    const doc = await this.get(instance._id, id);
    const target = enabled ?? !doc.enabled;
    return target === doc.enabled ? doc : this.setEnabled(doc, target, 'user', 'toggled through the API');
  }

  /** A new secret, shown once; the previous one keeps signing for a day. */
  async rotateSecret(instance: InstanceDoc, id: string): Promise<{ doc: WebhookSubscriptionDoc; secret: string }> {
    const current = await this.get(instance._id, id);
    const secret = generateSecret();
    const now = this.options.clock();
    const doc = await this.save(id, { secret, previous_secret: current.secret, previous_secret_expires_at: now + ROTATION_GRACE_MS });
    return { doc, secret };
  }

  async remove(instance: InstanceDoc, id: string): Promise<void> {
    await this.get(instance._id, id);
    await this.repo.remove(id);
    this.cache.drop(id);
    await this.deliveries.removeForSubscription(id);
  }

  async removeForInstance(instanceId: string): Promise<void> {
    for (const doc of await this.repo.listByInstance(instanceId)) {
      this.cache.drop(doc._id);
      await this.deliveries.removeForSubscription(doc._id);
    }
    await this.repo.removeForInstance(instanceId);
    await this.events.removeForInstance(instanceId);
  }

  /** The secrets that sign right now (two during a rotation's grace period). */
  signingSecrets(doc: WebhookSubscriptionDoc, now: number): string[] {
    return doc.previous_secret && (doc.previous_secret_expires_at ?? 0) > now ? [doc.secret, doc.previous_secret] : [doc.secret];
  }

  /**
   * Switches a subscription on or off and records it in its history. Off
   * parks its pending deliveries (paused); on resumes them with a fresh round
   * of attempts, so nothing queued is lost either way.
   */
  async setEnabled(doc: WebhookSubscriptionDoc, enabled: boolean, reason: DisabledReason, detail: string): Promise<WebhookSubscriptionDoc> {
    const now = this.options.clock();
    const fields: Partial<WebhookSubscriptionDoc> = enabled
      ? { enabled: true, disabled_reason: null, disabled_at: null, failing_since: null }
      : { enabled: false, disabled_reason: reason, disabled_at: now };
    const updated = await this.repo.update(doc._id, fields, now, { type: enabled ? 'webhook.enabled' : 'webhook.disabled', reason, detail, at: now });
    if (!updated) throw new NotFoundError('webhook');
    this.cache.put(updated);
    if (enabled) {
      await this.deliveries.resumeSubscription(doc._id, now);
      this.onResumed(doc._id);
    } else {
      await this.deliveries.pauseSubscription(doc._id, now);
      if (reason !== 'user') this.options.log.warn({ subscription_id: doc._id, instance_id: doc.instance_id, reason, detail }, 'webhook disabled');
    }
    return updated;
  }

  /** A 2xx ends any run of failures. Writes only when there was one. */
  async noteSuccess(subscriptionId: string): Promise<void> {
    const doc = this.cache.get(subscriptionId);
    if (!doc || doc.failing_since === null) return;
    const updated = await this.repo.update(subscriptionId, { failing_since: null }, this.options.clock());
    if (updated) this.cache.put(updated);
  }

  /** A failed attempt: starts or extends the run of failures, and disables after `disableAfterDays` of it. */
  async noteFailure(subscriptionId: string, now: number): Promise<void> {
    const doc = this.cache.get(subscriptionId);
    if (!doc || !doc.enabled) return;
    if (doc.failing_since === null) {
      const updated = await this.repo.markFailing(subscriptionId, now);
      if (updated) this.cache.put(updated);
      return;
    }
    const limitMs = this.options.disableAfterDays * 86_400_000;
    if (now - doc.failing_since >= limitMs) {
      const since = new Date(doc.failing_since).toISOString();
      await this.setEnabled(doc, false, 'failing', `every attempt since ${since} failed (limit: ${this.options.disableAfterDays} days)`);
    }
  }

  private async save(id: string, fields: Partial<WebhookSubscriptionDoc>): Promise<WebhookSubscriptionDoc> {
    const doc = await this.repo.update(id, fields, this.options.clock());
    if (!doc) throw new NotFoundError('webhook');
    this.cache.put(doc);
    return doc;
  }

  /**
   * A literal private address, or a host that resolves to one, is refused. A
   * host that does not resolve is accepted with a warning: DNS may not be
   * published yet, or the server is offline; every delivery checks the
   * address it connects to anyway.
   */
  private async checkUrl(raw: string): Promise<{ url: string; warning: string | null }> {
    try {
      const { url, unresolved } = await this.http.screen(raw);
      const warning = unresolved ? `url: ${unresolved}; the webhook is saved anyway, and its deliveries fail (and are retried) until the host resolves to a public address` : null;
      return { url: url.toString(), warning };
    } catch (err) {
      if (err instanceof UrlRejectedError) throw new ValidationError('body.url', err.reason);
      throw err;
    }
  }

  private secret(raw: string): string {
    const result = normalizeSecret(raw);
    if ('error' in result) throw new ValidationError('body.secret', result.error);
    return result.secret;
  }
}

function dedupe(events: string[]): string[] {
  return [...new Set(events)];
}

function toHeaderList(headers: Record<string, string>): { name: string; value: string }[] {
  return Object.entries(headers).map(([name, value]) => ({ name, value }));
}

/** Inbound message events are gated by the bot's send_webhook flag; say so rather than flip it. */
function warnings(instance: InstanceDoc, events: string[]): string[] {
  const gated = [...new Set(events.map(resolveEventName))].filter((t) => t === 'message.received' || t === 'message.any');
  if (gated.length === 0 || instance.settings.actions.send_webhook) return [];
  return [
    `actions.send_webhook is off for this instance, so ${gated.join(' and ')} events will not be sent until it is turned on ` +
      `(PATCH /v1/instances/${instance._id}/settings with {"actions":{"send_webhook":true}}). Other events are sent regardless.`,
  ];
}
