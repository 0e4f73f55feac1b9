/** Wake-ups for long-polling claims: an enqueue to a queue wakes its waiting claims at once. */

type Waiter = { resolve: () => void; timer: ReturnType<typeof setTimeout> };

export class Wakeups {
  private waiters = new Map<string, Set<Waiter>>();

  /** Resolves when `wake(queue)` is called, after `ms`, or when the signal aborts — whichever is first. */
  wait(queue: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const set = this.waiters.get(queue) ?? new Set<Waiter>();
      this.waiters.set(queue, set);
      const done = () => {
        clearTimeout(waiter.timer);
        set.delete(waiter);
        if (set.size === 0 && this.waiters.get(queue) === set) this.waiters.delete(queue);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const waiter: Waiter = { resolve: done, timer: setTimeout(done, ms) };
      set.add(waiter);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  wake(queue: string): void {
    const set = this.waiters.get(queue);
    if (set) for (const w of [...set]) w.resolve();
  }

  wakeAll(): void {
    for (const queue of [...this.waiters.keys()]) this.wake(queue);
  }

  get waiting(): number {
    let n = 0;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }
}
