/**
 * Setting an instance up in one call (seed 003's init): its webhook, then
 * its settings, then the connection. The webhook URL is checked (SSRF)
 * before anything changes, so a refused URL leaves the instance as it was.
 */
import type { SettingsPatch } from '../domain/settings.js';
import type { InstanceDoc } from '../store/repositories/instances.js';
import type { InstancesService } from './instances.js';
import type { LifecycleService, StatusView } from './lifecycle.js';
import type { CreateWebhookInput } from './webhooks/subscription-input.js';
import type { WebhookSubscriptions } from './webhooks/subscriptions.js';

export interface SetupInput {
  /** The instance's webhook under `label` (created, or replaced if one has that label). */
  webhook?: { label: string; input: Omit<CreateWebhookInput, 'description' | 'enabled'> };
  settings?: SettingsPatch;
}

export class InstanceSetup {
  constructor(
    private readonly webhooks: WebhookSubscriptions,
    private readonly instances: InstancesService,
    private readonly lifecycle: LifecycleService,
  ) {}

  async init(instance: InstanceDoc, input: SetupInput): Promise<StatusView> {
    if (input.webhook) await this.webhooks.putLabelled(instance, input.webhook.label, input.webhook.input);
    if (input.settings && Object.keys(input.settings).length > 0) await this.instances.updateSettings(instance, input.settings);
    return this.lifecycle.connect(instance);
  }
}
