/** Sends alert notices to every channel in the background, in order per channel, without holding up the caller. */
import type { AlertChannel, AlertNotice } from "./channel.ts";

export class Notifier {
  private chains = new Map<AlertChannel, Promise<void>>();

  constructor(
    readonly channels: AlertChannel[],
    private readonly onError: (channel: AlertChannel, err: unknown) => void = (channel, err) =>
      console.error(`spool: alert channel ${channel.name} failed: ${(err as Error).message}`),
  ) {}

  notify(notices: AlertNotice[]): void {
    if (notices.length === 0) return;
    for (const channel of this.channels) {
      const previous = this.chains.get(channel) ?? Promise.resolve();
      const next = previous.then(async () => {
        for (const notice of notices) {
          try {
            await channel.send(notice);
          } catch (err) {
            this.onError(channel, err);
          }
        }
      });
      this.chains.set(channel, next);
    }
  }

  /** Resolves once every notice handed over so far has been delivered or given up on. */
  async idle(): Promise<void> {
    await Promise.all(this.chains.values());
  }
}
