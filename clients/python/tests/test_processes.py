"""What a worker process and the server survive: a killed worker, a graceful stop, a server restart under a waiting caller."""
from __future__ import annotations

import os
import queue as queues
import signal
import subprocess
import sys
import threading
import unittest
from typing import List

from spool_client import Worker

from .helpers import CONTROL_URL, SPOOL_URL, LogRecords, RunningWorker, make_client, require_server, restart_server, unique, wait_for_state, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))


def setUpModule() -> None:
    require_server()


class WorkerProcess:
    """tests/worker_process.py in a child process, its stdout lines read as they come."""

    def __init__(self, *args: object) -> None:
        env = {**os.environ, "SPOOL_URL": SPOOL_URL or "", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "worker_process.py"), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: "queues.Queue[str]" = queues.Queue()
        self.seen: List[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_line(self, prefix: str, timeout: float = 15.0) -> str:
        """The next line starting with ``prefix`` (other lines are kept in ``seen``)."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queues.Empty:
                raise AssertionError(f"the worker process printed no {prefix!r} line; it printed: {self.seen}") from None
            self.seen.append(line)
            if line.startswith(prefix):
                return line

    def all_lines(self) -> List[str]:
        """Every line it printed, once it has exited."""
        self._reader.join(10)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return self.seen

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        if self.proc.stdout:
            self.proc.stdout.close()


class WorkerProcessTests(unittest.TestCase):
    def setUp(self) -> None:
        self.client = make_client(self)
        self.queue = unique("proc")

    def spawn(self, *args: object) -> WorkerProcess:
        process = WorkerProcess(self.queue, *args)
        self.addCleanup(process.close)
        return process

    def test_a_killed_workers_job_is_recovered_when_its_lease_expires(self) -> None:
        job = self.client.enqueue(self.queue, None, backoff={"type": "fixed", "delayMs": 0})
        process = self.spawn(60, 1, 1000)
        self.assertEqual(process.wait_line("started"), f"started {job['id']}")
        process.proc.send_signal(signal.SIGKILL)
        process.proc.wait(10)
        recovered = wait_for_state(self.client, job["id"], "waiting", timeout=15)
        self.assertEqual((recovered["attempts"], [e["type"] for e in recovered["errors"]]), (1, ["lease_expired"]))
        with RunningWorker(Worker(self.client, self.queue, lambda job, ctx: "second try", handle_signals=False)):
            done = self.client.wait_for_job(job["id"], timeout=15)
        self.assertEqual((done["state"], done["result"], done["attempts"]), ("completed", "second try", 2))

    def test_sigterm_lets_running_jobs_finish_and_loses_nothing(self) -> None:
        jobs = self.client.enqueue_batch(self.queue, [{"payload": n} for n in range(6)])
        process = self.spawn(1.0, 3)
        started = {process.wait_line("started").split()[1] for _ in range(3)}
        process.proc.send_signal(signal.SIGTERM)
        self.assertEqual(process.proc.wait(20), 0, process.all_lines())
        lines = process.all_lines()
        self.assertEqual({line.split()[1] for line in lines if line.startswith("started")}, started, f"no job started after SIGTERM: {lines}")
        self.assertEqual({line.split()[1] for line in lines if line.startswith("finished")}, started)
        for job_id in started:
            done = self.client.get_job(job_id)
            self.assertEqual((done["state"], done["attempts"], done["errors"]), ("completed", 1, []))
        rest = [j["id"] for j in jobs if j["id"] not in started]
        self.assertEqual([self.client.get_job(i)["state"] for i in rest], ["waiting"] * 3)
        with RunningWorker(Worker(self.client, self.queue, lambda job, ctx: "after", concurrency=3, handle_signals=False)):
            states = [self.client.wait_for_job(i, timeout=15) for i in rest]
        self.assertEqual([(s["state"], s["attempts"]) for s in states], [("completed", 1)] * 3)


@unittest.skipUnless(CONTROL_URL, "SPOOL_TEST_CONTROL_URL is not set: only tests/python-client.test.ts can restart the server")
class ServerRestartTests(unittest.TestCase):
    def setUp(self) -> None:
        self.client = make_client(self)
        self.queue = unique("restart")

    def test_wait_for_result_resumes_after_the_server_stops(self) -> None:
        job = self.client.enqueue(self.queue, {"n": 1})
        got: dict = {}
        with LogRecords() as logs:
            waiter = threading.Thread(target=lambda: got.update(self.client.wait_for_job(job["id"], timeout=60)), daemon=True)
            waiter.start()
            wait_until(lambda: logs.saw(rf"following job {job['id']} \(after event None\)"), what="the waiter to connect")
            restart_server("TERM")
            claimed = self.client.claim(self.queue, "test-worker", max=1, wait_ms=5000)["jobs"][0]
            self.client.complete(claimed["id"], claimed["lease"]["token"], {"after": "restart"})
            waiter.join(30)
        self.assertEqual((got.get("state"), got.get("result")), ("completed", {"after": "restart"}))

    def test_a_worker_and_a_waiter_ride_through_a_killed_server(self) -> None:
        job = self.client.enqueue(self.queue, None)
        started, release = threading.Event(), threading.Event()

        def handler(job, ctx):
            started.set()
            release.wait(30)
            return "survived"

        got: dict = {}
        with LogRecords() as logs, RunningWorker(Worker(self.client, self.queue, handler, handle_signals=False)):
            waiter = threading.Thread(target=lambda: got.update(self.client.wait_for_job(job["id"], timeout=60)), daemon=True)
            waiter.start()
            self.assertTrue(started.wait(10))
            wait_until(lambda: logs.saw(rf"job {job['id']}: job\.started"), what="the waiter to see the job start")
            restart_server("KILL")
            # The job finishes only once the waiter follows it again from the last event it saw.
            wait_until(lambda: logs.saw(rf"following job {job['id']} \(after event \d+\)"), timeout=15, what="the waiter to resume from an event id")
            release.set()
            waiter.join(30)
        self.assertEqual((got.get("state"), got.get("result"), got.get("attempts")), ("completed", "survived", 1))


if __name__ == "__main__":
    unittest.main()
