"""spool's Python client: producer calls over HTTP (``Client``) and a threaded pull worker (``Worker``)."""
from .client import Client
from .errors import (
    Conflict,
    Forbidden,
    InvalidRequest,
    JobFailedError,
    LeaseLost,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    SpoolConnectionError,
    SpoolError,
    StorageUnavailable,
    Unauthorized,
    WaitTimeout,
)
from .events import Event
from .models import FINAL_STATES, ClaimedJob, EnqueuedJob, Job, JobError, JobPage, JobState
from .running_job import JobAborted, JobContext, JobFailure
from .transport import VERSION as __version__
from .worker import Worker

__all__ = [
    "Client",
    "Worker",
    "JobContext",
    "JobFailure",
    "JobAborted",
    "JobFailedError",
    "EnqueuedJob",
    "Job",
    "ClaimedJob",
    "JobError",
    "JobPage",
    "JobState",
    "FINAL_STATES",
    "Event",
    "SpoolError",
    "InvalidRequest",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "Conflict",
    "LeaseLost",
    "PayloadTooLarge",
    "RateLimited",
    "StorageUnavailable",
    "SpoolConnectionError",
    "WaitTimeout",
    "__version__",
]
