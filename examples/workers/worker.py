#!/usr/bin/env python3
"""A spool pull worker in Python with the standard library only, no SDK: long-polls for one
job at a time, completes with handle()'s return value or fails with the exception it raises.
Stops on SIGTERM (after the job in hand) or when an operator asks it to.
    SPOOL_URL=http://127.0.0.1:7070 SPOOL_QUEUE=greetings python3 worker.py
"""
import json, os, signal, socket, sys, time, urllib.error, urllib.request

URL = os.environ.get("SPOOL_URL", "http://127.0.0.1:7070")
QUEUE = os.environ.get("SPOOL_QUEUE", "greetings")
TOKEN = os.environ.get("SPOOL_TOKEN")
WORKER_ID = os.environ.get("SPOOL_WORKER_ID", f"py-{socket.gethostname()}-{os.getpid()}")


def handle(payload, job):
    """The job: the return value becomes the result; an exception fails the attempt."""
    if not isinstance(payload, dict) or not payload.get("name"):
        raise ValueError("payload has no name")
    return {"greeting": f"hello {payload['name']}"}


def post(path, body):
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {TOKEN}"} if TOKEN else {})}
    request = urllib.request.Request(URL + path, json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


busy = False


def on_sigterm(signum, frame):
    global stopping
    if not busy:  # waiting in a long poll: nothing to finish
        sys.exit(0)
    stopping = True


stopping = False
signal.signal(signal.SIGTERM, on_sigterm)

while not stopping:
    try:
        answer = post(f"/v1/queues/{QUEUE}/claim", {"workerId": WORKER_ID, "name": "worker.py", "waitMs": 25000})
    except (urllib.error.URLError, OSError) as err:
        print(f"claim failed: {err}", file=sys.stderr)
        time.sleep(1)
        continue
    if answer.get("control", {}).get("shutdown"):
        break
    for job in answer["jobs"]:
        busy, token = True, job["lease"]["token"]
        try:
            result = handle(job["payload"], job)
        except Exception as err:
            outcome = ("fail", {"token": token, "error": {"message": str(err), "type": type(err).__name__}})
        else:
            outcome = ("complete", {"token": token, "result": result})
        try:
            post(f"/v1/jobs/{job['id']}/{outcome[0]}", outcome[1])
        except urllib.error.HTTPError as err:  # 409: the lease was lost (expired or cancelled)
            print(f"job {job['id']}: {err.read().decode()}", file=sys.stderr)
        busy = False
