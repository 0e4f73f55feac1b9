/**
 * Request and response types of spool's HTTP API, generated from its /openapi.json by
 * clients/typescript/scripts/generate-types.ts. Do not edit: run the script again.
 */

export type ErrorBody = {
  error: {
    code: string;
    message: string;
    details: Array<unknown>;
  };
};

export type Job = {
  id: string;
  queue: string;
  key: string | null;
  payload?: unknown;
  priority: number;
  state: JobState;
  runAt: string;
  /** Attempts started since the job was enqueued or last retried by hand */
  attempts: number;
  maxAttempts: number;
  /** Of `attempts`, those given back unfinished because their worker or spool shut down (error type `shutdown`): they do not count against maxAttempts */
  givenBack: number;
  backoff: Backoff;
  timeoutMs: number | null;
  idempotencyKey: string | null;
  progress: number | {
    current: number;
    total?: number;
    message?: string;
  } | null;
  checkpoint?: unknown;
  result?: unknown;
  errors: Array<JobError>;
  workerId: string | null;
  leaseExpiresAt: string | null;
  cancelRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

export type JobState = "waiting" | "delayed" | "blocked" | "active" | "completed" | "failed" | "cancelled";

export type Backoff = {
  type?: "exponential" | "fixed";
  delayMs?: number;
  maxDelayMs?: number;
  jitter?: boolean;
};

export type JobError = {
  attempt: number;
  type: string;
  message: string;
  stack?: string;
  at: string;
};

export type EnqueueRequest = {
  /** Any JSON value */
  payload?: unknown;
  /** Ordering key: jobs of a queue sharing a key run one at a time, in order */
  key?: string;
  /** 0–10, higher first; default 5 */
  priority?: number;
  maxAttempts?: number;
  backoff?: Backoff;
  timeoutMs?: number;
  delayMs?: number;
  /** When the job becomes runnable: an ISO 8601 time with its offset (`T` and `Z` in capitals), from 1970 to 9999 */
  runAt?: string;
  /** An enqueue with a key the queue already holds answers that job (200) instead of adding one; keys starting `schedule:` are a schedule's fires, refused to producers */
  idempotencyKey?: string;
};

export type EnqueueBatchRequest = {
  jobs: Array<EnqueueRequest>;
};

export type RetryRequest = {
  resetCheckpoint?: boolean;
};

export type ClaimedJob = Job & {
  lease: Lease;
};

export type Lease = {
  token: string;
  expiresAt: string;
};

export type WorkerControl = {
  shutdown?: boolean;
};

export type ClaimRequest = {
  workerId: string;
  /** Jobs this worker just ran, completed (no error) or failed, finished before the new jobs are claimed: one round trip per batch. A stale token refuses that item only. */
  finished?: Array<FinishedItem>;
  /** Jobs to lease at most (default 1) */
  max?: number;
  /** Lease length (default 30000) */
  leaseMs?: number;
  /** Long poll: wait up to this long for a job (≤ 30000) */
  waitMs?: number;
  /** Worker identity shown in /v1/workers */
  name?: string;
  host?: string;
  queues?: Array<string>;
  concurrency?: number;
};

export type FinishedItem = {
  id: string;
  token: string;
  result?: unknown;
} | {
  id: string;
  token: string;
  error: {
    message: string;
    type?: string;
    stack?: string;
  };
  retry?: boolean;
  retryInMs?: number;
};

export type CompleteRequest = {
  token: string;
  result?: unknown;
};

export type CompleteManyResponse = {
  items: Array<{
    id: string;
    outcome: "completed" | "lease_lost";
  }>;
};

export type CompleteManyRequest = {
  items: Array<{
    id: string;
    token: string;
    result?: unknown;
  }>;
};

export type FailRequest = {
  token: string;
  error: {
    message: string;
    type?: string;
    stack?: string;
  };
  /** false: fail for good, whatever the attempts left */
  retry?: boolean;
  /** Run again after this delay instead of the backoff */
  retryInMs?: number;
};

export type HeartbeatResponse = {
  leaseExpiresAt: string;
  cancelRequested: boolean;
  control?: WorkerControl;
};

export type HeartbeatRequest = {
  token: string;
  extendMs?: number;
  progress?: Progress;
  checkpoint?: unknown;
};

export type Progress = number | {
  current: number;
  total?: number;
  message?: string;
};

export type Worker = {
  id: string;
  /** http: a pull worker over HTTP (including `spool work --exec`); in-process: a handler in a Bun program; push: spool delivering a queue to its target */
  kind: "http" | "in-process" | "push";
  name: string | null;
  host: string | null;
  queues: Array<string>;
  concurrency: number | null;
  /** Jobs it holds leased now */
  active: number;
  /** Attempts it completed */
  processed: number;
  /** Attempts that failed or whose lease expired while it held them */
  failed: number;
  /** Seen within the last 30 s */
  online: boolean;
  firstSeenAt: string;
  lastSeenAt: string;
  /** When an operator asked it to shut down; it is told so in its next claim or heartbeat answer */
  shutdownRequestedAt: string | null;
};

export type TargetSecret = {
  queue: string;
  /** HMAC-SHA256 key of the Spool-Signature header */
  secret: string;
  /** The secret before the last rotation; deliveries are signed with it too for 24 h after the rotation */
  previousSecret: string | null;
  rotatedAt: string | null;
  createdAt: string;
};

export type Queue = QueueConfig & {
  counts: StateCounts;
  /** Since when the queue's longest-waiting job has been runnable (its enqueue, delay's end or retry time): how far behind the queue is. Null while no job waits */
  oldestWaitingSince: string | null;
};

export type RateLimit = {
  max: number;
  intervalMs: number;
};

export type JobDefaults = {
  priority?: number;
  maxAttempts?: number;
  backoff?: Backoff;
  timeoutMs?: number;
};

export type RetryPolicy = {
  /** Error types that fail at once */
  noRetry?: Array<string>;
  byType?: Record<string, {
    maxAttempts?: number;
    backoff?: Backoff;
  }>;
};

export type Retention = {
  completedMs?: number;
  failedMs?: number;
  cancelledMs?: number;
};

export type PushTarget = {
  url: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  concurrency?: number;
};

export type StateCounts = {
  waiting: number;
  delayed: number;
  blocked: number;
  active: number;
  completed: number;
  failed: number;
  cancelled: number;
};

export type QueueConfig = {
  name: string;
  paused: boolean;
  concurrency: number | null;
  rateLimit: RateLimit | null;
  defaults: JobDefaults;
  retryPolicy: RetryPolicy;
  laneOnFailure: "continue" | "block";
  retention: Retention | null;
  target: PushTarget | null;
};

export type QueueSettings = {
  concurrency?: number | null;
  rateLimit?: RateLimit | null;
  defaults?: JobDefaults;
  retryPolicy?: RetryPolicy;
  laneOnFailure?: "continue" | "block";
  retention?: Retention | null;
  target?: PushTarget | null;
};

export type Schedule = {
  name: string;
  cron: string | null;
  every: string | null;
  timezone: string;
  queue: string;
  payload?: unknown;
  jobOptions: ScheduleJobOptions;
  enabled: boolean;
  overlap: "allow" | "skip";
  catchUp: "one" | "none";
  builtin: boolean;
  nextFireAt: string | null;
  lastFireAt: string | null;
  lastJobId: string | null;
  /** Latest result of a built-in maintenance task */
  lastResult?: unknown;
  lastResultAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** The next fire times */
  preview: Array<FirePreview>;
  lastRun: ScheduleRun | null;
};

export type ScheduleJobOptions = {
  key?: string;
  priority?: number;
  maxAttempts?: number;
  backoff?: Backoff;
  timeoutMs?: number;
  delayMs?: number;
};

export type FirePreview = {
  at: string;
  /** The same time in the schedule's zone */
  local: string;
};

export type ScheduleRun = {
  id: string;
  /** fired · skipped (previous job unfinished) · missed (spool was down) */
  kind: "fired" | "skipped" | "missed";
  fireTime: string;
  /** Last fire time of a range of skipped or missed runs */
  lastFireTime: string;
  /** Fire times this entry stands for */
  count: number;
  /** Triggered by an operator */
  manual: boolean;
  /** Fired late, once, for runs missed while down */
  catchUp: boolean;
  jobId: string | null;
  /** The job's outcome (kept after the job is deleted) */
  job: {
    state: JobState;
    finishedAt: string | null;
    error: string | null;
    deleted: boolean;
  } | null;
  at: string;
};

export type ScheduleCreateRequest = {
  /** 1–128 of A–Z a–z 0–9 . _ : -, not . or ..; not starting spool: (spool's own) */
  name: string;
  /** croner syntax: 5 or 6 fields (seconds first when 6), or @daily, @hourly, …; null to switch to `every` */
  cron?: string | null;
  /** An interval instead of cron: "30s", "5m", "1h", "1d"; fires on whole multiples since the Unix epoch */
  every?: string | null;
  /** IANA time zone the cron is read in (default UTC) */
  timezone?: string;
  /** Queue the fired jobs go to (1–128 of A–Z a–z 0–9 . _ : -, not . or ..) */
  queue?: string;
  /** Payload of every fired job (any JSON) */
  payload?: unknown;
  jobOptions?: ScheduleJobOptions;
  /** false pauses the schedule (default true) */
  enabled?: boolean;
  /** "skip": do not fire while the previous job is unfinished (default "allow") */
  overlap?: "allow" | "skip";
  /** "one": after a downtime, fire once for the missed runs (default); "none": record them as missed */
  catchUp?: "one" | "none";
};

export type ScheduleDetail = Schedule & {
  history: Array<ScheduleRun>;
};

export type ScheduleUpdateRequest = {
  /** croner syntax: 5 or 6 fields (seconds first when 6), or @daily, @hourly, …; null to switch to `every` */
  cron?: string | null;
  /** An interval instead of cron: "30s", "5m", "1h", "1d"; fires on whole multiples since the Unix epoch */
  every?: string | null;
  /** IANA time zone the cron is read in (default UTC) */
  timezone?: string;
  /** Queue the fired jobs go to (1–128 of A–Z a–z 0–9 . _ : -, not . or ..) */
  queue?: string;
  /** Payload of every fired job (any JSON) */
  payload?: unknown;
  jobOptions?: ScheduleJobOptions;
  /** false pauses the schedule (default true) */
  enabled?: boolean;
  /** "skip": do not fire while the previous job is unfinished (default "allow") */
  overlap?: "allow" | "skip";
  /** "one": after a downtime, fire once for the missed runs (default); "none": record them as missed */
  catchUp?: "one" | "none";
};

export type Server = {
  name: "spool";
  version: string;
  store: {
    kind: "sqlite" | "redis";
    reachable: boolean;
    /** Sizes of the database file and its write-ahead log (SQLite); null on Redis, which keeps no files here */
    files: {
      databaseBytes: number;
      walBytes: number;
    } | null;
  };
  durability: "normal" | "full";
  dataDir: string | null;
  uptimeSeconds: number;
  limits: {
    bodyBytes: number;
    batchJobs: number;
    claimMax: number;
    waitMs: number;
  };
};

export type Token = {
  /** Names the token for listing and revoking; not a credential */
  id: string;
  name: string | null;
  role: TokenRole;
  createdAt: string;
  /** Last authenticated request, recorded at most once a minute; null when never used */
  lastUsedAt: string | null;
};

/** admin: everything; producer: enqueue and read; worker: claim/complete/fail/heartbeat, enqueue and read; viewer: read */
export type TokenRole = "admin" | "producer" | "worker" | "viewer";

export type CreatedToken = {
  /** The bearer token. Shown in this answer only: spool stores just its hash */
  token: string;
  id: string;
  role: TokenRole;
  name: string | null;
  createdAt: string;
};

export type NewToken = {
  role: TokenRole;
  /** A label to recognise the token by */
  name?: string;
};

export type Stats = {
  at: string;
  counts: StateCounts;
  lastHour: WindowStats;
  lastDay: WindowStats;
  queues: Array<{
    queue: string;
    counts: StateCounts;
    lastHour: WindowStats;
    lastDay: WindowStats;
  }>;
};

export type WindowStats = {
  enqueued: number;
  started: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Failed attempts scheduled to run again */
  retried: number;
  /** Attempts ended by lease expiry */
  expired: number;
  /** Completions after at least one failed attempt */
  recovered: number;
  runMs: number;
  waitMs: number;
  throughputPerMinute: {
    completed: number;
    failed: number;
  };
  /** failed / (completed + failed); null when nothing finished */
  failureRate: number | null;
  runTime: {
    avgMs: number | null;
    /** From histogram buckets, interpolated inside the bucket */
    p95Ms: number | null;
  };
  /** From runnable (enqueue, or the end of a delay or backoff) to start */
  waitTime: {
    avgMs: number | null;
    /** From histogram buckets, interpolated inside the bucket */
    p95Ms: number | null;
  };
};

export type ErrorGroups = {
  /** Start of the first minute counted */
  since: string;
  until: string;
  /** Width of each series point, a whole number of minutes */
  stepMs: number;
  /** Most failures first */
  groups: Array<ErrorGroup>;
};

export type ErrorGroup = {
  queue: string;
  /** The error type workers report (`error.type`), or spool's own: `timeout`, `lease_expired` */
  type: string;
  /** Failed attempts in the window, retried or final */
  count: number;
  /** Start of the first minute in the window with such a failure */
  firstSeen: string;
  /** Start of the last minute in the window with such a failure */
  lastSeen: string;
  /** The newest such failure still in the event log, with its job's message; null once the job or the event is gone */
  sample: {
    jobId: string;
    message: string;
  } | null;
  /** Failed attempts per step of `stepMs` from `since`, oldest first, empty steps included */
  series: Array<{
    at: string;
    n: number;
  }>;
};

export type Health = {
  at: string;
  /** 100 minus a deduction per firing alert */
  score: number;
  status: "healthy" | "degraded" | "unhealthy";
  checks: Array<{
    name: "store" | "disk" | "alerts";
    status: "ok" | "warning" | "critical" | "unknown";
    message: string;
    value: number | null;
  }>;
  /** Firing alerts */
  alerts: Array<Alert>;
};

export type Alert = {
  id: string;
  rule: "queue_backlog" | "failure_rate" | "worker_down" | "stalled_jobs" | "schedule_late" | "disk_space" | "error_concentration" | "no_activity";
  /** What it is about: a queue, a schedule, or disk */
  subject: string;
  severity: "warning" | "error" | "critical";
  state: "firing" | "resolved";
  message: string;
  value: number | null;
  threshold: number | null;
  firstSeen: string;
  lastSeen: string;
  resolvedAt: string | null;
  ackedAt: string | null;
  ackedBy: string | null;
};

export type DailyReport = {
  date: string;
  timezone: string;
  from: string;
  to: string;
  generatedAt: string;
  totals: {
    enqueued: number;
    started: number;
    completed: number;
    failed: number;
    cancelled: number;
    /** Failed attempts scheduled to run again */
    retried: number;
    /** Attempts ended by lease expiry */
    expired: number;
    /** Completions after at least one failed attempt */
    recovered: number;
  };
  states: StateCounts;
  completionRate: number | null;
  failureRate: number | null;
  runTime: {
    avgMs: number | null;
    /** From histogram buckets, interpolated inside the bucket */
    p95Ms: number | null;
  };
  waitTime: {
    avgMs: number | null;
    /** From histogram buckets, interpolated inside the bucket */
    p95Ms: number | null;
  };
  slowest: Array<{
    jobId: string;
    queue: string;
    key: string | null;
    runMs: number;
    finishedAt: string;
  }>;
  hourly: Array<{
    hour: string;
    start: string;
    enqueued: number;
    completed: number;
    failed: number;
  }>;
  peakHour: {
    hour: string;
    finished: number;
  } | null;
  failuresByType: Array<{
    type: string;
    n: number;
  }>;
  retries: {
    retriedAttempts: number;
    recoveredJobs: number;
    expiredLeases: number;
    completedAfterRetryShare: number | null;
  };
  queues: Array<{
    queue: string;
    states: StateCounts;
    enqueued: number;
    started: number;
    completed: number;
    failed: number;
    cancelled: number;
    /** Failed attempts scheduled to run again */
    retried: number;
    /** Attempts ended by lease expiry */
    expired: number;
    /** Completions after at least one failed attempt */
    recovered: number;
    completionRate: number | null;
    failureRate: number | null;
    runTime: {
      avgMs: number | null;
      /** From histogram buckets, interpolated inside the bucket */
      p95Ms: number | null;
    };
  }>;
  disk: {
    usedPercent: number;
    usedBytes: number;
    freeBytes: number;
    totalBytes: number;
  } | null;
  trend: Array<{
    date: string;
    enqueued: number;
    completed: number;
    failed: number;
    avgRunMs: number | null;
    completionRate: number | null;
    failureRate: number | null;
  }>;
};

export type Lane = {
  queue: string;
  key: string;
  /** blocked: stopped behind its failed head; busy: its head is waiting, delayed or running */
  status: "blocked" | "busy";
  headJobId: string;
  headState: string | null;
  lastError: {
    type: string;
    message: string;
    at: string;
  } | null;
  since: string;
  /** Jobs waiting behind the head */
  depth: number;
};

export type LaneRef = {
  queue: string;
  key: string;
};

/** Request body of enqueueJob (POST /v1/queues/{queue}/jobs). */
export type EnqueueJobBody = EnqueueRequest;

/** Success answer of enqueueJob (POST /v1/queues/{queue}/jobs). */
export type EnqueueJobResponse = Job;

/** Request body of enqueueJobs (POST /v1/queues/{queue}/jobs/batch). */
export type EnqueueJobsBody = EnqueueBatchRequest;

/** Success answer of enqueueJobs (POST /v1/queues/{queue}/jobs/batch). */
export type EnqueueJobsResponse = {
  jobs: Array<Job>;
};

/** Query of listJobs (GET /v1/jobs). */
export type ListJobsQuery = {
  queue?: string;
  state?: JobState;
  key?: string;
  /** Search in id, key and payload text, ignoring case. A page reads at most 2000 jobs: it may hold fewer than `limit` and still have a `nextCursor` to search on from. */
  q?: string;
  limit?: number;
  cursor?: string;
};

/** Success answer of listJobs (GET /v1/jobs). */
export type ListJobsResponse = {
  jobs: Array<Job>;
  nextCursor: string | null;
};

/** Success answer of getJob (GET /v1/jobs/{id}). */
export type GetJobResponse = Job;

/** Query of cancelJob (POST /v1/jobs/{id}/cancel). */
export type CancelJobQuery = {
  force?: "true" | "false";
};

/** Success answer of cancelJob (POST /v1/jobs/{id}/cancel). */
export type CancelJobResponse = Job;

/** Request body of retryJob (POST /v1/jobs/{id}/retry). */
export type RetryJobBody = RetryRequest;

/** Success answer of retryJob (POST /v1/jobs/{id}/retry). */
export type RetryJobResponse = Job;

/** Request body of claimJobs (POST /v1/queues/{queue}/claim). */
export type ClaimJobsBody = ClaimRequest;

/** Success answer of claimJobs (POST /v1/queues/{queue}/claim). */
export type ClaimJobsResponse = {
  jobs: Array<ClaimedJob>;
  control?: WorkerControl;
  /** One outcome per item of the request's `finished`, in order */
  finished?: Array<{
    id: string;
    outcome: "completed" | "failed" | "retrying" | "lease_lost";
  }>;
};

/** Request body of completeJob (POST /v1/jobs/{id}/complete). */
export type CompleteJobBody = CompleteRequest;

/** Success answer of completeJob (POST /v1/jobs/{id}/complete). */
export type CompleteJobResponse = Job;

/** Request body of failJob (POST /v1/jobs/{id}/fail). */
export type FailJobBody = FailRequest;

/** Success answer of failJob (POST /v1/jobs/{id}/fail). */
export type FailJobResponse = Job;

/** Request body of heartbeatJob (POST /v1/jobs/{id}/heartbeat). */
export type HeartbeatJobBody = HeartbeatRequest;

/** Success answer of heartbeatJob (POST /v1/jobs/{id}/heartbeat). */
export type HeartbeatJobResponse = HeartbeatResponse;

/** Success answer of listQueues (GET /v1/queues). */
export type ListQueuesResponse = {
  queues: Array<Queue>;
};

/** Success answer of getQueue (GET /v1/queues/{queue}). */
export type GetQueueResponse = Queue;

/** Request body of configureQueue (PUT /v1/queues/{queue}). */
export type ConfigureQueueBody = QueueSettings;

/** Success answer of configureQueue (PUT /v1/queues/{queue}). */
export type ConfigureQueueResponse = QueueConfig;

/** Success answer of pauseQueue (POST /v1/queues/{queue}/pause). */
export type PauseQueueResponse = QueueConfig;

/** Success answer of resumeQueue (POST /v1/queues/{queue}/resume). */
export type ResumeQueueResponse = QueueConfig;

/** Success answer of listSchedules (GET /v1/schedules). */
export type ListSchedulesResponse = {
  schedules: Array<Schedule>;
};

/** Request body of createSchedule (POST /v1/schedules). */
export type CreateScheduleBody = ScheduleCreateRequest;

/** Success answer of createSchedule (POST /v1/schedules). */
export type CreateScheduleResponse = Schedule;

/** Query of getSchedule (GET /v1/schedules/{name}). */
export type GetScheduleQuery = {
  /** Fire times to preview (default 10) */
  preview?: number;
  /** Runs to list, newest first (default 20) */
  history?: number;
};

/** Success answer of getSchedule (GET /v1/schedules/{name}). */
export type GetScheduleResponse = ScheduleDetail;

/** Request body of putSchedule (PUT /v1/schedules/{name}). */
export type PutScheduleBody = ScheduleUpdateRequest;

/** Success answer of putSchedule (PUT /v1/schedules/{name}). */
export type PutScheduleResponse = Schedule;

/** Success answer of triggerSchedule (POST /v1/schedules/{name}/trigger). */
export type TriggerScheduleResponse = Job;

/** Success answer of getStats (GET /v1/stats). */
export type GetStatsResponse = Stats;

/** Success answer of getHealth (GET /v1/health). */
export type GetHealthResponse = Health;
