"""
A Python worker on spool_client against a running server: end-to-end no-op jobs at a given
concurrency (default 10), jobs enqueued beforehand. Prints one JSON line:
{"completed", "ms", "cpuMs", "jobsPerSecond", "concurrency"}.

    python3 bench/client-python.py --url http://127.0.0.1:7070 [--jobs 20000] [--concurrency 10]
        [--queue NAME] [--enqueued]

Without --enqueued it first enqueues --jobs jobs into a fresh queue (not timed); with it, the
queue already holds them. The clock runs from the worker's start until every job's completion
has been acknowledged by the server.
"""
import argparse
import json
import os
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))

from spool_client import Client, Worker  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description="Python worker throughput against a spool server")
    parser.add_argument("--url", default=os.environ.get("SPOOL_URL", "http://127.0.0.1:7070"))
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--queue", default=None)
    parser.add_argument("--enqueued", action="store_true", help="the queue already holds --jobs jobs")
    parser.add_argument("--timeout", type=float, default=300.0, help="give up after this many seconds")
    o = parser.parse_args()
    queue = o.queue or f"bench-python-{uuid.uuid4().hex[:8]}"
    client = Client(o.url)
    if not o.enqueued:
        for start in range(0, o.jobs, 1000):
            client.enqueue_batch(queue, [{"payload": {"n": n}} for n in range(start, min(o.jobs, start + 1000))])

    handled = 0
    lock = threading.Lock()
    worker: Worker

    def noop(job, ctx):
        nonlocal handled
        with lock:
            handled += 1
            if handled == o.jobs:
                worker.stop()

    worker = Worker(client, queue, noop, concurrency=o.concurrency, handle_signals=False)
    cpu0, t0 = time.process_time(), time.perf_counter()
    runner = threading.Thread(target=worker.run, daemon=True)
    runner.start()
    runner.join(o.timeout)
    ms = (time.perf_counter() - t0) * 1000
    cpu_ms = (time.process_time() - cpu0) * 1000
    if runner.is_alive():
        sys.exit(f"timed out after {o.timeout} s with {handled} of {o.jobs} jobs handled")
    completed = client.get_queue(queue)["counts"]["completed"]
    print(json.dumps({"completed": completed, "ms": round(ms, 1), "cpuMs": round(cpu_ms, 1), "jobsPerSecond": round(completed * 1000 / ms, 1), "concurrency": o.concurrency}))
    if completed != o.jobs:
        sys.exit(f"{completed} of {o.jobs} jobs completed")


if __name__ == "__main__":
    main()
