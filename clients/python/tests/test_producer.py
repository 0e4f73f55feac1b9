"""Producer calls against a real server: enqueue options, batches, reads, cancel and retry, queues, schedules, errors."""
from __future__ import annotations

import threading
import unittest
from datetime import datetime, timedelta, timezone

from spool_client import InvalidRequest, JobFailedError, LeaseLost, NotFound, SpoolError, WaitTimeout

from .helpers import make_client, require_server, unique


def setUpModule() -> None:
    require_server()


class JobTests(unittest.TestCase):
    def setUp(self) -> None:
        self.client = make_client(self)
        self.queue = unique("jobs")

    def test_enqueue_sends_every_option(self) -> None:
        run_at = datetime.now(timezone.utc) + timedelta(hours=1)
        job = self.client.enqueue(
            self.queue, {"to": "ada@example.com"}, key="acct-1", priority=8, max_attempts=7,
            backoff={"type": "fixed", "delayMs": 2000}, timeout_ms=60_000, run_at=run_at,
        )
        self.assertEqual(job["payload"], {"to": "ada@example.com"})
        self.assertEqual((job["key"], job["priority"], job["maxAttempts"], job["timeoutMs"]), ("acct-1", 8, 7, 60_000))
        self.assertEqual(job["backoff"]["type"], "fixed")
        self.assertEqual(job["backoff"]["delayMs"], 2000)
        self.assertEqual(job["state"], "delayed")
        self.assertEqual(datetime.fromisoformat(job["runAt"].replace("Z", "+00:00")).replace(microsecond=0), run_at.replace(microsecond=0))
        delayed = self.client.enqueue(self.queue, None, delay_ms=60_000)
        self.assertEqual(delayed["state"], "delayed")
        self.assertIsNone(delayed["payload"])

    def test_idempotency_key_returns_the_existing_job(self) -> None:
        first = self.client.enqueue(self.queue, {"n": 1}, idempotency_key="order-42")
        again = self.client.enqueue(self.queue, {"n": 2}, idempotency_key="order-42")
        self.assertEqual(again["id"], first["id"])
        self.assertEqual((first["created"], again["created"]), (True, False))
        self.assertEqual(again["idempotencyKey"], "order-42")
        self.assertEqual(again["payload"], {"n": 1})

    def test_an_idempotency_key_may_be_any_text_and_matches_a_batch_job_with_it(self) -> None:
        key = "commande-é-✓-注文"
        first = self.client.enqueue(self.queue, {"n": 1}, idempotency_key=key)
        self.assertEqual(first["idempotencyKey"], key)
        again = self.client.enqueue(self.queue, {"n": 2}, idempotency_key=key)
        self.assertEqual((again["id"], again["created"]), (first["id"], False))
        [batched] = self.client.enqueue_batch(self.queue, [{"payload": {"n": 3}, "idempotency_key": key}])
        self.assertEqual(batched["id"], first["id"])

    def test_batch_list_and_paging(self) -> None:
        jobs = self.client.enqueue_batch(self.queue, [{"payload": i, "key": f"k{i % 2}", "max_attempts": 2} for i in range(5)])
        self.assertEqual([j["payload"] for j in jobs], [0, 1, 2, 3, 4])
        self.assertTrue(all(j["maxAttempts"] == 2 for j in jobs))
        page = self.client.list_jobs(queue=self.queue, key="k0", limit=10)
        self.assertEqual(sorted(j["payload"] for j in page["jobs"]), [0, 2, 4])
        every = list(self.client.iter_jobs(queue=self.queue, page_size=2))
        self.assertEqual(sorted(j["id"] for j in every), sorted(j["id"] for j in jobs))
        self.assertEqual(self.client.get_job(jobs[0]["id"])["payload"], 0)

    def test_batch_is_all_or_nothing(self) -> None:
        with self.assertRaises(InvalidRequest) as caught:
            self.client.enqueue_batch(self.queue, [{"payload": 1}, {"payload": 2, "priority": 99}])
        self.assertEqual(caught.exception.status, 400)
        self.assertEqual(self.client.list_jobs(queue=self.queue)["jobs"], [])

    def test_cancel_retry_and_delete(self) -> None:
        job = self.client.enqueue(self.queue, "x")
        self.assertEqual(self.client.cancel(job["id"])["state"], "cancelled")
        self.assertEqual(self.client.retry(job["id"])["state"], "waiting")
        self.client.cancel(job["id"])
        self.client.delete_job(job["id"])
        with self.assertRaises(NotFound):
            self.client.get_job(job["id"])

    def test_errors_carry_code_status_and_details(self) -> None:
        with self.assertRaises(NotFound) as missing:
            self.client.get_job("999999999")
        self.assertEqual((missing.exception.code, missing.exception.status), ("not_found", 404))
        with self.assertRaises(InvalidRequest) as invalid:
            self.client.enqueue(self.queue, None, priority=11)
        self.assertEqual(invalid.exception.code, "validation_failed")
        self.assertEqual(invalid.exception.details[0]["path"], "priority")
        job = self.client.enqueue(self.queue, None)
        self.client.claim(self.queue, "test-worker", max=1)
        with self.assertRaises(LeaseLost) as lost:
            self.client.complete(job["id"], "not-the-token")
        self.assertIsInstance(lost.exception, SpoolError)
        self.assertEqual((lost.exception.code, lost.exception.status), ("lease_lost", 409))


class WaitTests(unittest.TestCase):
    def setUp(self) -> None:
        self.client = make_client(self)
        self.queue = unique("wait")

    def test_a_finished_job_answers_at_once(self) -> None:
        job = self.client.enqueue(self.queue, None)
        self.client.cancel(job["id"])
        self.assertEqual(self.client.wait_for_job(job["id"], timeout=5)["state"], "cancelled")

    def test_waits_for_a_job_finished_later(self) -> None:
        job = self.client.enqueue(self.queue, {"n": 2})
        got = {}
        waiter = threading.Thread(target=lambda: got.update(self.client.wait_for_job(job["id"], timeout=10)))
        waiter.start()
        claimed = self.client.claim(self.queue, "test-worker", max=1, wait_ms=5000)["jobs"][0]
        self.client.complete(claimed["id"], claimed["lease"]["token"], {"doubled": 4})
        waiter.join(10)
        self.assertEqual((got["state"], got["result"]), ("completed", {"doubled": 4}))

    def test_wait_for_result_answers_the_result_or_raises_with_the_job(self) -> None:
        ok, bad = self.client.enqueue(self.queue, None), self.client.enqueue(self.queue, None, max_attempts=1)
        for job, outcome in zip(self.client.claim(self.queue, "test-worker", max=2)["jobs"], ("ok", "bad")):
            if outcome == "ok":
                self.client.complete(job["id"], job["lease"]["token"], [1, 2])
            else:
                self.client.fail(job["id"], job["lease"]["token"], {"message": "no such user", "type": "UnknownUser"})
        self.assertEqual(self.client.wait_for_result(ok["id"], timeout=5), [1, 2])
        with self.assertRaises(JobFailedError) as failed:
            self.client.wait_for_result(bad["id"], timeout=5)
        self.assertEqual(failed.exception.job["state"], "failed")
        self.assertIn("UnknownUser: no such user", str(failed.exception))

    def test_gives_up_after_its_timeout(self) -> None:
        job = self.client.enqueue(self.queue, None)
        with self.assertRaises(WaitTimeout):
            self.client.wait_for_job(job["id"], timeout=0.3)

    def test_an_unknown_job_is_not_found(self) -> None:
        with self.assertRaises(NotFound):
            self.client.wait_for_job("999999999", timeout=5)


class QueueAndScheduleTests(unittest.TestCase):
    def setUp(self) -> None:
        self.client = make_client(self)
        self.queue = unique("queue")

    def test_queue_config_pause_and_resume(self) -> None:
        config = self.client.put_queue(self.queue, concurrency=3, retry_policy={"noRetry": ["Fatal"]}, lane_on_failure="block")
        self.assertEqual((config["concurrency"], config["retryPolicy"], config["laneOnFailure"]), (3, {"noRetry": ["Fatal"]}, "block"))
        self.assertIsNone(self.client.put_queue(self.queue, concurrency=None)["concurrency"])
        self.assertTrue(self.client.pause_queue(self.queue)["paused"])
        self.client.enqueue(self.queue, None)
        self.assertEqual(self.client.claim(self.queue, "test-worker", max=1)["jobs"], [])
        self.assertFalse(self.client.resume_queue(self.queue)["paused"])
        self.assertEqual(len(self.client.claim(self.queue, "test-worker", max=1)["jobs"]), 1)
        queue = self.client.get_queue(self.queue)
        self.assertEqual(queue["counts"]["active"], 1)
        self.assertIn(self.queue, [q["name"] for q in self.client.list_queues()])

    def test_schedules(self) -> None:
        name = unique("sched")
        created = self.client.create_schedule(
            name, queue=self.queue, cron="0 4 * * *", timezone="Europe/Paris", payload={"report": "daily"},
            job_options={"max_attempts": 2, "key": "reports"}, overlap="skip", catch_up="none",
        )
        self.assertEqual((created["cron"], created["timezone"], created["overlap"], created["catchUp"]), ("0 4 * * *", "Europe/Paris", "skip", "none"))
        self.assertEqual(created["jobOptions"], {"maxAttempts": 2, "key": "reports"})
        edited = self.client.put_schedule(name, every="30s")
        self.assertEqual((edited["every"], edited["cron"]), ("30s", None))
        self.assertFalse(self.client.pause_schedule(name)["enabled"])
        self.assertTrue(self.client.resume_schedule(name)["enabled"])
        job = self.client.trigger_schedule(name)
        self.assertEqual((job["queue"], job["payload"], job["key"]), (self.queue, {"report": "daily"}, "reports"))
        detail = self.client.get_schedule(name, preview=3, history=5)
        self.assertEqual(len(detail["preview"]), 3)
        self.assertEqual(detail["history"][0]["jobId"], job["id"])
        self.assertIn(name, [s["name"] for s in self.client.list_schedules()])
        self.client.delete_schedule(name)
        with self.assertRaises(NotFound):
            self.client.get_schedule(name)
        with self.assertRaises(InvalidRequest) as bad:
            self.client.create_schedule(unique("bad"), queue=self.queue, cron="not a cron")
        self.assertIn("cron", str(bad.exception))

    def test_stats_and_health(self) -> None:
        self.assertIn("queues", self.client.stats())
        health = self.client.health()
        self.assertIn(health["status"], ("healthy", "degraded", "unhealthy"))
        self.assertIsInstance(health["score"], int)


if __name__ == "__main__":
    unittest.main()
