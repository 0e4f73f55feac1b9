"""Typed exceptions for the API's error answers: each carries the answer's code, status and details."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Type


class SpoolError(Exception):
    """An error answer from spool: ``{"error": {"code", "message", "details"}}`` with its HTTP status."""

    def __init__(self, code: str, status: int, message: str, details: Optional[List[Any]] = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message
        self.details: List[Any] = list(details or [])

    def __str__(self) -> str:
        return f"{self.message} ({self.code}, HTTP {self.status})" if self.status else f"{self.message} ({self.code})"


class InvalidRequest(SpoolError):
    """400: malformed or invalid input; ``details`` names each field that is wrong."""


class Unauthorized(SpoolError):
    """401: a missing or unknown bearer token."""


class Forbidden(SpoolError):
    """403: the token's role may not do this."""


class NotFound(SpoolError):
    """404: unknown job, schedule or route."""


class Conflict(SpoolError):
    """409: the job or schedule is in a state that does not allow this."""


class LeaseLost(Conflict):
    """409 lease_lost: the job is no longer leased with this token (expired, cancelled with force, or finished)."""


class PayloadTooLarge(SpoolError):
    """413: the request body is over the server's limit."""


class RateLimited(SpoolError):
    """429: too many requests; ``retry_after`` says how many seconds to wait, when the server said."""

    retry_after: Optional[float] = None


class StorageUnavailable(SpoolError):
    """503: storage cannot take the request now; nothing acknowledged is lost, and the request may be sent again."""

    retry_after: Optional[float] = None


class SpoolConnectionError(SpoolError, ConnectionError):
    """The server could not be reached, or the connection dropped before an answer arrived (status 0)."""

    def __init__(self, message: str) -> None:
        super().__init__("connection_failed", 0, message)


class JobFailedError(Exception):
    """``wait_for_result`` of a job that ended failed or cancelled; ``job`` holds its errors."""

    def __init__(self, job: Any) -> None:
        errors = job.get("errors") or []
        last = errors[-1] if errors else None
        super().__init__(f"job {job['id']} {job['state']}" + (f": {last.get('type')}: {last.get('message')}" if last else ""))
        self.job = job


class WaitTimeout(SpoolError, TimeoutError):
    """``wait_for_result`` gave up before the job finished."""

    def __init__(self, message: str) -> None:
        super().__init__("wait_timeout", 0, message)


_BY_CODE: Dict[str, Type[SpoolError]] = {
    "lease_lost": LeaseLost,
    "not_found": NotFound,
    "conflict": Conflict,
    "unauthorized": Unauthorized,
    "forbidden": Forbidden,
    "rate_limited": RateLimited,
    "storage_unavailable": StorageUnavailable,
    "payload_too_large": PayloadTooLarge,
}

_BY_STATUS: Dict[int, Type[SpoolError]] = {
    400: InvalidRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    415: InvalidRequest,
    429: RateLimited,
    503: StorageUnavailable,
}


def error_from_answer(status: int, body: Any, retry_after: Optional[str] = None) -> SpoolError:
    """The exception for a non-2xx answer: by the body's code first, then by status."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = str(error.get("code") or f"http_{status}")
        message = str(error.get("message") or f"HTTP {status}")
        details = error.get("details") if isinstance(error.get("details"), list) else []
    else:
        code, details = f"http_{status}", []
        message = f"HTTP {status}: {str(body)[:200]}" if body else f"HTTP {status}"
    kind = _BY_CODE.get(code) or _BY_STATUS.get(status) or SpoolError
    err = kind(code, status, message, details)
    if isinstance(err, (RateLimited, StorageUnavailable)) and retry_after:
        try:
            err.retry_after = float(retry_after)
        except ValueError:
            pass
    return err
