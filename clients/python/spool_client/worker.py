"""
Worker: a pull worker over HTTP. It long-polls for as many jobs as it has free threads, runs
the handler in those threads, heartbeats to keep their leases, and reports each outcome with
its next claim (one round trip per batch), or on its own when no claim leaves soon. On stop
(``stop()``, SIGTERM, or an operator's shutdown request) it claims no more, lets running jobs
finish within the grace period and gives back the rest.
"""
from __future__ import annotations

import json
import logging
import os
import queue as queues
import signal
import socket
import threading
import time
import uuid
from typing import Any, Callable, Dict, List, Optional

from .client import Client
from .errors import Forbidden, InvalidRequest, LeaseLost, NotFound, PayloadTooLarge, RateLimited, SpoolConnectionError, SpoolError, StorageUnavailable, Unauthorized
from .models import Job
from .running_job import JobContext, RunningJob

log = logging.getLogger("spool_client")

Handler = Callable[[Job, JobContext], Any]

#: An outcome waits this long for a claim to carry it before it is sent on its own.
RIDE_WINDOW_S = 0.05
#: How long a claim waits for more running jobs to end, so that they share it.
GATHER_S = 0.002
#: Results up to this size (JSON) ride with a claim; larger ones are sent on their own so a claim is never refused for them.
RIDE_RESULT_MAX = 16 * 1024
#: How long a finishing call keeps being re-sent after network errors (a resent one answers the same).
FINISH_RETRY_S = 60.0
#: On stop, a claim out for longer than this is taken to be a long poll waiting for jobs and is aborted.
LONG_POLL_AFTER_S = 0.2
#: Pause after a claim that failed for a reason that may pass (network, 503, 429).
CLAIM_RETRY_S = 1.0
#: How often the heartbeat thread looks at running jobs (deadlines, heartbeats due).
TICK_S = 0.2

_RETRYABLE = (SpoolConnectionError, StorageUnavailable, RateLimited)


class _Outcome:
    """A finished item (``{id, token, result}`` or ``{id, token, error, …}``) waiting to be reported."""

    __slots__ = ("item", "since", "alone", "maybe_sent")

    def __init__(self, item: Dict[str, Any], alone: bool) -> None:
        self.item = item
        self.since = time.monotonic()
        self.alone = alone
        #: It rode with a claim whose answer never came: the server may have recorded it already.
        self.maybe_sent = False


class Worker:
    """
    Runs ``handler(job, ctx)`` for the jobs of ``queue``, up to ``concurrency`` at once, each in
    a thread of its own. What the handler returns completes the job (it must be JSON); what it
    raises fails the attempt with the exception's ``type`` attribute or class name as error type.
    """

    def __init__(
        self,
        client: Client,
        queue: str,
        handler: Handler,
        *,
        concurrency: int = 1,
        lease_ms: int = 30_000,
        wait_ms: int = 25_000,
        grace_s: float = 30.0,
        name: Optional[str] = None,
        worker_id: Optional[str] = None,
        handle_signals: bool = True,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if lease_ms < 1000:
            raise ValueError("lease_ms must be at least 1000")
        self.client = client
        self.queue = queue
        self.handler = handler
        self.concurrency = concurrency
        self.lease_ms = lease_ms
        self.wait_ms = wait_ms
        self.grace_s = grace_s
        self.name = name or f"python {queue}"
        self.id = worker_id or f"py:{queue}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.handle_signals = handle_signals
        # A third of the lease, however short (checked every TICK_S).
        self._beat_every_s = max(TICK_S, lease_ms / 3000)
        self._cond = threading.Condition(threading.RLock())  # re-entrant: stop() may run in a signal handler on a thread holding it
        self._running: Dict[str, RunningJob] = {}
        self._outbox: List[_Outcome] = []
        self._sending = 0
        self._stopping = False
        self._draining = False
        self._started = False
        self._grace_over = False
        #: Set once every outcome is reported: the heartbeat and outcome threads end.
        self._closed = threading.Event()
        self._claim_conn = client.transport.connection()
        #: When the claim in flight was sent (None while none is): see stop().
        self._claim_sent_at: Optional[float] = None
        # A SimpleQueue hands a job to a slot thread in C, where a Queue's condition is Python code.
        self._jobs: "queues.SimpleQueue[Optional[RunningJob]]" = queues.SimpleQueue()
        #: Why the worker gave up: the server refuses its claims (wrong token, role, queue name).
        self.fatal: Optional[SpoolError] = None

    # Lifecycle

    def run(self) -> None:
        """Works until stopped; returns once every job is finished or given back. Raises the server's refusal if it refuses the worker's claims."""
        with self._cond:
            if self._started:
                raise RuntimeError("a Worker runs once; make a new one")
            self._started = True
        restore = self._install_signal_handlers()
        threads = [threading.Thread(target=self._slot, name=f"spool-worker-{i}", daemon=True) for i in range(self.concurrency)]
        threads.append(threading.Thread(target=self._heartbeats, name="spool-heartbeats", daemon=True))
        flusher = threading.Thread(target=self._flush, name="spool-outcomes", daemon=True)
        for t in [*threads, flusher]:
            t.start()
        log.info("worker %s on queue %s (concurrency %d)", self.id, self.queue, self.concurrency)
        try:
            self._claim_loop()
            self._finish_or_release()
        finally:
            for _ in range(self.concurrency):
                self._jobs.put(None)
            with self._cond:
                self._draining = True
                self._cond.notify_all()
            self._wait_reported(FINISH_RETRY_S + 5)
            self._closed.set()
            with self._cond:
                self._cond.notify_all()
            restore()
            self._claim_conn.close()
        log.info("worker %s stopped", self.id)
        if self.fatal is not None:
            raise self.fatal

    def stop(self) -> None:
        """Stops claiming; running jobs get the grace period to finish. Safe from any thread and from a signal handler."""
        with self._cond:
            first = not self._stopping
            self._stopping = True
            running = len(self._running)
            self._cond.notify_all()
        self._abort_long_poll()
        if first:
            log.info("worker %s stopping; %d job(s) running, grace %.0f s", self.id, running, self.grace_s)

    def _abort_long_poll(self) -> None:
        """
        Aborts the claim in flight once it has been out long enough to be a long poll waiting for
        jobs. A younger one is let come back (its jobs run within the grace period): aborting a
        claim the server is answering would leave its jobs leased to nobody until the lease expires.
        """
        sent_at = self._claim_sent_at
        age = 0.0 if sent_at is None else time.monotonic() - sent_at
        if sent_at is None or age >= LONG_POLL_AFTER_S:
            self._claim_conn.abort()
            return
        timer = threading.Timer(LONG_POLL_AFTER_S - age, self._abort_long_poll)
        timer.daemon = True
        timer.start()

    def release_running(self) -> None:
        """Ends the grace period now: running jobs are given back (they run again at once) and their cancel events set."""
        with self._cond:
            self._grace_over = True
            self._cond.notify_all()
        self.stop()

    @property
    def stopping(self) -> bool:
        return self._stopping

    def _install_signal_handlers(self) -> Callable[[], None]:
        """On SIGTERM or SIGINT, stop gracefully; on a second one, give running jobs back now. Only the main thread may handle signals."""
        if not self.handle_signals or threading.current_thread() is not threading.main_thread():
            return lambda: None
        previous: Dict[int, Any] = {}

        def on_signal(_signum: int, _frame: Any) -> None:
            if self._stopping:
                self.release_running()
            else:
                self.stop()

        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, on_signal)

        def restore() -> None:
            for sig, handler in previous.items():
                if signal.getsignal(sig) is on_signal:
                    signal.signal(sig, handler)

        return restore

    # Claims

    def _claim_loop(self) -> None:
        identity = {"name": self.name, "host": socket.gethostname(), "queues": [self.queue], "concurrency": self.concurrency}
        while True:
            with self._cond:
                while not self._stopping and len(self._running) >= self.concurrency:
                    self._cond.wait()
                if self._running and not self._stopping:
                    # Jobs that end within a moment of each other share one claim.
                    self._cond.wait_for(lambda: not self._running or self._stopping, timeout=GATHER_S)
                if self._stopping:
                    return
                free = self.concurrency - len(self._running)
                sending = [o for o in self._outbox if not o.alone]
                self._outbox = [o for o in self._outbox if o.alone]
            self._claim_sent_at = time.monotonic()
            try:
                answer = self.client.claim(
                    self.queue, self.id, max=free, lease_ms=self.lease_ms, wait_ms=self.wait_ms,
                    finished=[o.item for o in sending], identity=identity, connection=self._claim_conn,
                )
            except SpoolError as err:
                self._claim_sent_at = None
                if not self._claim_failed(err, sending):
                    return
                continue
            self._claim_sent_at = None
            for outcome, item in zip(answer.get("finished") or [], sending):
                if outcome.get("outcome") == "lease_lost":
                    log.warning("job %s finished after its lease was lost; not recorded", item.item["id"])
            claimed_at = time.monotonic()
            for claimed in answer.get("jobs") or []:
                self._start(RunningJob(claimed, client=self.client, lease_ms=self.lease_ms, claimed_at=claimed_at, on_shutdown=self._shutdown_requested))
            if (answer.get("control") or {}).get("shutdown"):
                self._shutdown_requested()

    def _claim_failed(self, err: SpoolError, sending: List[_Outcome]) -> bool:
        """Decides what a failed claim means for its outcomes and the loop; False ends the loop."""
        with self._cond:
            if isinstance(err, PayloadTooLarge) and sending:
                # The results made the claim too large for this server: each goes on its own instead.
                for o in sending:
                    o.alone = True
            # Not known to have arrived: reported again (a resent outcome answers the same).
            for o in sending:
                o.maybe_sent = True
            self._outbox[:0] = sending
            self._cond.notify_all()
            if self._stopping:
                return False
            if isinstance(err, (InvalidRequest, Unauthorized, Forbidden)):
                self.fatal = err
        if self.fatal is not None:
            log.error("the server refuses this worker's claims: %s", err)
            self.stop()
            return False
        if isinstance(err, PayloadTooLarge):
            return True
        pause = getattr(err, "retry_after", None) or CLAIM_RETRY_S
        log.warning("claim failed: %s; retrying in %.1f s", err, pause)
        with self._cond:
            self._cond.wait_for(lambda: self._stopping, timeout=pause)
        return not self._stopping

    def _shutdown_requested(self) -> None:
        log.info("an operator asked worker %s to shut down", self.id)
        self.stop()

    # Running jobs

    def _start(self, job: RunningJob) -> None:
        with self._cond:
            self._running[job.id] = job
        self._jobs.put(job)

    def _slot(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                result = self.handler(job.job, job.ctx)
                item = job.completed(result)
            except BaseException as exc:  # noqa: B902 — whatever the handler raised fails its attempt
                item = job.failed(exc)
            with self._cond:
                self._running.pop(job.id, None)
                if item is not None:
                    self._outbox.append(_Outcome(item, alone=not _rides(item)))
                self._cond.notify_all()

    def _heartbeats(self) -> None:
        while not self._closed.wait(TICK_S):
            with self._cond:
                running = list(self._running.values())
            now = time.monotonic()
            for job in running:
                job.check_deadline(now)
                if now - job.last_beat >= self._beat_every_s:
                    job.heartbeat()

    def _finish_or_release(self) -> None:
        """After claiming stops: waits for running handlers within the grace period, then gives their jobs back."""
        deadline = time.monotonic() + self.grace_s
        with self._cond:
            self._cond.wait_for(lambda: not self._running or self._grace_over, timeout=max(0.0, deadline - time.monotonic()))
            late = list(self._running.values())
            for job in late:
                item = job.released()
                if item is not None:
                    self._outbox.append(_Outcome(item, alone=True))
            self._cond.notify_all()
        for job in late:
            log.warning("job %s still running after the grace period; given back", job.id)

    # Outcomes

    def _flush(self) -> None:
        """Sends the outcomes no claim carried within the ride window (or all of them once claiming has stopped)."""
        while True:
            with self._cond:
                while True:
                    now = time.monotonic()
                    due = [o for o in self._outbox if o.alone or self._draining or now - o.since >= RIDE_WINDOW_S]
                    if due:
                        self._outbox = [o for o in self._outbox if not (o.alone or self._draining or now - o.since >= RIDE_WINDOW_S)]
                        self._sending += 1
                        break
                    if self._closed.is_set():
                        return
                    waits = [RIDE_WINDOW_S - (now - o.since) for o in self._outbox]
                    self._cond.wait(max(0.001, min(waits)) if waits else None)
            try:
                self._send_alone(due)
            finally:
                with self._cond:
                    self._sending -= 1
                    self._cond.notify_all()

    def _wait_reported(self, timeout: float) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: not self._outbox and self._sending == 0, timeout=timeout):
                log.error("%d outcome(s) could not be reported; their jobs run again once their leases expire", len(self._outbox))

    def _send_alone(self, outcomes: List[_Outcome]) -> None:
        completions = [o for o in outcomes if "error" not in o.item]
        for start in range(0, len(completions), 1000):
            self._complete_batch(completions[start:start + 1000])
        for o in outcomes:
            if "error" in o.item:
                self._finish(o.item, o.maybe_sent)

    def _complete_batch(self, outcomes: List[_Outcome]) -> None:
        if len(outcomes) == 1:
            return self._finish(outcomes[0].item, outcomes[0].maybe_sent)
        items = [o.item for o in outcomes]
        resends = _Resends()
        try:
            answers = resends.call(lambda: self.client.complete_many(items), f"completing {len(items)} jobs")
        except PayloadTooLarge:
            for o in outcomes:
                self._finish(o.item, o.maybe_sent)
            return
        except SpoolError as err:
            log.error("could not complete %d jobs: %s; they run again once their leases expire", len(items), err)
            return
        for o, answer in zip(outcomes, answers):
            if answer.get("outcome") == "lease_lost":
                _report_lost(o.item["id"], o.maybe_sent or resends.count > 0)

    def _finish(self, item: Dict[str, Any], maybe_sent: bool) -> None:
        """One outcome in a request of its own; a result the server cannot take fails the job for good."""
        job_id, token = item["id"], item["token"]
        resends = _Resends()
        try:
            if "error" in item:
                call = lambda: self.client.fail(job_id, token, item["error"], retry=item.get("retry"), retry_in_ms=item.get("retryInMs"))  # noqa: E731
                resends.call(call, f"failing job {job_id}")
            else:
                resends.call(lambda: self.client.complete(job_id, token, item.get("result")), f"completing job {job_id}")
        except (LeaseLost, NotFound):
            _report_lost(job_id, maybe_sent or resends.count > 0)
        except PayloadTooLarge as err:
            if "error" in item:
                log.error("could not fail job %s: %s", job_id, err)
                return
            error = {"type": "result_too_large", "message": f"the handler's result is larger than the server accepts: {err}"}
            self._finish({"id": job_id, "token": token, "error": error, "retry": False}, False)
        except SpoolError as err:
            log.error("could not report job %s: %s; it runs again once its lease expires", job_id, err)


def _report_lost(job_id: str, maybe_recorded: bool) -> None:
    if maybe_recorded:
        log.info("job %s: its outcome was sent again after a lost answer and refused (lease_lost); the first send may have been recorded", job_id)
    else:
        log.warning("job %s finished after its lease was lost; not recorded", job_id)


def _rides(item: Dict[str, Any]) -> bool:
    """Whether an outcome may ride with a claim: small enough that the claim is never refused for it."""
    if "error" in item:
        return True
    return len(json.dumps(item.get("result"), separators=(",", ":"))) <= RIDE_RESULT_MAX


class _Resends:
    """Sends a finishing request, again after network errors and 503/429 answers, for up to FINISH_RETRY_S (a resent one answers the same)."""

    def __init__(self) -> None:
        self.count = 0

    def call(self, send: Callable[[], Any], what: str) -> Any:
        deadline = time.monotonic() + FINISH_RETRY_S
        pause = 0.2
        while True:
            try:
                return send()
            except _RETRYABLE as err:
                wait = getattr(err, "retry_after", None) or pause
                if time.monotonic() + wait > deadline:
                    raise
                log.warning("%s failed: %s; sending it again in %.1f s", what, err, wait)
                time.sleep(wait)
                pause = min(pause * 2, 5.0)
                self.count += 1
