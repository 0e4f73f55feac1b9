/** spool as a library for Bun programs: `import { openSpool } from "spool"`. */
export { openSpool, Spool, type OpenSpoolOptions } from "./workers/spool.ts";
export { JobRunner, type WorkOptions } from "./workers/job-runner.ts";
export { JobAborted, JobFailure, type AbortCause, type Handler, type HandlerJob, type JobContext } from "./workers/handler.ts";
export type { HandlerSpec, Handlers } from "./workers/handlers-file.ts";
export { SIGNATURE_HEADER, verifySignature, type VerifyParams } from "./workers/push-signature.ts";
export { PRIORITY, type EnqueueOptions, type Job, type JobState, type Progress } from "./core/job.ts";
export { SpoolError, StorageUnavailable } from "./core/errors.ts";
export { systemClock, TestClock, type Clock } from "./core/clock.ts";
export type { Store } from "./core/store.ts";
export { SqliteStore } from "./store/sqlite/sqlite-store.ts";
export { RedisStore, type RedisStoreOptions } from "./store/redis/redis-store.ts";
