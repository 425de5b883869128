/**
 * The bot engine's part of the composition root: rules, the inbound
 * pipeline (subscribed to the engine hub) and the test chat, with their
 * repositories and caches.
 */
import type { Random } from '../domain/random.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/port.js';
import { ChatStatesRepo } from '../store/repositories/chat-states.js';
import { InboundMessagesRepo } from '../store/repositories/inbound-messages.js';
import type { InstancesRepo } from '../store/repositories/instances.js';
import { RulesRepo } from '../store/repositories/rules.js';
import { BotSettingsCache } from './bot-settings-cache.js';
import { ChatMemory } from './chat-memory.js';
import type { EngineHub } from './engine-hub.js';
import type { EngineManager } from './engine-manager.js';
import { InboundPipeline } from './inbound-pipeline.js';
import type { InstancesService } from './instances.js';
import type { EventSink, ReplySender } from './ports.js';
import { RulesService } from './rules.js';
import { TestChatService, type ReplyOutcomes } from './test-chat.js';

export interface BotModuleDeps {
  store: Store;
  instances: InstancesService;
  instancesRepo: InstancesRepo;
  engines: EngineManager;
  hub: EngineHub;
  sink: EventSink;
  sender: ReplySender;
  /** What became of a reply (the outbox), for the test chat. */
  replyOutcomes: ReplyOutcomes;
  clock: () => number;
  log: Logger;
  random?: Random;
  onDecide?: (ms: number) => void;
}

export async function createBotModule(d: BotModuleDeps) {
  const rulesRepo = new RulesRepo(d.store);
  const messages = new InboundMessagesRepo(d.store);
  const chatStates = new ChatStatesRepo(d.store);
  await Promise.all([rulesRepo.init(), messages.init(), chatStates.init()]);

  const rules = new RulesService(rulesRepo, d.instances, d.clock);
  const settings = new BotSettingsCache(d.instancesRepo, d.clock);
  d.instances.onSettingsChanged((instance) => settings.changed(instance));
  const memory = new ChatMemory(chatStates, d.clock);
  let testChat: TestChatService | undefined;
  const pipeline = new InboundPipeline({
    settings,
    rules,
    messages,
    memory,
    sender: d.sender,
    sink: d.sink,
    clock: d.clock,
    log: d.log,
    random: d.random,
    onDecide: d.onDecide,
    onReplies: (instanceId, waMessageId, ids) => testChat?.repliesHandedOver(instanceId, waMessageId, ids),
  });
  pipeline.attach(d.hub);
  testChat = new TestChatService(d.instances, d.engines, pipeline, messages, d.clock, d.replyOutcomes);

  async function forgetInstance(instanceId: string): Promise<void> {
    settings.forget(instanceId);
    memory.forget(instanceId);
    await Promise.all([rules.removeAll(instanceId), messages.removeAll(instanceId), chatStates.removeAll(instanceId)]);
  }

  return { rules, pipeline, testChat, forgetInstance };
}
