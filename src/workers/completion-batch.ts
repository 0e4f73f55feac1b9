/** Completions gathered within one turn of the event loop and sent as one completeMany. */
import { MAX_BATCH, type QueueService } from "../core/queue-service.ts";
import type { CompleteItem } from "../core/store.ts";

export type CompleteOutcome = "completed" | "lease_lost";

type Waiting = { item: CompleteItem; resolve: (o: CompleteOutcome) => void; reject: (e: unknown) => void };

export class CompletionBatch {
  private waiting: Waiting[] = [];

  constructor(private readonly service: QueueService) {}

  /** Resolves once the completion is stored: "completed", or "lease_lost" when the job was no longer ours. */
  complete(item: CompleteItem): Promise<CompleteOutcome> {
    return new Promise((resolve, reject) => {
      if (this.waiting.push({ item, resolve, reject }) === 1) queueMicrotask(() => this.flush());
    });
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
