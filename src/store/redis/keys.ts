/**
 * The key layout of the Redis store. Every key starts with `{prefix}:`, one hashtag for the
 * whole deployment, so every script runs in one slot on Redis Cluster as well as on a single
 * Redis. Lua scripts receive `{prefix}:` as ARGV[1] and build the same names (lua/lib/basics.lua).
 *
 * Jobs
 *   job:<id>                 HASH  one job (fields: see JOB_FIELDS; JSON text where noted); leaseExp
 *                                  means something only while the job is active (a completed job
 *                                  keeps its last one, read as null); `ev` holds its timeline, the
 *                                  ids of its events, oldest first, comma-separated
 *   job:<id>:ev              LIST  the timeline of a job enqueued by a release before `ev` (its
 *                                  events from then; the later ones are in `ev`); deleted with it
 *   ids                      STRING job id sequence (INCR); ids grow in enqueue order
 *   q:<queue>|all            ZSET  a queue's jobs, score = id
 *   q:<queue>|st:<state>     ZSET  a queue's jobs in a state other than waiting and active, score = id
 *   q:<queue>|ready          ZSET  its waiting jobs, all runnable (lane heads and keyless jobs), score =
 *                                  (10 - priority) * 2^40 + id: priority, then enqueue order; one band
 *                                  of 2^40 scores per priority, so listing reads each band by id
 *   q:<queue>|delayed        ZSET  delayed jobs, score = runAt
 *   q:<queue>|idem           HASH  idempotency key → job id
 *   q:<queue>|key:<key>      ZSET  a queue's jobs of one key, score = id
 *   q:<queue>|done:<state>   ZSET  written by releases before retention read st:<state>: finished
 *                                  jobs by finishedAt; its entries go as their jobs leave the state
 *   q:<queue>|leases         ZSET  its active jobs, score = leaseExpiresAt (the reaper's index)
 *   counts:<queue>           HASH  state → number of jobs (kept by every script that moves a job)
 *   req:<requestId>          STRING a script's answer, kept 10 minutes, so a script re-sent after a
 *                                  reconnect answers the same and changes nothing
 *
 * A queue name never holds `|`, so `|` ends it inside a key name (keys and error types may hold anything).
 *
 * Lanes (per-key ordering)
 *   lane:<queue>|<key>       HASH  head (job id), blocked ("1" while the head failed), since
 *   lanewait:<queue>|<key>   ZSET  the lane's blocked jobs behind the head, score = id (next = lowest)
 *   q:<queue>|lanes          ZSET  the queue's lanes (busy and blocked), member = key, score = since
 *   q:<queue>|blocked        ZSET  the queue's blocked lanes, member = key, score = since
 *
 * Queues
 *   queues                   HASH  queue name → settings JSON (QueueSettings)
 *   queue:<queue>            HASH  paused, rateStart, rateCount, createdAt, updatedAt
 *
 * Monitoring (names for TypeScript in monitor-keys.ts)
 *   events                   STREAM the event log, entry id `<n>-1` where n is the event id
 *                                  (fields: see event-entry.ts)
 *   events:seq               STRING event id sequence
 *   errs:<queue>|<type>      ZSET  failed attempts of a queue and error type: member
 *                                  `<eventId>:<jobId>`, score = eventId
 *   fold                     STRING the last event id folded into the aggregates
 *   agg:minutes              ZSET  minutes holding aggregates, score = minute start
 *   agg:<minute>             HASH  `<queue>|<counter>` → n (counters named as in StatsCounters)
 *   agg:<minute>:run         HASH  `<queue>|<bucket>` → completions (run-time histogram)
 *   agg:<minute>:wait        HASH  `<queue>|<bucket>` → starts (wait-time histogram)
 *   agg:<minute>:err         HASH  `<queue>|<type>` → failed attempts
 *   slow:hours               ZSET  hours holding slowest completions, score = hour start
 *   slow:<hour>              ZSET  the hour's slowest completions, score = runMs, member
 *                                  `<rank>|<SlowJob JSON>`; rank is 10^15 - job id, 16 digits, so
 *                                  equal run times keep the lower job id
 *   alert:<id>               HASH  one alert: Alert's fields, absent when null
 *   alerts:seq               STRING alert id sequence
 *   alerts:firing            HASH  `<rule>|<subject>` → id of its firing alert
 *   alerts:order             ZSET  alert ids, score = id
 *   alerts:resolved          ZSET  resolved alert ids, score = resolvedAt (history pruning)
 *   reports:<kind>           HASH  date → report body JSON
 *   reports:<kind>:created   HASH  date → createdAt
 *
 * Everything else
 *   schedules                ZSET  schedule names, score 0 (listed by name)
 *   schedule:<name>          HASH  one schedule: def (its ScheduleDefinition JSON without name and
 *                                  enabled), enabled and builtin ("1"|"0"), revision, nextFireAt,
 *                                  lastFireAt, lastJobId, lastResult (JSON), lastResultAt, createdAt,
 *                                  updatedAt; a field is absent when null
 *   schedules:due            ZSET  enabled schedules with a nextFireAt, score = nextFireAt
 *   schedule:<name>|runs     LIST  run history, newest first: ScheduleRun JSON with numbers as
 *                                  strings, `job` the outcome kept once the job is gone, `seen` its
 *                                  finished outcome as last read (schedule names never hold `|`)
 *   schedules:seq            STRING run id sequence
 *   workers                  HASH  worker id → WorkerRecord JSON (without the figures below)
 *   worker:<id>              HASH  active, processed, failed (moved by job scripts)
 *   tokens                   HASH  token id → TokenRecord JSON;  tokens:hash HASH hash → id
 *   sessions                 HASH  session hash → Session JSON; sessions:exp ZSET by expiresAt;
 *   token:<id>:sessions      SET   hashes of the sessions opened with a token
 *   secrets                  HASH  queue → TargetSecret JSON
 *   wake                     pub/sub channel: names of queues that got runnable jobs, one line each,
 *                            published once by the script that made them runnable
 *   changes                  pub/sub channel: {queue} settings changed, {tokens} a token revoked,
 *                            {worker} a worker asked to shut down (JSON), for servers' copies
 */

/**
 * Fields of a job hash; JSON-encoded text for payload, backoff, progress, checkpoint, result, errors;
 * `ev` is the timeline (see above); `gb` counts the attempts given back unfinished (absent on a job
 * written before it, which counts them from its errors).
 */
export const JOB_FIELDS = [
  "queue", "key", "payload", "priority", "state", "runAt", "attempts", "maxAttempts", "backoff", "timeoutMs",
  "idem", "progress", "checkpoint", "result", "errors", "workerId", "token", "leaseExp", "deadline", "cancelReq",
  "createdAt", "startedAt", "finishedAt", "ev", "gb",
] as const;

export const DEFAULT_PREFIX = "spool";

/** Key names for one prefix, for the TypeScript side (Lua builds the same from ARGV[1]). */
export class Keys {
  /** `{prefix}:` — the hashtag and separator every key starts with. */
  readonly base: string;

  constructor(readonly prefix: string = DEFAULT_PREFIX) {
    if (!/^[^{}\s]{1,64}$/.test(prefix)) throw new Error(`invalid Redis key prefix "${prefix}": 1–64 characters, no braces or spaces`);
    this.base = `{${prefix}}:`;
  }

  k(...parts: (string | number)[]): string {
    return this.base + parts.join(":");
  }

  job(id: string) { return this.k("job", id); }
  jobEvents(id: string) { return this.k("job", id, "ev"); }
  queueConfigs() { return this.k("queues"); }
  queue(name: string) { return this.k("queue", name); }
  counts(queue: string) { return this.k("counts", queue); }
  inQueue(queue: string, what: string) { return this.k("q", `${queue}|${what}`); }
  events() { return this.k("events"); }
  /** Pub/sub channel announcing queues that got runnable jobs. */
  wake() { return this.k("wake"); }
  changes() { return this.k("changes"); }
  /** Pattern matching every key of this prefix (for SCAN in tests and tools). */
  pattern() { return this.base + "*"; }
}
