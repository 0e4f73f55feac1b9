#!/bin/sh
# A spool pull worker in POSIX shell with curl and jq, no SDK: long-polls for one job at a
# time, runs handle() with the payload on stdin, completes with its JSON output or fails
# with its stderr. Stops when an operator asks it to (POST /v1/workers/{id}/shutdown).
#   SPOOL_URL=http://127.0.0.1:7070 SPOOL_QUEUE=greetings ./worker.sh
set -u
URL=${SPOOL_URL:-http://127.0.0.1:7070}
QUEUE=${SPOOL_QUEUE:-greetings}
WORKER_ID=${SPOOL_WORKER_ID:-sh-$(hostname)-$$}
ERR=$(mktemp)
trap 'rm -f "$ERR"' EXIT

# The job: payload JSON on stdin, result JSON on stdout; a non-zero exit fails the attempt.
handle() {
  jq -c 'if .name then {greeting: ("hello " + .name)} else error("payload has no name") end'
}

post() { # path, JSON body
  curl -sS --fail-with-body -X POST "$URL$1" -H 'Content-Type: application/json' \
    ${SPOOL_TOKEN:+-H "Authorization: Bearer $SPOOL_TOKEN"} --data "$2"
}

while :; do
  answer=$(post "/v1/queues/$QUEUE/claim" \
    "{\"workerId\": \"$WORKER_ID\", \"name\": \"worker.sh\", \"waitMs\": 25000}") || { sleep 1; continue; }
  [ "$(echo "$answer" | jq '.control.shutdown // false')" = true ] && exit 0
  job=$(echo "$answer" | jq -c '.jobs[0] // empty')
  [ -n "$job" ] || continue
  id=$(echo "$job" | jq -r .id)
  token=$(echo "$job" | jq -r .lease.token)
  if result=$(echo "$job" | jq -c .payload | handle 2>"$ERR"); then
    post "/v1/jobs/$id/complete" "$(jq -nc --arg t "$token" --argjson r "${result:-null}" '{token: $t, result: $r}')" >/dev/null
  else
    post "/v1/jobs/$id/fail" "$(jq -nc --arg t "$token" --arg m "$(tail -c 2000 "$ERR")" \
      '{token: $t, error: {message: $m, type: "handler_failed"}}')" >/dev/null
  fi
done
