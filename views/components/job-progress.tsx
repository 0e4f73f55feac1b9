/** @jsxImportSource hono/jsx */
/** A job's progress as a bar with its percentage in text, and, for {current, total}, the rate and an ETA. */
import type { Job, Progress } from "../../src/core/job.ts";
import { useUi } from "../ui-context.ts";
import { count, duration } from "./time.tsx";

export type ProgressFigures = {
  /** 0–100, or null when the progress has no total to measure against. */
  percent: number | null;
  current: number | null;
  total: number | null;
  message: string | null;
  /** Units per second since the attempt started (active jobs with {current, total} only). */
  perSecond: number | null;
  etaMs: number | null;
};

/**
 * What a progress value says. The rate is the progress made over the time since the attempt
 * started, so a job resumed from a checkpoint reads as faster than it is until it has run a while.
 */
export function progressFigures(progress: Progress, job: Pick<Job, "state" | "startedAt">, now: number): ProgressFigures {
  if (typeof progress === "number") {
    return { percent: clamp(progress), current: null, total: null, message: null, perSecond: null, etaMs: null };
  }
  const { current, total = null, message = null } = progress;
  const percent = total !== null && total > 0 ? clamp((current / total) * 100) : null;
  const elapsedMs = job.state === "active" && job.startedAt !== null ? now - job.startedAt : 0;
  const perSecond = total !== null && elapsedMs > 0 && current > 0 ? current / (elapsedMs / 1000) : null;
  const etaMs = perSecond !== null && total !== null ? (Math.max(0, total - current) / perSecond) * 1000 : null;
  return { percent, current, total, message, perSecond, etaMs };
}

const clamp = (n: number) => Math.min(100, Math.max(0, n));

function rate(perSecond: number): string {
  if (perSecond >= 1) return `${perSecond.toFixed(perSecond < 10 ? 1 : 0)} per s`;
  return `${(perSecond * 60).toFixed(perSecond * 60 < 10 ? 1 : 0)} per min`;
}

export function JobProgress({ job }: { job: Job }) {
  const { now } = useUi();
  if (job.progress === null) return <p class="empty">No progress reported.</p>;
  const f = progressFigures(job.progress, job, now);
  const label = f.percent === null ? "progress" : `${Math.floor(f.percent)} %`;
  return (
    <div data-progress>
      {f.percent !== null && (
        <div class="load" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.floor(f.percent)} aria-label="Progress">
          <span style={`width:${f.percent.toFixed(1)}%`}></span>
        </div>
      )}
      <p class="progress-text">
        <strong>{label}</strong>
        {f.current !== null && <> · {count(f.current)}{f.total !== null && <> of {count(f.total)}</>}</>}
        {f.message && <> · {f.message}</>}
      </p>
      {f.perSecond !== null && (
        <p class="hint" data-rate>
          {rate(f.perSecond)} since this attempt started{f.etaMs !== null && <> · about {duration(f.etaMs)} left</>}
        </p>
      )}
    </div>
  );
}
