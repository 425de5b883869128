/**
 * Fires what falls due in chats without a message: flow timeouts and the
 * end of takeover pauses. It reads the store's sparse due_at index, so a
 * restart loses no timeout and nothing is kept in timers; each due chat is
 * handed to ChatControl, which moves it on (and clears or advances its
 * due_at) in the chat's place in the queue.
 */
import type { Logger } from '../logger.js';
import type { ChatStatesRepo } from '../store/repositories/chat-states.js';
import type { ChatControl } from './chat-control.js';
import { intervalWorker, type Worker } from './interval-worker.js';

const BATCH = 200;

/** `runsHere`: the instances this node runs, null for all (with several nodes, only an instance's owner moves its chats on). */
export function chatDueWorker(repo: ChatStatesRepo, control: ChatControl, clock: () => number, log: Logger, runsHere: () => string[] | null = () => null, everyMs = 1000): Worker & { runOnce(): Promise<number> } {
  async function runOnce(): Promise<number> {
    const due = await repo.due(clock(), BATCH, runsHere());
    const settled = await Promise.allSettled(due.map((doc) => control.due(doc.instance_id, doc.chat_jid)));
    settled.forEach((r, i) => {
      if (r.status === 'rejected') log.warn({ err: r.reason, instance_id: due[i].instance_id, chat_jid: due[i].chat_jid }, 'due chat could not be moved on; retried next round');
    });
    return due.length;
  }
  return { ...intervalWorker('chat-due', everyMs, runOnce, log), runOnce };
}
