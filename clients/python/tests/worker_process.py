"""A Worker in a process of its own, for the tests that kill or stop one.

Usage: python3 tests/worker_process.py QUEUE SECONDS [CONCURRENCY] [LEASE_MS]. Each job sleeps
SECONDS (or until its cancel event is set); "started ID" and "finished ID" lines on stdout
tell the test where the worker is. It exits 0 after a graceful stop.
"""
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from spool_client import Client, Worker  # noqa: E402


def main() -> None:
    queue, seconds = sys.argv[1], float(sys.argv[2])
    concurrency = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    lease_ms = int(sys.argv[4]) if len(sys.argv) > 4 else 30_000

    lock = threading.Lock()

    def say(line: str) -> None:
        # One write per line, under a lock: handlers run in threads of their own.
        with lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def handler(job, ctx):
        say(f"started {job['id']}")
        ctx.cancelled.wait(seconds)
        say(f"finished {job['id']}")
        return {"pid": os.getpid()}

    client = Client(os.environ["SPOOL_URL"])
    Worker(client, queue, handler, concurrency=concurrency, lease_ms=lease_ms, wait_ms=1000).run()
    say("stopped")


if __name__ == "__main__":
    main()
