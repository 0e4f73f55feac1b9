/**
 * Completions gathered within one turn of the event loop and sent as one completeMany, or
 * taken by a worker's next claim to travel with it (finished with the next claim).
 */
import type { QueueService } from "../core/queue-service.ts";
import { MAX_BATCH, type CompleteOutcome } from "../core/work-requests.ts";
import type { CompleteItem } from "../core/store.ts";

export type CompletionResult = CompleteOutcome["outcome"];

type Waiting = { item: CompleteItem; resolve: (o: CompletionResult) => void; reject: (e: unknown) => void };

/** Completions a claim carries (worker-calls.ts `completing`): settled once, with the outcomes it got or its error. */
export type TakenCompletions = {
  items: CompleteItem[];
  onOutcomes(outcomes: CompleteOutcome[]): void;
  fail(err: unknown): void;
};

export class CompletionBatch {
  private waiting: Waiting[] = [];
  /**
   * On a remote store the batch is sent at the end of the event loop's turn rather than at
   * once, so a claim made in the same turn (a freed slot) can take it along.
   */
  private readonly later: (flush: () => void) => void;

  constructor(private readonly service: QueueService) {
    this.later = service.store.remote ? (flush) => setImmediate(flush) : queueMicrotask;
  }

  /** Resolves once the completion is stored: "completed", or "lease_lost" when the job was no longer ours. */
  complete(item: CompleteItem): Promise<CompletionResult> {
    return new Promise((resolve, reject) => {
      if (this.waiting.push({ item, resolve, reject }) === 1) this.later(() => this.flush());
    });
  }

  /** The completions not sent yet (at most a batch), for a claim to carry; none when nothing waits. */
  take(): TakenCompletions | undefined {
    if (this.waiting.length === 0) return undefined;
    const taken = this.waiting.splice(0, MAX_BATCH);
    let settled = false;
    return {
      items: taken.map((w) => w.item),
      onOutcomes: (outcomes) => {
        if (settled) return;
        settled = true;
        outcomes.forEach((o, i) => taken[i]!.resolve(o.outcome));
      },
      fail: (err) => {
        if (settled) return;
        settled = true;
        for (const w of taken) w.reject(err);
      },
    };
  }

  private flush(): void {
    const all = this.waiting;
    this.waiting = [];
    for (let i = 0; i < all.length; i += MAX_BATCH) {
      const batch = all.slice(i, i + MAX_BATCH);
      this.service.completeMany(batch.map((w) => w.item)).then(
        (outcomes) => outcomes.forEach((o, j) => batch[j]!.resolve(o.outcome)),
        (err) => batch.forEach((w) => w.reject(err)),
      );
    }
  }
}
