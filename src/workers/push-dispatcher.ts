/** PushDispatcher: finds the queues that have a push target and keeps one PushQueue delivering each. */
import { hostname } from "node:os";
import type { PushTarget } from "../core/queue-config.ts";
import type { QueueService } from "../core/queue-service.ts";
import type { TargetSecret } from "../core/worker-store.ts";
import { quietLog } from "../quiet-log.ts";
import { CompletionBatch } from "./completion-batch.ts";
import { PushQueue } from "./push-queue.ts";
import { newTargetSecret } from "./push-signature.ts";
import type { WorkerRegistry } from "./worker-registry.ts";

/** After a rotation, deliveries carry a signature with the previous secret too, for this long. */
export const PREVIOUS_SECRET_MS = 24 * 3_600_000;

export type PushDispatcherOptions = {
  service: QueueService;
  registry: WorkerRegistry;
  /** How often queue configs are read for added, changed or removed targets (default 1 s). */
  scanMs?: number;
  onError?: (err: unknown) => void;
};

export class PushDispatcher {
  private readonly queues = new Map<string, PushQueue>();
  /**
   * Queues whose target was removed, until their deliveries in flight have ended: a target set
   * again meanwhile starts delivering only then, so the two never exceed its concurrency.
   */
  private readonly retiring = new Map<string, Promise<void>>();
  /** Queues whose deliveries an operator shut down: not restarted until spool restarts or the target is removed. */
  private readonly shutDown = new Set<string>();
  private readonly completions: CompletionBatch;
  private readonly onError: (err: unknown) => void;
  private timer: ReturnType<typeof setInterval> | null = null;
  private scanning: Promise<void> | null = null;
  private stopping = false;

  constructor(private readonly options: PushDispatcherOptions) {
    this.completions = new CompletionBatch(options.service);
    this.onError = options.onError ?? quietLog("spool: push dispatcher:");
  }

  /** Deliveries in flight across all targets. */
  get active(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.active;
    return n;
  }

  /** Queues being delivered now (targets an operator shut down are left out). */
  get delivering(): string[] {
    return [...this.queues.keys()].filter((q) => !this.shutDown.has(q));
  }

  /** Scans now (the returned promise settles after this first scan) and then every scanMs. */
  start(): Promise<void> {
    this.timer ??= setInterval(() => void this.scan(), this.options.scanMs ?? 1000);
    return this.scan();
  }

  /** Reads every queue's target and starts, updates or stops the queue's deliveries to match. */
  scan(): Promise<void> {
    this.scanning ??= this.reconcile()
      .catch(this.onError)
      .finally(() => (this.scanning = null));
    return this.scanning;
  }

  /** Stops claiming everywhere; deliveries still in flight after graceMs are aborted and their jobs given back. */
  async stop(graceMs = Infinity): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.scanning;
    await Promise.all([...this.queues.values()].map((q) => q.stop(graceMs)));
    this.queues.clear();
    await Promise.all(this.retiring.values());
  }

  private async reconcile(): Promise<void> {
    const { service } = this.options;
    const targets = new Map<string, PushTarget>();
    for (const q of await service.listQueues()) if (q.target) targets.set(q.name, q.target);
    for (const [queue, running] of this.queues) {
      if (!targets.has(queue)) {
        this.queues.delete(queue);
        this.shutDown.delete(queue);
        const retired = running.stop().catch(this.onError).finally(() => this.retiring.delete(queue));
        this.retiring.set(queue, retired);
      }
    }
    for (const [queue, target] of targets) {
      if (this.stopping) return;
      if (this.shutDown.has(queue) || this.retiring.has(queue)) continue;
      const secret = await service.store.targetSecretEnsure({ queue, secret: newTargetSecret(), now: service.clock.now() });
      const secrets = signingSecrets(secret, service.clock.now());
      const running = this.queues.get(queue);
      if (running) running.update(target, secrets);
      else this.queues.set(queue, new PushQueue(this.queueDeps(), queue, target, secrets));
    }
  }

  private queueDeps() {
    const onShutdown = (queue: string) => void this.shutDown.add(queue);
    return { ...this.options, completions: this.completions, host: hostname(), onError: this.onError, onShutdown };
  }
}

/** The current secret, and the previous one while a rotation is recent. */
export function signingSecrets(s: TargetSecret, now: number): string[] {
  const recent = s.previousSecret !== null && s.rotatedAt !== null && now - s.rotatedAt < PREVIOUS_SECRET_MS;
  return recent ? [s.secret, s.previousSecret!] : [s.secret];
}
