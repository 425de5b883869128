/**
 * Setting an instance up in one call (seed 003's init): its webhook, then
 * its settings, then the connection. The webhook URL is checked (SSRF)
 * before anything changes, so a refused URL leaves the instance as it was.
 */
import type { SettingsPatch } from '../domain/settings.js';
import type { InstanceDoc } from '../store/repositories/instances.js';
import type { InstancesService } from './instances.js';
import type { LifecycleService, StatusView } from './lifecycle.js';
import type { LabelledInput, LabelledResult, WebhookSubscriptions } from './webhooks/subscriptions.js';

export interface SetupInput {
  /** The instance's webhook under `label`: created, or given this URL with these events added to those it had. */
  webhook?: { label: string; input: LabelledInput };
  settings?: SettingsPatch;
}

export interface SetupResult {
  status: StatusView;
  /** What became of the webhook, when one was given. */
  webhook: LabelledResult | null;
}

export class InstanceSetup {
  constructor(
    private readonly webhooks: WebhookSubscriptions,
    private readonly instances: InstancesService,
    private readonly lifecycle: LifecycleService,
  ) {}

  async init(instance: InstanceDoc, input: SetupInput): Promise<SetupResult> {
    const webhook = input.webhook ? await this.webhooks.putLabelled(instance, input.webhook.label, input.webhook.input, 'merge') : null;
    if (input.settings && Object.keys(input.settings).length > 0) await this.instances.updateSettings(instance, input.settings);
    return { status: await this.lifecycle.connect(instance), webhook };
  }
}
