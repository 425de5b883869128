import { expect } from 'chai';
import { emptyChatState, type ChatState } from '../domain/loop-guard.js';
import type { ChatStateDoc, ChatStatesRepo } from '../store/repositories/chat-states.js';
import { ChatMemory } from './chat-memory.js';

/** An in-memory stand-in that records what would be written. */
function fakeRepo(stored: Record<string, Record<string, number>> = {}) {
  const saves: { chat: string; cooldowns: Record<string, number> }[] = [];
  const repo = {
    pendingChats: async () => [],
    find: async (instanceId: string, chatJid: string) => {
      const cooldowns = stored[`${instanceId}|${chatJid}`];
      return cooldowns ? ({ cooldowns } as unknown as ChatStateDoc) : null;
    },
    save: async (_instanceId: string, chatJid: string, state: { cooldowns: Record<string, number> }) => {
      saves.push({ chat: chatJid, cooldowns: state.cooldowns });
    },
  } as unknown as ChatStatesRepo;
  return { repo, saves };
}

const replied = (state: ChatState, at: number): ChatState => ({ ...state, recent: [...state.recent, { at, text: 'hi there' }] });

describe('chat memory', () => {
  it('writes nothing for a message that leaves the cooldowns as they were', async () => {
    const { repo, saves } = fakeRepo();
    const memory = new ChatMemory(repo, () => 0);
    // the first call per instance asks the store which chats are paused or in a flow
    await memory.ready('i1', 'a@s.whatsapp.net', false);
    expect(memory.ready('i1', 'a@s.whatsapp.net', false)).to.equal(undefined);
    for (let at = 1; at <= 3; at++) {
      expect(memory.set('i1', 'a@s.whatsapp.net', replied(memory.current('i1', 'a@s.whatsapp.net'), at))).to.equal(undefined);
    }
    expect(saves).to.deep.equal([]);
    expect(memory.current('i1', 'a@s.whatsapp.net').recent).to.have.length(3);
  });

  it('writes the cooldowns when they change, once per change', async () => {
    const { repo, saves } = fakeRepo();
    const memory = new ChatMemory(repo, () => 0);
    const chat = 'a@s.whatsapp.net';
    await memory.set('i1', chat, { ...emptyChatState(), cooldowns: { r1: 10 } });
    expect(memory.set('i1', chat, { ...memory.current('i1', chat), recent: [] })).to.equal(undefined);
    await memory.set('i1', chat, { ...emptyChatState(), cooldowns: { r1: 20 } });
    await memory.set('i1', chat, emptyChatState());
    expect(saves.map((s) => s.cooldowns)).to.deep.equal([{ r1: 10 }, { r1: 20 }, {}]);
  });

  it('reads without cooldowns only the chats the store lists as paused or in a flow, and keeps that list as flows start and end', async () => {
    const reads: string[] = [];
    const flow = { flow_id: 'f', flow_name: 'order', version: 1, step: 'menu', vars: {}, attempts: 0, started_at: 0, deadline: 60_000, participant: null, phone: null };
    const repo = {
      pendingChats: async () => ['b@s.whatsapp.net'],
      find: async (_i: string, chatJid: string) => {
        reads.push(chatJid);
        return chatJid === 'b@s.whatsapp.net' ? ({ cooldowns: {}, flow } as unknown as ChatStateDoc) : null;
      },
      save: async () => undefined,
    } as unknown as ChatStatesRepo;
    const memory = new ChatMemory(repo, () => 0);
    await memory.ready('i1', 'a@s.whatsapp.net', false);
    await memory.ready('i1', 'b@s.whatsapp.net', false);
    expect(reads).to.deep.equal(['b@s.whatsapp.net']);
    expect(memory.current('i1', 'b@s.whatsapp.net').flow).to.deep.equal(flow);
    // a flow started here puts the chat on the list: after eviction it is read back
    const small = new ChatMemory(repo, () => 0, 1);
    await small.ready('i1', 'c@s.whatsapp.net', false);
    await small.set('i1', 'c@s.whatsapp.net', { ...emptyChatState(), flow });
    await small.ready('i1', 'd@s.whatsapp.net', false);
    reads.length = 0;
    await small.ready('i1', 'c@s.whatsapp.net', false);
    expect(reads).to.deep.equal(['c@s.whatsapp.net']);
  });

  it('keeps chats and instances apart when their calls interleave', async () => {
    const { repo } = fakeRepo({ 'i2|a@s.whatsapp.net': { r9: 5 } });
    const memory = new ChatMemory(repo, () => 0);
    memory.set('i1', 'a@s.whatsapp.net', replied(emptyChatState(), 1));
    memory.set('i1', 'b@s.whatsapp.net', replied(replied(emptyChatState(), 1), 2));
    await memory.ready('i2', 'a@s.whatsapp.net', true);
    expect(memory.current('i1', 'a@s.whatsapp.net').recent).to.have.length(1);
    expect(memory.current('i1', 'b@s.whatsapp.net').recent).to.have.length(2);
    expect(memory.current('i2', 'a@s.whatsapp.net')).to.deep.equal({ ...emptyChatState(), cooldowns: { r9: 5 } });
    expect(memory.current('i1', 'a@s.whatsapp.net').recent).to.have.length(1);
    memory.forget('i1');
    expect(memory.current('i1', 'a@s.whatsapp.net')).to.deep.equal(emptyChatState());
    expect(memory.current('i2', 'a@s.whatsapp.net').cooldowns).to.deep.equal({ r9: 5 });
  });
});
