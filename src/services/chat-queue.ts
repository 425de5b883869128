/**
 * Strict order per chat: work for one chat runs one task after another, in
 * the order it was handed in, while different chats run side by side. The
 * inbound pipeline, the due-time worker and the chat routes share one
 * queue, so a timeout, a pause and a message of the same chat never
 * interleave.
 */
export class ChatQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every task handed in before for `key`; a failed task does not stop the next. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key);
    const result = before ? before.then(task, task) : task();
    const release = (): void => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
    const tail: Promise<void> = result.then(release, release);
    this.tails.set(key, tail);
    return result;
  }

  /** Chats with work queued or running. */
  get size(): number {
    return this.tails.size;
  }
}
