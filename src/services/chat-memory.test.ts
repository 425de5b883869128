import { expect } from 'chai';
import { emptyChatState, type ChatState } from '../domain/loop-guard.js';
import type { ChatStateDoc, ChatStatesRepo } from '../store/repositories/chat-states.js';
import { ChatMemory } from './chat-memory.js';

/** An in-memory stand-in that records what would be written. */
function fakeRepo(stored: Record<string, Record<string, number>> = {}) {
  const saves: { chat: string; cooldowns: Record<string, number> }[] = [];
  const repo = {
    find: async (instanceId: string, chatJid: string) => {
      const cooldowns = stored[`${instanceId}|${chatJid}`];
      return cooldowns ? ({ cooldowns } as unknown as ChatStateDoc) : null;
    },
    save: async (_instanceId: string, chatJid: string, cooldowns: Record<string, number>) => {
      saves.push({ chat: chatJid, cooldowns });
    },
  } as unknown as ChatStatesRepo;
  return { repo, saves };
}

const replied = (state: ChatState, at: number): ChatState => ({ ...state, recent: [...state.recent, { at, text: 'hi there' }] });

describe('chat memory', () => {
  it('writes nothing for a message that leaves the cooldowns as they were', async () => {
    const { repo, saves } = fakeRepo();
    const memory = new ChatMemory(repo, () => 0);
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
