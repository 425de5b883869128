/**
 * What route handlers may call: one face per capability, handed over by
 * the composition root (src/app.ts). Route groups take the members they
 * use (`Pick<Api, …>`). Never the store, the engine hub or the engines:
 * routes reach WhatsApp only through services.
 */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { AuthService } from '../services/auth.js';
import type { ContactsService } from '../services/contacts/contacts-service.js';
import type { GroupsService } from '../services/contacts/groups.js';
import type { SavedContactsService } from '../services/contacts/saved-contacts.js';
import type { InstanceDeletion } from '../services/instance-deletion.js';
import type { InstanceSetup } from '../services/instance-setup.js';
import type { InstancesService } from '../services/instances.js';
import type { LifecycleService } from '../services/lifecycle.js';
import type { MediaIntakeService } from '../services/media/media-intake.js';
import type { BulkJobsService } from '../services/outbox/bulk-jobs.js';
import type { IdempotencyService } from '../services/outbox/idempotency.js';
import type { OutboxService } from '../services/outbox/outbox-service.js';
import type { RecurringService } from '../services/outbox/recurring-service.js';
import type { ChatControl } from '../services/chat-control.js';
import type { LiveEvents } from '../services/live-events.js';
import type { FlowsService } from '../services/flows.js';
import type { RulesService } from '../services/rules.js';
import type { TestChatService } from '../services/test-chat.js';
import type { SettingsPreviewService } from '../services/settings-preview.js';
import type { TextVariationService } from '../services/variation/text-variator.js';
import type { Metrics } from '../services/metrics/metrics.js';
import type { WebhooksService } from '../services/webhooks/webhooks-service.js';
import type { ClusterDirectory } from '../services/cluster/cluster-view.js';
import type { RateCounters } from '../services/rate-counters.js';

/** Readiness: the store answers. */
export interface Health {
  /** The store backend's name, for /ready. */
  readonly store: string;
  /** Throws when the store is unreachable. */
  ping(): Promise<void>;
}

export interface Api {
  config: Config;
  log: Logger;
  health: Health;
  auth: AuthService;
  instances: InstancesService;
  /** Deleting an instance with everything every capability keeps for it. */
  deletion: InstanceDeletion;
  /** Webhook, settings and connection in one call (seed 003's init). */
  setup: InstanceSetup;
  lifecycle: LifecycleService;
  webhooks: WebhooksService;
  outbox: OutboxService;
  jobs: BulkJobsService;
  recurring: RecurringService;
  idempotency: IdempotencyService;
  media: MediaIntakeService;
  contacts: ContactsService;
  savedContacts: SavedContactsService;
  groups: GroupsService;
  variation: TextVariationService;
  rules: RulesService;
  /** Conversation flows: CRUD and save-time checks. */
  flows: FlowsService;
  testChat: TestChatService;
  /** The settings page's answers: the schedule right now, renderings of a draft reply. */
  settingsPreview: SettingsPreviewService;
  /** The bot's state per chat: takeover pauses and the flow a chat is in. */
  chats: ChatControl;
  /** Every event published for an instance, as it happens (the server-sent-events stream). */
  live: LiveEvents;
  /** Prometheus metrics: the HTTP layer reports requests, /metrics scrapes them. */
  metrics: Metrics;
  /** With several nodes on one store: the nodes, and which one runs an instance (null on a single process). */
  cluster: ClusterDirectory | null;
  /** Where the rate limits count (shared by the nodes on a PostgreSQL store); in this process's memory when absent. */
  rateCounters?: RateCounters;
}
