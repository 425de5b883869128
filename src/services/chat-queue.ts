/**
 * Strict order per chat: work for one chat runs one task after another, in
 * the order it was handed in, while different chats run side by side. The
 * inbound pipeline, the due-time worker and the chat routes share one
 * queue, so a timeout, a pause and a message of the same chat never
 * interleave.
 */
export class ChatQueue {
  /** Instance → chat → the last task handed in; two levels, so no key string is built per message. */
  private readonly tails = new Map<string, Map<string, Promise<unknown>>>();

  /** Runs `task` after every task handed in before for the chat; a failed task does not stop the next. */
  run<T>(instanceId: string, chatJid: string, task: () => Promise<T>): Promise<T> {
    let chats = this.tails.get(instanceId);
    if (!chats) this.tails.set(instanceId, (chats = new Map()));
    const before = chats.get(chatJid);
    const result = before ? before.then(task, task) : task();
    const queue = chats;
    const release = (): void => {
      if (queue.get(chatJid) === tail) queue.delete(chatJid);
    };
    const tail: Promise<void> = result.then(release, release);
    chats.set(chatJid, tail);
    return result;
  }

  /** Chats with work queued or running. */
  get size(): number {
    let n = 0;
    for (const chats of this.tails.values()) n += chats.size;
    return n;
  }
}
