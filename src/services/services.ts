/**
 * Everything route handlers may call, built once by the composition root
 * (src/app.ts). Handlers parse, call one of these and format.
 */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { SandboxRecord } from '../engines/sandbox/sandbox-record.js';
import type { Store } from '../store/port.js';
import type { AuthService } from './auth.js';
import type { EngineHub } from './engine-hub.js';
import type { EngineManager } from './engine-manager.js';
import type { InstancesService } from './instances.js';
import type { LifecycleService } from './lifecycle.js';
import type { ContactsService } from './contacts/contacts-service.js';
import type { GroupsService } from './contacts/groups.js';
import type { SavedContactsService } from './contacts/saved-contacts.js';
import type { MediaIntakeService } from './media/media-intake.js';
import type { TextVariationService } from './variation/text-variator.js';
import type { WebhooksService } from './webhooks/webhooks-service.js';
import type { OutboxModule } from './outbox/outbox-module.js';
import type { InboundPipeline } from './inbound-pipeline.js';
import type { RulesService } from './rules.js';
import type { TestChatService } from './test-chat.js';

export interface Services {
  config: Config;
  log: Logger;
  store: Store;
  clock: () => number;
  hub: EngineHub;
  engines: EngineManager;
  auth: AuthService;
  instances: InstancesService;
  lifecycle: LifecycleService;
  sandbox: SandboxRecord;
  /** Media intake and the media store (MediaIntake port). */
  media: MediaIntakeService;
  /** Number checks (paced, capped, cached) and contact profiles. */
  contacts: ContactsService;
  /** The instance's address book (SavedContacts port). */
  savedContacts: SavedContactsService;
  groups: GroupsService;
  /** Seed 002's aiModifications (TextVariator port). */
  variation: TextVariationService;
  /** Webhook subscriptions and deliveries; also the EventSink producers publish to. */
  webhooks: WebhooksService;
  /** Outbound messages: send, list, get, cancel (durable outbox). */
  outbox: OutboxModule['outbox'];
  /** Bulk send jobs. */
  jobs: OutboxModule['jobs'];
  /** Recurring (cron) sends. */
  recurring: OutboxModule['recurring'];
  /** Idempotency-Key handling for creating routes. */
  idempotency: OutboxModule['idempotency'];
  /** Keyword rules (CRUD) and their compiled, cached rule sets. */
  rules: RulesService;
  /** Inbound messages: engine events → decide() → store, webhooks, replies. */
  pipeline: InboundPipeline;
  /** The owner's test chat, the rules dry run and stored decision traces. */
  testChat: TestChatService;
}
