"""Worker against a real server: lanes, retries by error type, checkpoints, cancel, timeouts, progress, shutdown requests, grace."""
from __future__ import annotations

import threading
import time
import unittest
from typing import Dict, List, Tuple

from spool_client import JobAborted, JobFailure, Worker

from .helpers import RunningWorker, make_client, require_server, unique, wait_for_state, wait_until


def setUpModule() -> None:
    require_server()


class Flaky(Exception):
    """Fails an attempt with the error type "Flaky" (its class name)."""


class Fatal(Exception):
    """Fails with type "Fatal", which the test queue's policy never retries."""


class WorkerTests(unittest.TestCase):
    def setUp(self) -> None:
        self.client = make_client(self)
        self.queue = unique("work")
        # Retries run again at once, so the tests do not wait out a backoff.
        self.now = {"backoff": {"type": "fixed", "delayMs": 0}}

    def worker(self, handler, **options) -> RunningWorker:
        options.setdefault("lease_ms", 3000)
        return RunningWorker(Worker(self.client, self.queue, handler, handle_signals=False, **options))

    def test_runs_jobs_and_keeps_each_lane_in_order(self) -> None:
        log: List[Tuple[str, int, str]] = []
        lock = threading.Lock()
        active: Dict[str, int] = {}

        def handler(job, ctx):
            key, n = job["key"], job["payload"]["n"]
            with lock:
                active[key] = active.get(key, 0) + 1
                log.append((key, n, "start"))
                assert active[key] == 1, f"two jobs of lane {key} at once"
            time.sleep(0.01)
            with lock:
                active[key] -= 1
            return {"n": n}

        jobs = self.client.enqueue_batch(self.queue, [{"payload": {"n": n}, "key": f"lane-{n % 3}"} for n in range(18)])
        with self.worker(handler, concurrency=6):
            done = [self.client.wait_for_job(j["id"], timeout=20) for j in jobs]
        self.assertEqual([d["state"] for d in done], ["completed"] * 18)
        self.assertEqual([d["result"] for d in done], [{"n": n} for n in range(18)])
        for lane in range(3):
            self.assertEqual([n for key, n, _ in log if key == f"lane-{lane}"], list(range(lane, 18, 3)))

    def test_retries_follow_the_error_type(self) -> None:
        self.client.put_queue(self.queue, retry_policy={"noRetry": ["Fatal"]})
        attempts: Dict[str, int] = {}

        def handler(job, ctx):
            attempts[job["id"]] = job["attempts"]
            if job["payload"] == "fatal":
                raise Fatal("card declined")
            if job["payload"] == "typed" and job["attempts"] < 3:
                raise JobFailure("upstream busy", type="upstream_busy")
            if job["payload"] == "flaky" and job["attempts"] < 2:
                raise Flaky("try again")
            if job["payload"] == "no-retry":
                raise JobFailure("bad input", type="bad_input", retry=False)
            return job["attempts"]

        fatal, typed, flaky, no_retry = (self.client.enqueue(self.queue, p, max_attempts=5, **self.now) for p in ("fatal", "typed", "flaky", "no-retry"))
        with self.worker(handler, concurrency=4):
            fatal, typed, flaky, no_retry = (self.client.wait_for_job(j["id"], timeout=20) for j in (fatal, typed, flaky, no_retry))
        self.assertEqual((fatal["state"], fatal["attempts"], [e["type"] for e in fatal["errors"]]), ("failed", 1, ["Fatal"]))
        self.assertEqual(fatal["errors"][0]["message"], "card declined")
        self.assertIn("card declined", fatal["errors"][0]["stack"])
        self.assertEqual((typed["state"], typed["result"], [e["type"] for e in typed["errors"]]), ("completed", 3, ["upstream_busy"] * 2))
        self.assertEqual((flaky["state"], [e["type"] for e in flaky["errors"]]), ("completed", ["Flaky"]))
        self.assertEqual((no_retry["state"], no_retry["attempts"]), ("failed", 1))

    def test_the_next_attempt_gets_the_checkpoint(self) -> None:
        seen = []

        def handler(job, ctx):
            seen.append(job["checkpoint"])
            if job["attempts"] == 1:
                ctx.progress({"current": 2, "total": 4, "message": "half way"})
                ctx.checkpoint({"done": 2})
                raise Flaky("lost the connection half way")
            return {"resumed_from": job["checkpoint"]["done"]}

        job = self.client.enqueue(self.queue, None, **self.now)
        with self.worker(handler):
            done = self.client.wait_for_job(job["id"], timeout=20)
        self.assertEqual(seen, [None, {"done": 2}])
        self.assertEqual((done["state"], done["result"], done["checkpoint"]), ("completed", {"resumed_from": 2}, {"done": 2}))
        self.assertEqual(done["progress"], {"current": 2, "total": 4, "message": "half way"})

    def test_the_shortest_lease_is_kept_by_heartbeats(self) -> None:
        def handler(job, ctx):
            time.sleep(3)  # three leases long
            return "done"

        job = self.client.enqueue(self.queue, None)
        with self.worker(handler, lease_ms=1000):
            done = self.client.wait_for_job(job["id"], timeout=20)
        self.assertEqual((done["state"], done["result"], done["attempts"], done["errors"]), ("completed", "done", 1, []))

    def test_progress_is_visible_while_the_job_runs(self) -> None:
        release = threading.Event()

        def handler(job, ctx):
            ctx.progress(40)
            release.wait(10)

        job = self.client.enqueue(self.queue, None)
        with self.worker(handler):
            wait_until(lambda: self.client.get_job(job["id"])["progress"] == 40, what="progress 40")
            release.set()
            self.assertEqual(self.client.wait_for_job(job["id"], timeout=10)["state"], "completed")

    def test_cancel_reaches_the_running_handler(self) -> None:
        started, reasons = threading.Event(), []

        def handler(job, ctx):
            started.set()
            if not ctx.cancelled.wait(15):
                return "not cancelled"
            reasons.append(ctx.cancel_reason)
            ctx.raise_if_cancelled()

        job = self.client.enqueue(self.queue, None, max_attempts=5)
        with self.worker(handler, lease_ms=1500):
            self.assertTrue(started.wait(10))
            self.assertTrue(self.client.cancel(job["id"])["cancelRequested"])
            done = self.client.wait_for_job(job["id"], timeout=15)
        self.assertEqual(reasons, ["cancelled"])
        self.assertEqual((done["state"], done["attempts"]), ("cancelled", 1))

    def test_timeout_sets_the_cancel_event(self) -> None:
        reasons = []

        def handler(job, ctx):
            if ctx.cancelled.wait(10):
                reasons.append(ctx.cancel_reason)
            return "too late"

        job = self.client.enqueue(self.queue, None, timeout_ms=300, max_attempts=1)
        with self.worker(handler):
            done = self.client.wait_for_job(job["id"], timeout=15)
        self.assertEqual(reasons, ["timeout"])
        self.assertEqual((done["state"], [e["type"] for e in done["errors"]]), ("failed", ["timeout"]))

    def test_a_cancel_event_first_asked_for_after_the_timeout_is_already_set(self) -> None:
        seen = []

        def handler(job, ctx):
            # Nothing reads ctx.cancelled until the deadline is past (its Event is made when asked for).
            time.sleep(1.0)
            seen.append((ctx.cancelled.is_set(), ctx.cancel_reason))
            try:
                ctx.raise_if_cancelled()
            except JobAborted as aborted:
                seen.append(aborted.type)
            return "too late"

        job = self.client.enqueue(self.queue, None, timeout_ms=300, max_attempts=1)
        with self.worker(handler):
            self.client.wait_for_job(job["id"], timeout=15)
            wait_until(lambda: len(seen) == 2, what="the handler to look")
        self.assertEqual(seen, [(True, "timeout"), "timeout"])

    def test_a_result_that_is_not_json_fails_for_good(self) -> None:
        job = self.client.enqueue(self.queue, None, max_attempts=3)
        with self.worker(lambda job, ctx: {"at": object()}):
            done = self.client.wait_for_job(job["id"], timeout=10)
        self.assertEqual((done["state"], done["attempts"], done["errors"][0]["type"]), ("failed", 1, "invalid_result"))

    def test_an_operator_shutdown_stops_the_worker(self) -> None:
        worker = Worker(self.client, self.queue, lambda job, ctx: None, wait_ms=1000, handle_signals=False)
        running = RunningWorker(worker)
        with running:
            wait_until(lambda: any(w["id"] == worker.id for w in self.client.transport.request("GET", "/v1/workers")["workers"]), what="the worker to register")
            self.client.transport.request("POST", f"/v1/workers/{worker.id}/shutdown")
            running.thread.join(10)
            self.assertFalse(running.thread.is_alive())
        self.assertIsNone(running.error)

    def test_stop_lets_running_jobs_finish(self) -> None:
        started, release = threading.Event(), threading.Event()

        def handler(job, ctx):
            started.set()
            release.wait(10)
            return "finished"

        job = self.client.enqueue(self.queue, None)
        running = RunningWorker(Worker(self.client, self.queue, handler, handle_signals=False))
        with running:
            self.assertTrue(started.wait(10))
            running.worker.stop()
            self.assertTrue(running.thread.is_alive())
            release.set()
            running.thread.join(10)
        done = self.client.get_job(job["id"])
        self.assertEqual((done["state"], done["result"], done["attempts"]), ("completed", "finished", 1))

    def test_jobs_still_running_after_the_grace_period_are_given_back(self) -> None:
        started, reasons = threading.Event(), []

        def handler(job, ctx):
            started.set()
            ctx.cancelled.wait(10)
            reasons.append(ctx.cancel_reason)

        job = self.client.enqueue(self.queue, None)
        running = RunningWorker(Worker(self.client, self.queue, handler, grace_s=0.2, handle_signals=False))
        with running:
            self.assertTrue(started.wait(10))
        back = wait_for_state(self.client, job["id"], "waiting")
        self.assertEqual(reasons, ["shutdown"])
        self.assertEqual((back["attempts"], [e["type"] for e in back["errors"]]), (1, ["shutdown"]))


if __name__ == "__main__":
    unittest.main()
