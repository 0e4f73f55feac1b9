"""One claimed job in a Worker's hands: the context its handler gets, its heartbeats and deadline, and the outcome to report."""
from __future__ import annotations

import json
import logging
import threading
import time
import traceback
from typing import Any, Callable, Dict, Optional

from .errors import LeaseLost, NotFound, SpoolError
from .models import ClaimedJob, Job, Progress

log = logging.getLogger("spool_client")

_UNSET: Any = object()


class JobFailure(Exception):
    """
    Raise it from a handler to choose how the attempt fails: ``type`` (for the queue's retry
    policy), ``retry=False`` to fail for good, ``retry_in_ms`` to run again after that delay.
    Any exception may carry these attributes; this class only spells them out.
    """

    def __init__(self, message: str, *, type: Optional[str] = None, retry: Optional[bool] = None, retry_in_ms: Optional[int] = None) -> None:
        super().__init__(message)
        self.type = type
        self.retry = retry
        self.retry_in_ms = retry_in_ms


class JobAborted(Exception):
    """Raised by ``ctx.raise_if_cancelled()``; its ``type`` is why: cancelled, timeout, lease_lost or shutdown."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.type = reason


class JobContext:
    """What a handler gets beside the job: progress and checkpoint reports, and the cancel event."""

    def __init__(self, running: "RunningJob") -> None:
        self._running = running
        self.job_id: str = running.job["id"]
        self.attempt: int = running.job["attempts"]
        #: Why ``cancelled`` is set: "cancelled", "timeout", "lease_lost" or "shutdown".
        self.cancel_reason: Optional[str] = None
        self._cancelled: Optional[threading.Event] = None
        self._lock = running._lock

    @property
    def cancelled(self) -> threading.Event:
        """
        Set when the job is cancelled, runs past its ``timeoutMs``, is no longer this worker's, or
        the worker's grace period ends. Made when first asked for (most handlers never look; an
        Event is a lock and a condition of its own), already set if the job was told to stop.
        """
        with self._lock:
            if self._cancelled is None:
                self._cancelled = threading.Event()
                if self.cancel_reason is not None:
                    self._cancelled.set()
            return self._cancelled

    def progress(self, value: Progress) -> None:
        """Stores progress (0–100, or ``{"current", "total", "message"}``) now, with a heartbeat; returns once stored."""
        self._running.heartbeat(progress=value, raise_errors=True)

    def checkpoint(self, value: Any) -> None:
        """Saves JSON that the next attempt receives as ``job["checkpoint"]``; returns once stored."""
        json.dumps(value, allow_nan=False)
        self._running.heartbeat(checkpoint=value, raise_errors=True)

    def raise_if_cancelled(self) -> None:
        """Raises ``JobAborted`` once ``cancelled`` is set: a handy check between steps of a long job."""
        reason = self.cancel_reason
        if reason is not None:
            raise JobAborted(reason, f"job {self.job_id} stopped: {reason}")

    def _cancel(self, reason: str) -> None:
        with self._lock:
            if self.cancel_reason is not None:
                return
            self.cancel_reason = reason
            event = self._cancelled
        if event is not None:
            event.set()


class RunningJob:
    """A claimed job while its handler runs: its lease token, heartbeat cadence and deadline."""

    def __init__(self, claimed: ClaimedJob, *, client: Any, lease_ms: int, claimed_at: float, on_shutdown: Callable[[], None]) -> None:
        """Takes `claimed` (a claim answer's job, not shared) as the handler's job, without its lease."""
        lease = claimed.pop("lease")  # type: ignore[misc]
        self.job: Job = claimed  # type: ignore[assignment]
        self.token: str = lease["token"]
        self._client = client
        self._lease_ms = lease_ms
        self._on_shutdown = on_shutdown
        timeout_ms = claimed.get("timeoutMs")
        self.deadline = None if timeout_ms is None else claimed_at + timeout_ms / 1000
        self.last_beat = claimed_at
        self._settled = False
        self._lock = threading.Lock()
        self.ctx = JobContext(self)

    @property
    def id(self) -> str:
        return self.job["id"]

    def settle(self) -> bool:
        """Claims the right to report the attempt's outcome: True once, for whoever decides it first."""
        with self._lock:
            if self._settled:
                return False
            self._settled = True
            return True

    def check_deadline(self, now: float) -> None:
        """Past ``timeoutMs`` the handler is told to stop and nothing is reported: the server ends the lease at the deadline and records a timeout."""
        if self.deadline is not None and now >= self.deadline and self.settle():
            self.ctx._cancel("timeout")

    def heartbeat(self, *, progress: Optional[Progress] = None, checkpoint: Any = _UNSET, raise_errors: bool = False) -> None:
        """Extends the lease (sending progress or a checkpoint); learns of a cancel, a lost lease or a shutdown request."""
        with self._lock:
            if self._settled:
                return
        extra: Dict[str, Any] = {} if checkpoint is _UNSET else {"checkpoint": checkpoint}
        try:
            answer = self._client.heartbeat(self.id, self.token, extend_ms=self._lease_ms, progress=progress, **extra)
        except (LeaseLost, NotFound):
            # Force-cancelled, expired or deleted: the job moved on without us; nothing is left to report.
            if self.settle():
                self.ctx._cancel("lease_lost")
            return
        except SpoolError as err:
            if raise_errors:
                raise
            log.warning("heartbeat for job %s failed: %s", self.id, err)
            return
        self.last_beat = time.monotonic()
        if answer.get("cancelRequested"):
            self.ctx._cancel("cancelled")
        if (answer.get("control") or {}).get("shutdown"):
            self._on_shutdown()

    def completed(self, result: Any) -> Optional[Dict[str, Any]]:
        """The finished item for a handler's return value, or None when the outcome was already decided."""
        if not self.settle():
            return None
        try:
            json.dumps(result, allow_nan=False)
        except (TypeError, ValueError) as err:
            error = {"type": "invalid_result", "message": f"the handler's result is not JSON: {err}"}
            return {"id": self.id, "token": self.token, "error": error, "retry": False}
        return {"id": self.id, "token": self.token, "result": result}

    def failed(self, exc: BaseException) -> Optional[Dict[str, Any]]:
        """The finished item for what a handler raised, or None when the outcome was already decided."""
        if not self.settle():
            return None
        return {"id": self.id, "token": self.token, **failure_of(exc)}

    def released(self) -> Optional[Dict[str, Any]]:
        """Gives the job back at the end of the grace period: it runs again at once (the attempt counts)."""
        if not self.settle():
            return None
        self.ctx._cancel("shutdown")
        error = {"type": "shutdown", "message": "the worker stopped before the handler finished"}
        return {"id": self.id, "token": self.token, "error": error, "retryInMs": 0}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit]


def failure_of(exc: BaseException) -> Dict[str, Any]:
    """
    How a raised exception fails the attempt: its type is the exception's ``type`` attribute
    when that is a non-empty string, else its class name (``class PaymentDeclined(Exception)``
    → "PaymentDeclined"); ``retry`` and ``retry_in_ms`` attributes are honoured.
    """
    explicit = getattr(exc, "type", None)
    kind = explicit if isinstance(explicit, str) and explicit else exc.__class__.__name__
    kind = _clip(kind, 200)
    stack = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    failure: Dict[str, Any] = {"error": {"message": _clip(str(exc) or kind, 10_000), "type": kind, "stack": _clip(stack, 50_000)}}
    retry = getattr(exc, "retry", None)
    if isinstance(retry, bool):
        failure["retry"] = retry
    retry_in_ms = getattr(exc, "retry_in_ms", None)
    if isinstance(retry_in_ms, (int, float)) and not isinstance(retry_in_ms, bool) and 0 <= retry_in_ms <= 86_400_000:
        failure["retryInMs"] = int(retry_in_ms)
    return failure
