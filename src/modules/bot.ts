/**
 * The bot engine: keyword rules, the inbound pipeline (engine messages →
 * decide() → the conversation record, webhooks and chat memory) and the
 * owner's test chat, with their repositories and caches.
 */
import type { Random } from '../domain/random.js';
import type { Logger } from '../logger.js';
import { BotSettingsCache } from '../services/bot-settings-cache.js';
import { ChatControl } from '../services/chat-control.js';
import { chatDueWorker } from '../services/chat-due-worker.js';
import { owedEventsWorker } from '../services/owed-events-worker.js';
import { ChatMemory } from '../services/chat-memory.js';
import { ChatQueue } from '../services/chat-queue.js';
import type { EngineManager } from '../services/engine-manager.js';
import { FlowsService } from '../services/flows.js';
import { InboundPipeline } from '../services/inbound-pipeline.js';
import type { Observer } from '../services/metrics/observer.js';
import { mediaAnswers } from '../services/media-answers.js';
import type { ConversationRecord, EventSink, MediaIntake } from '../services/ports.js';
import { RulesService, type ReplyReferences } from '../services/rules.js';
import { TestChatService, type ReplyOutcomes } from '../services/test-chat.js';
import { SettingsPreviewService } from '../services/settings-preview.js';
import { onStoreChange } from '../services/store-changes.js';
import type { Store } from '../store/port.js';
import { ChatStatesRepo } from '../store/repositories/chat-states.js';
import { FlowsRepo } from '../store/repositories/flows.js';
import { InboundMessagesRepo } from '../store/repositories/inbound-messages.js';
import type { InstancesRepo } from '../store/repositories/instances.js';
import { RulesRepo } from '../store/repositories/rules.js';

export interface BotDeps {
  store: Store;
  instancesRepo: InstancesRepo;
  engines: EngineManager;
  sink: EventSink;
  /** Where inbound messages are stored with their replies (the outbox module). */
  record: ConversationRecord;
  /** What became of a reply (the outbox), for the test chat. */
  replyOutcomes: ReplyOutcomes;
  /** Where a flow's media answers are stored (the media module). */
  mediaIntake: MediaIntake;
  /** What rule replies may refer to (the media module), checked when a rule is saved. */
  replyReferences: ReplyReferences;
  clock: () => number;
  log: Logger;
  random?: Random;
  /** Inbound counts and decisions, for the metrics. */
  observer?: Observer;
}

export async function botModule(d: BotDeps) {
  const rulesRepo = new RulesRepo(d.store);
  const messages = new InboundMessagesRepo(d.store);
  const chatStates = new ChatStatesRepo(d.store);
  const flowsRepo = new FlowsRepo(d.store);
  await Promise.all([rulesRepo.init(), messages.init(), chatStates.init(), flowsRepo.init()]);

  const flows = new FlowsService(flowsRepo, d.replyReferences, d.clock);
  // a rule's start_flow must name a flow of its instance
  const rules = new RulesService(rulesRepo, { ...d.replyReferences, flows }, d.clock);
  const settings = new BotSettingsCache(d.instancesRepo, d.clock);
  const memory = new ChatMemory(chatStates, d.clock);
  // one queue for a chat's messages, its pauses and its timeouts: strict order per chat
  const queue = new ChatQueue();
  const pipeline = new InboundPipeline({ settings, rules, flows, memory, queue, record: d.record, sink: d.sink, clock: d.clock, log: d.log, random: d.random, observer: d.observer, keepMedia: mediaAnswers(d.engines, d.mediaIntake), keepUnpublished: !d.store.capabilities.turnCommit,
    markRead: async (instanceId, m) => {
      await d.engines.get(instanceId)?.markRead?.([{ chat_jid: m.chat_jid, wa_message_id: m.wa_message_id, sender_jid: m.sender_jid, is_group: m.is_group }]);
    },
  });
  const chats = new ChatControl({ settings, flows, memory, queue, sink: d.sink, record: d.record, clock: d.clock, log: d.log, random: d.random });
  const runsHere = (instanceId: string) => d.engines.placement.holds(instanceId);
  const dueChats = chatDueWorker(chatStates, chats, d.clock, d.log, () => d.engines.placement.runningHere());
  // stores without turn commit keep a message's webhook events with it until they are out
  const owedEvents = d.store.capabilities.turnCommit ? null : owedEventsWorker(d.record, pipeline, runsHere, d.clock, d.log);
  const testChat = new TestChatService(d.engines, pipeline, messages, d.clock, d.replyOutcomes);
  const settingsPreview = new SettingsPreviewService(d.clock, d.random);
  // other nodes' changes reach the caches within moments, where the store reports them (their polls stay as the safety net)
  const stopWatching = [
    onStoreChange(d.store, ['instances'], () => settings.invalidateAll()),
    onStoreChange(d.store, [rulesRepo.collectionName], () => rules.invalidateAll()),
    onStoreChange(d.store, [flowsRepo.collectionName], () => flows.invalidateAll()),
  ];

  return {
    rules,
    flows,
    pipeline,
    testChat,
    settingsPreview,
    chats,
    /** Flow timeouts and the end of takeover pauses, from the store (tests run it at will). */
    dueChats,
    /** Webhook events owed by messages whose node died (tests run it at will); null where the store commits a turn at once. */
    owedEvents,
    workers: owedEvents ? [dueChats, owedEvents] : [dueChats],
    /** Settings changed through this process: the pipeline's cache takes them at once. */
    settingsChanged: (instance: Parameters<BotSettingsCache['changed']>[0]) => settings.changed(instance),
    /** Another node runs the instance from now on: what is kept in memory for it would go stale here. */
    release(instanceId: string) {
      settings.forget(instanceId);
      memory.forget(instanceId);
    },
    async forgetInstance(instanceId: string) {
      settings.forget(instanceId);
      memory.forget(instanceId);
      await Promise.all([rules.removeAll(instanceId), flows.removeAll(instanceId), messages.removeAll(instanceId), chatStates.removeAll(instanceId)]);
    },
    async close() {
      for (const stop of stopWatching) stop();
    },
  };
}

export type BotModule = Awaited<ReturnType<typeof botModule>>;
