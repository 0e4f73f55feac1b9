"""The JSON shapes the API answers with, as TypedDicts (times are ISO 8601 text)."""
from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, TypedDict, Union

JobState = Literal["waiting", "delayed", "blocked", "active", "completed", "failed", "cancelled"]

#: States a job never leaves.
FINAL_STATES = frozenset({"completed", "failed", "cancelled"})


class Backoff(TypedDict, total=False):
    type: Literal["exponential", "fixed"]
    delayMs: int
    maxDelayMs: int
    jitter: bool


class JobError(TypedDict, total=False):
    attempt: int
    type: str
    message: str
    stack: str
    at: str


class ProgressDetail(TypedDict, total=False):
    current: float
    total: float
    message: str


Progress = Union[float, int, ProgressDetail]


class Job(TypedDict):
    id: str
    queue: str
    key: Optional[str]
    payload: Any
    priority: int
    state: JobState
    runAt: str
    attempts: int
    maxAttempts: int
    backoff: Backoff
    timeoutMs: Optional[int]
    idempotencyKey: Optional[str]
    progress: Optional[Progress]
    checkpoint: Any
    result: Any
    errors: List[JobError]
    workerId: Optional[str]
    leaseExpiresAt: Optional[str]
    cancelRequested: bool
    createdAt: str
    startedAt: Optional[str]
    finishedAt: Optional[str]


class EnqueuedJob(Job):
    #: False when an idempotency key found the job already there.
    created: bool


class Lease(TypedDict):
    token: str
    expiresAt: str


class ClaimedJob(Job):
    lease: Lease


class JobPage(TypedDict):
    jobs: List[Job]
    nextCursor: Optional[str]


class FinishOutcome(TypedDict):
    id: str
    outcome: Literal["completed", "failed", "retrying", "lease_lost"]


class ClaimAnswer(TypedDict, total=False):
    jobs: List[ClaimedJob]
    control: Dict[str, Any]
    finished: List[FinishOutcome]


class HeartbeatAnswer(TypedDict, total=False):
    leaseExpiresAt: str
    cancelRequested: bool
    control: Dict[str, Any]
