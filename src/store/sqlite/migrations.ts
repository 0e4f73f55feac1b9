/** Schema migrations, embedded as text and applied in order at start. */
import type { Database } from "bun:sqlite";
import queueCore from "./migrations/001-queue.sql" with { type: "text" };
import schedules from "./migrations/002-schedules.sql" with { type: "text" };
import workers from "./migrations/003-workers.sql" with { type: "text" };
import monitoring from "./migrations/004-monitoring.sql" with { type: "text" };
import tokensSessions from "./migrations/005-tokens-sessions.sql" with { type: "text" };
import eventsByJob from "./migrations/006-events-by-job.sql" with { type: "text" };
import changesByTheStore from "./migrations/007-changes-by-the-store.sql" with { type: "text" };
import listingThroughClaimIndexes from "./migrations/008-listing-through-claim-indexes.sql" with { type: "text" };
import retentionThroughListingIndex from "./migrations/009-retention-through-listing-index.sql" with { type: "text" };
import timelineOnTheJob from "./migrations/010-timeline-on-the-job.sql" with { type: "text" };
import givenBackApart from "./migrations/011-given-back-apart.sql" with { type: "text" };

/** Append only: a migration that has shipped is never edited. */
export const MIGRATIONS: { version: number; name: string; sql: string }[] = [
  { version: 1, name: "queue core", sql: queueCore },
  { version: 2, name: "schedules", sql: schedules },
  { version: 3, name: "workers", sql: workers },
  { version: 4, name: "monitoring", sql: monitoring },
  { version: 5, name: "tokens and sessions", sql: tokensSessions },
  { version: 6, name: "events by job", sql: eventsByJob },
  { version: 7, name: "changes written by the store", sql: changesByTheStore },
  { version: 8, name: "listing through the claim's indexes", sql: listingThroughClaimIndexes },
  { version: 9, name: "retention through the listing index", sql: retentionThroughListingIndex },
  { version: 10, name: "a job's timeline on its row", sql: timelineOnTheJob },
  { version: 11, name: "attempts given back counted apart", sql: givenBackApart },
];

export function migrate(db: Database): void {
  const current = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
  for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.exec(`PRAGMA user_version = ${m.version}`);
    })();
  }
}
