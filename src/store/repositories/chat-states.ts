/**
 * The durable part of the bot's per-chat memory: rule cooldowns (which may
 * last days), the flow a chat is inside and the owner's takeover pause.
 * Recent reply texts and loop-protection mutes last minutes and live in
 * memory only (services/chat-memory.ts).
 *
 * `due_at` is when the chat next needs the bot without a message: its
 * flow's deadline or its pause's end, whichever comes first. The sparse
 * index holds only such chats, so the due-time worker reads nothing else.
 */
import type { ChatPause, FlowState } from '../../domain/flow-run.js';
import { DuplicateKeyError, newId, type Doc, type Store } from '../port.js';

export interface DurableChatState {
  /** Rule id → epoch ms of the last reply with that rule to this chat. */
  cooldowns: Record<string, number>;
  flow: FlowState | null;
  pause: ChatPause | null;
}

export interface ChatStateDoc extends Doc, Partial<Omit<DurableChatState, 'cooldowns'>> {
  instance_id: string;
  chat_jid: string;
  cooldowns: Record<string, number>;
  due_at?: number;
  updated_at: number;
}

export function dueAt(state: Omit<DurableChatState, 'cooldowns'>): number | null {
  const times = [state.flow?.deadline, state.pause?.until].filter((t): t is number => t !== undefined);
  return times.length > 0 ? Math.min(...times) : null;
}

export class ChatStatesRepo {
  private readonly coll;

  constructor(private readonly store: Store) {
    this.coll = store.collection<ChatStateDoc>('bot_chat_states');
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes('bot_chat_states', [
      { keys: { instance_id: 1, chat_jid: 1 }, unique: true },
      { keys: { due_at: 1 }, sparse: true, name: 'chat_due' },
    ]);
  }

  find(instanceId: string, chatJid: string): Promise<ChatStateDoc | null> {
    return this.coll.findOne({ instance_id: instanceId, chat_jid: chatJid });
  }

  /**
   * Writes the chat's durable state. `exists`: whether the caller knows a
   * document is stored (true), knows none is (false), or cannot tell
   * (undefined). A known document is updated in place (on the embedded
   * store, inside SQLite without reading it); otherwise the document is
   * inserted, and updated after all when one turns out to be there.
   */
  async save(instanceId: string, chatJid: string, state: DurableChatState, now: number, exists?: boolean): Promise<void> {
    const due = dueAt(state);
    const filter = { instance_id: instanceId, chat_jid: chatJid };
    const fields = { cooldowns: state.cooldowns, flow: state.flow, pause: state.pause, updated_at: now };
    const update = { $set: { ...fields, ...(due !== null ? { due_at: due } : {}) }, ...(due === null ? { $unset: { due_at: true as const } } : {}) };
    if (exists) {
      if ((await this.coll.updateOne(filter, update)).matched === 1) return;
    } else {
      try {
        await this.coll.insertOne({ _id: newId(), ...filter, ...fields, ...(due !== null ? { due_at: due } : {}) });
        return;
      } catch (err) {
        if (!(err instanceof DuplicateKeyError)) throw err;
      }
    }
    await this.coll.updateOne(filter, { ...update, $setOnInsert: { _id: newId() } }, { upsert: true });
  }

  /** Chats whose flow deadline or pause end has passed, earliest first. */
  /** `instanceIds`: only these instances' chats (null: every instance's). */
  async due(now: number, limit: number, instanceIds: string[] | null = null): Promise<ChatStateDoc[]> {
    if (instanceIds?.length === 0) return [];
    return this.coll.find({ due_at: { $lte: now }, ...(instanceIds ? { instance_id: { $in: instanceIds } } : {}) }, { sort: { due_at: 1 }, limit });
  }

  /** The chats of the instance that are paused or inside a flow: the only ones whose durable state must be read without cooldowns. */
  async pendingChats(instanceId: string): Promise<string[]> {
    const docs = await this.coll.find({ instance_id: instanceId, due_at: { $gte: 0 } });
    return docs.map((d) => d.chat_jid);
  }

  async removeAll(instanceId: string): Promise<void> {
    await this.coll.deleteMany({ instance_id: instanceId });
  }
}
