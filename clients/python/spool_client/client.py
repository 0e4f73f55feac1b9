"""Client: the producer calls of the HTTP API (jobs, queues, schedules, stats, health) and the pull-worker calls."""
from __future__ import annotations

import ssl
from datetime import datetime, timezone
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Union
from urllib.parse import quote

from .events import wait_for_job
from .errors import JobFailedError
from .models import ClaimAnswer, EnqueuedJob, HeartbeatAnswer, Job, JobPage, Progress
from .transport import Connection, Transport

#: Job options in Python spelling → the API's field names.
_JOB_OPTIONS = {
    "key": "key",
    "priority": "priority",
    "max_attempts": "maxAttempts",
    "backoff": "backoff",
    "timeout_ms": "timeoutMs",
    "delay_ms": "delayMs",
    "run_at": "runAt",
    "idempotency_key": "idempotencyKey",
}

_UNSET: Any = object()


def _seg(value: str) -> str:
    return quote(str(value), safe="")


def _iso(value: Union[str, datetime]) -> str:
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise ValueError("run_at needs a time zone (a naive datetime is ambiguous)")
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def job_options(options: Mapping[str, Any]) -> Dict[str, Any]:
    """Enqueue options as the API spells them: ``max_attempts`` → ``maxAttempts``…; None leaves one out; API names pass as they are."""
    body: Dict[str, Any] = {}
    for name, value in options.items():
        if value is None:
            continue
        field = _JOB_OPTIONS.get(name, name)
        body[field] = _iso(value) if field == "runAt" else value
    return body


def _fields(values: Mapping[str, Any], names: Mapping[str, str]) -> Dict[str, Any]:
    """Keyword arguments that were given (None included: it clears a setting), under the API's names."""
    return {names.get(k, k): v for k, v in values.items() if v is not _UNSET}


class Client:
    """
    A spool server's API. One client may be shared by threads (each thread keeps its own
    connection). Every error answer is raised as a ``SpoolError`` subclass carrying ``code``,
    ``status`` and ``details``; an unreachable server as ``SpoolConnectionError``.
    """

    def __init__(
        self,
        url: str = "http://127.0.0.1:7070",
        token: Optional[str] = None,
        *,
        timeout: float = 30.0,
        retry_s: float = 10.0,
        headers: Optional[Mapping[str, str]] = None,
        ssl_context: Optional[ssl.SSLContext] = None,
    ) -> None:
        """
        ``ssl_context`` checks an ``https:`` server's certificate (default: the system's trusted
        certificates, ``ssl.create_default_context()``); for a private CA,
        ``ssl.create_default_context(cafile="ca.pem")``.
        """
        self.url = url.rstrip("/")
        self.transport = Transport(self.url, token=token, timeout=timeout, headers=headers, ssl_context=ssl_context)
        #: How long calls that are safe to send twice (reads, cancel, enqueue with an idempotency key) are re-sent after a transient failure.
        self.retry_s = retry_s

    def close(self) -> None:
        """Closes the client's connections; ``with Client(...) as client:`` does it on leaving the block."""
        self.transport.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # Jobs

    def enqueue(
        self,
        queue: str,
        payload: Any = None,
        *,
        key: Optional[str] = None,
        priority: Optional[int] = None,
        max_attempts: Optional[int] = None,
        backoff: Optional[Mapping[str, Any]] = None,
        timeout_ms: Optional[int] = None,
        delay_ms: Optional[int] = None,
        run_at: Union[str, datetime, None] = None,
        idempotency_key: Optional[str] = None,
    ) -> EnqueuedJob:
        """
        Enqueues one job. With ``idempotency_key`` an existing job with that key is returned
        instead of a new one (``created`` is False), and so the call is sent again after a
        connection error. The key goes in the body, where any text may be (a header holds only
        Latin-1).
        """
        body = job_options(dict(key=key, priority=priority, max_attempts=max_attempts, backoff=backoff, timeout_ms=timeout_ms, delay_ms=delay_ms, run_at=run_at, idempotency_key=idempotency_key))
        body["payload"] = payload
        retry_s = self.retry_s if idempotency_key is not None else 0.0
        status, job = self.transport.request_with_status("POST", f"/v1/queues/{_seg(queue)}/jobs", body=body, retry_s=retry_s)
        return {**job, "created": status == 201}

    def enqueue_batch(self, queue: str, jobs: Sequence[Mapping[str, Any]]) -> List[Job]:
        """Enqueues up to 1000 jobs, all or nothing. Each item is ``{"payload": …}`` plus enqueue options (``key``, ``max_attempts``…)."""
        items = [job_options(job) for job in jobs]
        return self.transport.request("POST", f"/v1/queues/{_seg(queue)}/jobs/batch", body={"jobs": items})["jobs"]

    def get_job(self, job_id: str) -> Job:
        """One job with its errors, progress, checkpoint and result; ``NotFound`` when unknown."""
        return self.transport.request("GET", f"/v1/jobs/{_seg(job_id)}", retry_s=self.retry_s)

    def list_jobs(
        self, *, queue: Optional[str] = None, state: Optional[str] = None, key: Optional[str] = None, q: Optional[str] = None, limit: Optional[int] = None, cursor: Optional[str] = None
    ) -> JobPage:
        """One page of jobs, newest first: ``{"jobs", "nextCursor"}``; pass ``nextCursor`` back as ``cursor`` for the next page."""
        query = dict(queue=queue, state=state, key=key, q=q, limit=limit, cursor=cursor)
        return self.transport.request("GET", "/v1/jobs", query=query, retry_s=self.retry_s)

    def iter_jobs(self, *, queue: Optional[str] = None, state: Optional[str] = None, key: Optional[str] = None, q: Optional[str] = None, page_size: int = 100) -> Iterator[Job]:
        """Every job matching the filters, page after page."""
        cursor: Optional[str] = None
        while True:
            page = self.list_jobs(queue=queue, state=state, key=key, q=q, limit=page_size, cursor=cursor)
            yield from page["jobs"]
            cursor = page["nextCursor"]
            if not cursor:
                return

    def cancel(self, job_id: str, *, force: bool = False) -> Job:
        """Cancels a job. An active one gets ``cancelRequested`` (its worker sees it on its next heartbeat); ``force`` ends it at once."""
        return self.transport.request("POST", f"/v1/jobs/{_seg(job_id)}/cancel", query={"force": True} if force else None, retry_s=self.retry_s)

    def retry(self, job_id: str, *, reset_checkpoint: bool = False) -> Job:
        """Runs a failed or cancelled job again, resuming from its checkpoint unless ``reset_checkpoint``."""
        body = {"resetCheckpoint": True} if reset_checkpoint else {}
        return self.transport.request("POST", f"/v1/jobs/{_seg(job_id)}/retry", body=body)

    def delete_job(self, job_id: str) -> None:
        """Removes a finished job."""
        self.transport.request("DELETE", f"/v1/jobs/{_seg(job_id)}")

    def wait_for_job(self, job_id: str, timeout: Optional[float] = None) -> Job:
        """
        Blocks until the job is completed, failed or cancelled and returns it (at once if it
        already is), without polling: it follows the job's server-sent events and resumes them
        after a dropped connection. Raises ``WaitTimeout`` after ``timeout`` seconds.
        """
        return wait_for_job(self.transport, job_id, timeout, lambda i: self.transport.request("GET", f"/v1/jobs/{_seg(i)}"))

    def wait_for_result(self, job_id: str, timeout: Optional[float] = None) -> Any:
        """The job's result once it completes; ``JobFailedError`` (with ``.job``) when it fails or is cancelled."""
        job = self.wait_for_job(job_id, timeout)
        if job["state"] != "completed":
            raise JobFailedError(job)
        return job["result"]

    # Queues

    def list_queues(self) -> List[Dict[str, Any]]:
        return self.transport.request("GET", "/v1/queues", retry_s=self.retry_s)["queues"]

    def get_queue(self, queue: str) -> Dict[str, Any]:
        """A queue's counts by state and config (an unknown queue reads as empty)."""
        return self.transport.request("GET", f"/v1/queues/{_seg(queue)}", retry_s=self.retry_s)

    def put_queue(
        self,
        queue: str,
        *,
        concurrency: Optional[int] = _UNSET,
        rate_limit: Optional[Mapping[str, int]] = _UNSET,
        defaults: Mapping[str, Any] = _UNSET,
        retry_policy: Mapping[str, Any] = _UNSET,
        lane_on_failure: str = _UNSET,
        retention: Optional[Mapping[str, int]] = _UNSET,
        target: Optional[Mapping[str, Any]] = _UNSET,
    ) -> Dict[str, Any]:
        """Configures a queue: settings left out keep their value, None clears a limit. Nested values use the API's names (``{"noRetry": [...]}``)."""
        names = {"rate_limit": "rateLimit", "retry_policy": "retryPolicy", "lane_on_failure": "laneOnFailure"}
        body = _fields(dict(concurrency=concurrency, rate_limit=rate_limit, defaults=defaults, retry_policy=retry_policy, lane_on_failure=lane_on_failure, retention=retention, target=target), names)
        return self.transport.request("PUT", f"/v1/queues/{_seg(queue)}", body=body)

    def pause_queue(self, queue: str) -> Dict[str, Any]:
        """Claims return nothing until the queue is resumed."""
        return self.transport.request("POST", f"/v1/queues/{_seg(queue)}/pause")

    def resume_queue(self, queue: str) -> Dict[str, Any]:
        return self.transport.request("POST", f"/v1/queues/{_seg(queue)}/resume")

    # Schedules

    def list_schedules(self) -> List[Dict[str, Any]]:
        return self.transport.request("GET", "/v1/schedules", retry_s=self.retry_s)["schedules"]

    def get_schedule(self, name: str, *, preview: Optional[int] = None, history: Optional[int] = None) -> Dict[str, Any]:
        """A schedule with its next fire times (``preview``) and its latest runs (``history``)."""
        return self.transport.request("GET", f"/v1/schedules/{_seg(name)}", query={"preview": preview, "history": history}, retry_s=self.retry_s)

    def create_schedule(
        self,
        name: str,
        *,
        queue: str,
        cron: Optional[str] = _UNSET,
        every: Optional[str] = _UNSET,
        timezone: str = _UNSET,
        payload: Any = _UNSET,
        job_options: Mapping[str, Any] = _UNSET,
        enabled: bool = _UNSET,
        overlap: str = _UNSET,
        catch_up: str = _UNSET,
    ) -> Dict[str, Any]:
        """Creates a schedule firing on ``cron`` (croner syntax, e.g. ``"0 4 * * *"``) or ``every`` (``"30s"``) into ``queue``."""
        body = self._schedule_body(dict(queue=queue, cron=cron, every=every, timezone=timezone, payload=payload, job_options=job_options, enabled=enabled, overlap=overlap, catch_up=catch_up))
        return self.transport.request("POST", "/v1/schedules", body={"name": name, **body})

    def put_schedule(
        self,
        name: str,
        *,
        queue: str = _UNSET,
        cron: Optional[str] = _UNSET,
        every: Optional[str] = _UNSET,
        timezone: str = _UNSET,
        payload: Any = _UNSET,
        job_options: Mapping[str, Any] = _UNSET,
        enabled: bool = _UNSET,
        overlap: str = _UNSET,
        catch_up: str = _UNSET,
    ) -> Dict[str, Any]:
        """Edits a schedule (or creates it): fields left out keep their value; setting ``cron`` clears ``every`` and the reverse."""
        body = self._schedule_body(dict(queue=queue, cron=cron, every=every, timezone=timezone, payload=payload, job_options=job_options, enabled=enabled, overlap=overlap, catch_up=catch_up))
        return self.transport.request("PUT", f"/v1/schedules/{_seg(name)}", body=body)

    @staticmethod
    def _schedule_body(values: Dict[str, Any]) -> Dict[str, Any]:
        body = _fields(values, {"job_options": "jobOptions", "catch_up": "catchUp"})
        if "jobOptions" in body:
            body["jobOptions"] = job_options(body["jobOptions"])
        return body

    def delete_schedule(self, name: str) -> None:
        self.transport.request("DELETE", f"/v1/schedules/{_seg(name)}")

    def trigger_schedule(self, name: str) -> Job:
        """Fires the schedule now (even while paused) and returns the job it enqueued."""
        return self.transport.request("POST", f"/v1/schedules/{_seg(name)}/trigger")

    def pause_schedule(self, name: str) -> Dict[str, Any]:
        return self.transport.request("POST", f"/v1/schedules/{_seg(name)}/pause")

    def resume_schedule(self, name: str) -> Dict[str, Any]:
        return self.transport.request("POST", f"/v1/schedules/{_seg(name)}/resume")

    # Monitoring

    def stats(self) -> Dict[str, Any]:
        """Counts, throughput and timings, in total and per queue."""
        return self.transport.request("GET", "/v1/stats", retry_s=self.retry_s)

    def health(self) -> Dict[str, Any]:
        """``{score, status, checks, alerts}``."""
        return self.transport.request("GET", "/v1/health", retry_s=self.retry_s)

    # Pull-worker calls (``Worker`` uses these; they are the HTTP contract as it is)

    def claim(
        self,
        queue: str,
        worker_id: str,
        *,
        max: int = 1,
        lease_ms: Optional[int] = None,
        wait_ms: Optional[int] = None,
        finished: Optional[Sequence[Mapping[str, Any]]] = None,
        identity: Optional[Mapping[str, Any]] = None,
        connection: Optional[Connection] = None,
    ) -> ClaimAnswer:
        """
        Leases up to ``max`` jobs, each with ``lease.token``. ``finished`` reports jobs just run
        (``{id, token, result}`` or ``{id, token, error, retry?, retryInMs?}``) in the same round
        trip; the answer's ``finished`` has one outcome per item.
        """
        body: Dict[str, Any] = {"workerId": worker_id, "max": max, **(identity or {})}
        if lease_ms is not None:
            body["leaseMs"] = lease_ms
        if wait_ms is not None:
            body["waitMs"] = wait_ms
        if finished:
            body["finished"] = list(finished)
        timeout = self.transport.timeout + (wait_ms or 0) / 1000
        return self.transport.request("POST", f"/v1/queues/{_seg(queue)}/claim", body=body, timeout=timeout, conn=connection)

    def complete(self, job_id: str, token: str, result: Any = None) -> Job:
        """Completes a leased job; a stale token raises ``LeaseLost``. Sending it again after a lost answer gets the same success."""
        return self.transport.request("POST", f"/v1/jobs/{_seg(job_id)}/complete", body={"token": token, "result": result})

    def complete_many(self, items: Sequence[Mapping[str, Any]]) -> List[Dict[str, str]]:
        """Completes up to 1000 leased jobs (``{id, token, result?}``) in one request: one outcome each, ``completed`` or ``lease_lost``."""
        return self.transport.request("POST", "/v1/jobs/complete", body={"items": list(items)})["items"]

    def fail(self, job_id: str, token: str, error: Mapping[str, Any], *, retry: Optional[bool] = None, retry_in_ms: Optional[int] = None) -> Job:
        """Fails the current attempt with ``error`` (``{message, type?, stack?}``); ``retry=False`` fails it for good."""
        body: Dict[str, Any] = {"token": token, "error": dict(error)}
        if retry is not None:
            body["retry"] = retry
        if retry_in_ms is not None:
            body["retryInMs"] = retry_in_ms
        return self.transport.request("POST", f"/v1/jobs/{_seg(job_id)}/fail", body=body)

    def heartbeat(self, job_id: str, token: str, *, extend_ms: Optional[int] = None, progress: Optional[Progress] = None, checkpoint: Any = _UNSET) -> HeartbeatAnswer:
        """Extends a lease (never shortens it), optionally storing progress and a checkpoint: ``{leaseExpiresAt, cancelRequested, control?}``."""
        body: Dict[str, Any] = {"token": token}
        if extend_ms is not None:
            body["extendMs"] = extend_ms
        if progress is not None:
            body["progress"] = progress
        if checkpoint is not _UNSET:
            body["checkpoint"] = checkpoint
        return self.transport.request("POST", f"/v1/jobs/{_seg(job_id)}/heartbeat", body=body)
