"""What the tests share: the server under test (SPOOL_URL), unique queue names, workers in threads, bounded waits."""
from __future__ import annotations

import logging
import os
import re
import threading
import time
import unittest
import uuid
from typing import Any, Callable, List, Optional
from urllib.request import Request, urlopen

from spool_client import Client, Worker

SPOOL_URL = os.environ.get("SPOOL_URL")
#: The test runner's control endpoint: POST {url}/restart?signal=TERM|KILL restarts the server on the same port and data.
CONTROL_URL = os.environ.get("SPOOL_TEST_CONTROL_URL")


def require_server() -> None:
    """Skips a test module when no server is given (tests/python-client.test.ts starts one and sets SPOOL_URL)."""
    if not SPOOL_URL:
        raise unittest.SkipTest("SPOOL_URL is not set: run these through tests/python-client.test.ts, or point SPOOL_URL at a spool server")


def make_client(test: unittest.TestCase) -> Client:
    """A client closed when the test ends."""
    assert SPOOL_URL
    client = Client(SPOOL_URL, timeout=10)
    test.addCleanup(client.close)
    return client


def unique(prefix: str) -> str:
    return f"py-{prefix}-{uuid.uuid4().hex[:8]}"


def wait_until(condition: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Returns the condition's first truthy value; fails the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


def wait_for_state(client: Client, job_id: str, states: Any, timeout: float = 10.0) -> dict:
    wanted = {states} if isinstance(states, str) else set(states)
    return wait_until(lambda: (lambda j: j if j["state"] in wanted else None)(client.get_job(job_id)), timeout, f"job {job_id} to be {wanted}")


class RunningWorker:
    """A Worker running in a thread for the length of a ``with`` block; stopped and joined after it."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.error: Optional[BaseException] = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.worker.run()
        except BaseException as err:  # noqa: B902 — kept for the test to look at
            self.error = err

    def __enter__(self) -> "RunningWorker":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.worker.stop()
        self.thread.join(15)
        assert not self.thread.is_alive(), "the worker did not stop"


class LogRecords(logging.Handler):
    """Collects spool_client's log records, so a test can wait for what the client says it did."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: List[logging.LogRecord] = []
        self._logger = logging.getLogger("spool_client")
        self._level = self._logger.level

    def __enter__(self) -> "LogRecords":
        self._logger.addHandler(self)
        self._logger.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._level)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def saw(self, pattern: str) -> bool:
        """Whether a record's message matches the regular expression."""
        return any(re.search(pattern, record.getMessage()) for record in list(self.records))


def restart_server(signal_name: str) -> None:
    """Restarts the server under test (same port, same data); returns once it listens again."""
    assert CONTROL_URL
    with urlopen(Request(f"{CONTROL_URL}/restart?signal={signal_name}", method="POST"), timeout=60) as answer:
        assert answer.status == 200, answer.status
