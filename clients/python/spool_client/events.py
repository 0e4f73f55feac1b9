"""Server-sent events from /v1/events, and waiting for one job's end over them, resuming after a dropped connection."""
from __future__ import annotations

import http.client
import json
import logging
import time
from dataclasses import dataclass
from typing import IO, Iterator, Optional

from .errors import SpoolConnectionError, StorageUnavailable, WaitTimeout
from .models import FINAL_STATES, Job
from .transport import Transport

log = logging.getLogger("spool_client")

FINAL_EVENTS = frozenset(f"job.{state}" for state in FINAL_STATES)
#: Longer than the server's keep-alive comments (every 15 s): a stream silent this long is dead.
STREAM_READ_TIMEOUT_S = 25.0


@dataclass
class Event:
    """One server-sent event: ``id`` is its place in the event log (what Last-Event-ID resumes from)."""

    id: Optional[str]
    event: str
    data: str
    retry_ms: Optional[int] = None

    def json(self) -> object:
        return json.loads(self.data) if self.data else None


def read_events(stream: IO[bytes]) -> Iterator[Event]:
    """Parses a text/event-stream body into events, as the HTML standard reads one (comments and retry hints included)."""
    event_id: Optional[str] = None
    kind, data, retry_ms = "message", [], None
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8").rstrip("\r\n")
        if line == "":
            if data or retry_ms is not None:
                yield Event(event_id, kind, "\n".join(data), retry_ms)
            kind, data, retry_ms = "message", [], None
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "id":
            event_id = value
        elif field == "event":
            kind = value
        elif field == "data":
            data.append(value)
        elif field == "retry" and value.isdigit():
            retry_ms = int(value)


def wait_for_job(transport: Transport, job_id: str, timeout: Optional[float], get_job) -> Job:
    """
    Follows ``GET /v1/events?job=ID`` until the job's final event, which carries the whole job.
    After a dropped connection (a server restart, a proxy) it asks ``GET /v1/jobs/ID`` first, so
    a job that finished meanwhile answers at once, then resumes the stream with Last-Event-ID.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    last_id: Optional[str] = None
    retry_s = 1.0
    reconnecting = False
    while True:
        try:
            if reconnecting:
                job = get_job(job_id)
                if job["state"] in FINAL_STATES:
                    return job
            found = _follow(transport, job_id, last_id, deadline)
            if isinstance(found, dict):
                return found  # type: ignore[return-value]
            last_id, hint = found
            if hint is not None:
                retry_s = hint / 1000
        except (SpoolConnectionError, StorageUnavailable) as err:
            log.debug("waiting for job %s: %s; reconnecting", job_id, err)
        reconnecting = True
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            raise WaitTimeout(f"job {job_id} did not finish within {timeout} s")
        time.sleep(retry_s if left is None else min(retry_s, left))


def _follow(transport: Transport, job_id: str, last_id: Optional[str], deadline: Optional[float]):
    """Reads one connection's events: the finished job, or (last event id, retry hint) once the stream ends or drops."""
    read_timeout = STREAM_READ_TIMEOUT_S if deadline is None else max(0.05, min(STREAM_READ_TIMEOUT_S, deadline - time.monotonic()))
    headers = {"last-event-id": last_id} if last_id is not None else {}
    conn, response = transport.open_stream("/v1/events", {"job": job_id}, headers, read_timeout)
    log.debug("following job %s (after event %s)", job_id, last_id)
    retry_hint: Optional[int] = None
    try:
        for event in read_events(response):
            if event.id is not None:
                last_id = event.id
                log.debug("job %s: %s (event %s)", job_id, event.event, event.id)
            if event.retry_ms is not None:
                retry_hint = event.retry_ms
            if event.event in FINAL_EVENTS:
                data = event.json()
                if isinstance(data, dict) and isinstance(data.get("job"), dict):
                    return data["job"]
                break
            if deadline is not None and time.monotonic() >= deadline:
                break
    except (OSError, http.client.HTTPException, ValueError) as err:
        log.debug("event stream for job %s dropped: %s", job_id, err)
    finally:
        conn.close()
    return last_id, retry_hint
