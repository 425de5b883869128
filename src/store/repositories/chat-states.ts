/**
 * The durable part of the bot's per-chat memory: rule cooldowns, which may
 * last hours or days. Recent reply texts and loop-protection mutes last
 * minutes and live in memory only (services/chat-memory.ts).
 */
import { newId, type Doc, type Store } from '../port.js';

export interface ChatStateDoc extends Doc {
  instance_id: string;
  chat_jid: string;
  /** Rule id → epoch ms of the last reply with that rule to this chat. */
  cooldowns: Record<string, number>;
  updated_at: number;
}

export class ChatStatesRepo {
  private readonly coll;

  constructor(private readonly store: Store) {
    this.coll = store.collection<ChatStateDoc>('bot_chat_states');
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes('bot_chat_states', [{ keys: { instance_id: 1, chat_jid: 1 }, unique: true }]);
  }

  find(instanceId: string, chatJid: string): Promise<ChatStateDoc | null> {
    return this.coll.findOne({ instance_id: instanceId, chat_jid: chatJid });
  }

  async save(instanceId: string, chatJid: string, cooldowns: Record<string, number>, now: number): Promise<void> {
    await this.coll.updateOne(
      { instance_id: instanceId, chat_jid: chatJid },
      { $set: { cooldowns, updated_at: now }, $setOnInsert: { _id: newId() } },
      { upsert: true },
    );
  }

  async removeAll(instanceId: string): Promise<void> {
    await this.coll.deleteMany({ instance_id: instanceId });
  }
}
