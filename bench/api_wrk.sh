#!/usr/bin/env bash
# API throughput with wrk against a fresh demo server. Builds nothing.
#
#   bench/api_wrk.sh [SWITCHBOARD_BINARY]      (default build/src/app/switchboard)
#
# Starts `switchboard serve --demo` on a temporary data dir and a free port,
# logs in as admin, then runs (each DURATION, default 10s):
#   (c) GET /healthz           baseline of the HTTP stack (no auth, no routing thread)
#   (a) GET /api/queues        an authenticated read (token check + routing-thread query)
#   (b) POST /api/interactions a durable write: the reply comes after the group commit's fsync
# prints requests/s, p50 and p99 for each, then checks that the Support queue
# grew by at least the number of 2xx replies wrk read for (b) (nothing
# acknowledged was lost) and by at most that plus the requests in flight when
# wrk stopped (one per connection), and stops the server.
#
# Environment: THREADS (wrk -t, default 2), CONNS (read -c, default 32),
# WRITE_CONNS (write -c, default 32), DURATION (default 10s), KEEP_DATA=1 keeps
# the data dir, SERVER_ARGS (extra flags for `serve`, e.g. "--http-threads 2").
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${1:-$root/build/src/app/switchboard}
threads=${THREADS:-2}
conns=${CONNS:-32}
write_conns=${WRITE_CONNS:-32}
duration=${DURATION:-10s}

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "api_wrk.sh: $tool is required (apt-get install $tool)" >&2; exit 1; }
done
[[ -x "$bin" ]] || { echo "api_wrk.sh: no switchboard binary at $bin (build it, or pass its path)" >&2; exit 1; }

data=$(mktemp -d /tmp/sb-wrk.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
server_pid=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ "${KEEP_DATA:-0}" != 1 ]]; then rm -rf "$data"; else echo "data kept in $data"; fi
}
trap cleanup EXIT

# shellcheck disable=SC2086
"$bin" serve --demo --data "$data" --http "127.0.0.1:$port" --log-level warn ${SERVER_ARGS:-} >"$data/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  grep -q '^READY' "$data/server.log" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "server exited:" >&2; cat "$data/server.log" >&2; exit 1; }
  sleep 0.1
done
grep -q '^READY' "$data/server.log" || { echo "server not ready after 10 s" >&2; cat "$data/server.log" >&2; exit 1; }

token=$(curl -sf -XPOST "$url/api/login" -H 'content-type: application/json' \
  -d '{"login":"admin","password":"switchboard"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
auth="Authorization: Bearer $token"
# "ID WAITING" of the Support queue.
support() {
  curl -sf "$url/api/queues" -H "$auth" | python3 -c '
import json, sys
for q in json.load(sys.stdin):
    if q["name"] == "Support":
        print(q["id"], q["live"]["waiting"])'
}
read -r queue waiting_before < <(support)

# summarize NAME FILE: one line with requests/s, p50, p99, non-2xx, socket errors.
declare -a rows
summarize() {
  local name=$1 file=$2
  local rps p50 p99 non2xx errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$file")
  p50=$(awk '$1 == "50%" {print $2}' "$file")
  p99=$(awk '$1 == "99%" {print $2}' "$file")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$file")
  errors=$(awk '/Socket errors:/ {sub(/^ *Socket errors: */, ""); print}' "$file")
  rows+=("$(printf '%-28s %10s req/s   p50 %9s   p99 %9s   non-2xx %s%s' "$name" "$rps" "$p50" "$p99" \
    "${non2xx:-0}" "${errors:+   socket errors: $errors}")")
}

out=$data/wrk
mkdir -p "$out"
echo "== server $bin on $url, wrk -t$threads, $duration each (load before: $(cut -d' ' -f1-3 /proc/loadavg))"

echo "== (c) GET /healthz, -c$conns"
wrk -t"$threads" -c"$conns" -d"$duration" --latency "$url/healthz" | tee "$out/healthz.txt"
summarize "GET /healthz (-c$conns)" "$out/healthz.txt"

echo "== (a) GET /api/queues, -c$conns"
wrk -t"$threads" -c"$conns" -d"$duration" --latency -H "$auth" "$url/api/queues" | tee "$out/queues.txt"
summarize "GET /api/queues (-c$conns)" "$out/queues.txt"

echo "== (b) POST /api/interactions (email to Support, queue $queue), -c$write_conns"
SB_TOKEN=$token SB_QUEUE=$queue wrk -t"$threads" -c"$write_conns" -d"$duration" --latency \
  -s "$here/create_interaction.lua" "$url/api/interactions" | tee "$out/create.txt"
summarize "POST /api/interactions (-c$write_conns)" "$out/create.txt"

# Nothing acknowledged lost: the queue grew by every 2xx wrk read (plus, at
# most, the requests in flight when wrk stopped, which it does not count).
acked=$(awk '/^created_2xx/ {print $2}' "$out/create.txt")
sleep 1  # let in-flight commits land
read -r _ waiting_after < <(support)
grew=$((waiting_after - waiting_before))
echo
echo "== summary"
printf '%s\n' "${rows[@]}"
echo "durability: Support waiting $waiting_before -> $waiting_after (+$grew); 2xx read by wrk: $acked"
status=0
if ((grew < acked)); then
  echo "FAIL: $((acked - grew)) acknowledged interactions are missing" >&2
  status=1
elif ((grew > acked + write_conns)); then
  echo "FAIL: $((grew - acked)) more interactions than acknowledged plus in flight ($write_conns)" >&2
  status=1
else
  echo "OK: every acknowledged interaction is there ($((grew - acked)) more were in flight when wrk stopped)"
fi
exit $status
