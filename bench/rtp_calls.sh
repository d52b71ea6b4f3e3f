#!/usr/bin/env bash
# Concurrent bridged calls with RTP relayed through Switchboard: rtp_load
# (bench/rtp_load.cc) plays N callers and N agents' phones, sending 20 ms
# G.711 packets both ways, and measures loss, jitter and gaps on the far side.
# See bench/README.md.
#
#   bench/rtp_calls.sh [build/src/app/switchboard] [build/bench/rtp_load]
#
# Environment: CALLS (levels, each on a fresh server, default "500 1000 2000"), RATE (set-up calls/s, default 200), HOLD (s of
# measurement per level, default 10), SETUP_TIMEOUT (s, default 15), NO_RECORD=1 (make recordings fail to
# open, to measure the relay without the WAV recorder), SEED_ONLY=1 (create
# the agents' seed data dir and stop), MEDIA_PRIORITY=normal|high|realtime (the server's
# sip.media_priority), PERF=1 (perf record of the server per
# level, kept with KEEP_DATA=1), KEEP_DATA=1.
# Ports: SIP 5995, agents' phones (rtp_load) 5996, HTTP 18991.
# The agents (one per concurrent call: voice is exclusive) are created once
# (argon2 per password: slow) and the data dir is kept as a seed in
# /dev/shm/sb-rtp-seed-<N> for later runs (remove it to start afresh).
set -uo pipefail
BIN=$(readlink -f "${1:-build/src/app/switchboard}")
LOAD=$(readlink -f "${2:-build/bench/rtp_load}")
HERE=$(cd "$(dirname "$0")" && pwd)
SETUP="python3 $HERE/sip_setup.py"
CALLS=${CALLS:-"500 1000 2000"}
RATE=${RATE:-200}
HOLD=${HOLD:-10}
SIP_PORT=${SIP_PORT:-5995} PHONE_PORT=${PHONE_PORT:-5996} HTTP_PORT=${HTTP_PORT:-18991}
URL=http://127.0.0.1:$HTTP_PORT
MAX=0; for n in $CALLS; do [ "$n" -gt "$MAX" ] && MAX=$n; done
[ -x "$BIN" ] || { echo "no switchboard binary at $BIN" >&2; exit 2; }
[ -x "$LOAD" ] || { echo "no rtp_load at $LOAD (ninja -C build rtp_load)" >&2; exit 2; }
for p in $SIP_PORT $PHONE_PORT; do
  if ss -Hlun "sport = :$p" | grep -q .; then echo "UDP port $p is in use" >&2; exit 2; fi
done
# Two RTP sockets per call in the server (caller leg, agent leg), plus SIP and the rest.
NOFILE=$(ulimit -n)
if [ "$NOFILE" -lt $((MAX * 2 + 1000)) ]; then ulimit -n $((MAX * 2 + 4096)) 2>/dev/null || echo "warning: ulimit -n $NOFILE"; fi

W=$(mktemp -d /dev/shm/sb-rtpcalls-XXXXXX)
SEED=/dev/shm/sb-rtp-seed-$MAX
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for _ in $(seq 50); do
    alive=0; for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break; sleep 0.1
  done
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  [ -n "${KEEP_DATA:-}" ] && echo "data kept in $W" || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_server() {
  "$BIN" serve --demo --data "$W/data" --http "127.0.0.1:$HTTP_PORT" --sip "127.0.0.1:$SIP_PORT" --log-level warn \
    --sip-media-priority "${MEDIA_PRIORITY:-normal}" \
    >"$W/server.out" 2>>"$W/server.log" &
  SB=$!; PIDS+=($SB)
  for _ in $(seq 300); do grep -q '^READY ' "$W/server.out" 2>/dev/null && return 0; sleep 0.1; done
  echo "server not ready"; tail -20 "$W/server.log"; exit 1
}

echo "== rtp_calls $(date -u +%H:%M:%S) binary $BIN; $(nproc) CPUs; ulimit -n $(ulimit -n); load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -d "$SEED" ]; then
  $SETUP prepare "$W/data" "$MAX"
  start_server
  t=$(date +%s)
  $SETUP setup "$URL" "$MAX" || exit 1
  echo "set-up: $MAX agents created in $(( $(date +%s) - t )) s (argon2 per password); saving the seed $SEED"
  kill -TERM $SB; wait $SB 2>/dev/null
  rm -rf "$SEED.tmp"; cp -a "$W/data" "$SEED.tmp" && mv "$SEED.tmp" "$SEED"
  [ -n "${SEED_ONLY:-}" ] && exit 0
fi
rc=0
for n in $CALLS; do
  # Each level on a fresh server (from the seed): an overloaded level leaves calls behind.
  [ -n "${SB:-}" ] && { kill -TERM $SB 2>/dev/null; wait $SB 2>/dev/null; }
  rm -rf "$W/data"; cp -a "$SEED" "$W/data"; : >"$W/server.out"
  if [ -n "${NO_RECORD:-}" ]; then rm -rf "$W/data/recordings"; echo "not a directory" >"$W/data/recordings"; fi
  start_server
  $SETUP register "$SIP_PORT" "$n" "$PHONE_PORT" || exit 1
  $SETUP ready "$URL" "$n" || exit 1
  echo "-- $n concurrent calls (set-up at $RATE/s, $HOLD s window): fresh server pid $SB from the seed, $n phones" \
       "registered (Contact 127.0.0.1:$PHONE_PORT), $n agents ready, recording $([ -n "${NO_RECORD:-}" ] && echo off || echo on)," \
       "media threads' priority ${MEDIA_PRIORITY:-normal}"
  pf=
  if [ -n "${PERF:-}" ]; then perf record -F 199 --call-graph dwarf,16384 -o "$W/perf-$n.data" -p $SB >/dev/null 2>&1 & pf=$!; PIDS+=($pf); fi
  "$LOAD" --server "127.0.0.1:$SIP_PORT" --number 900 --sip-port "$PHONE_PORT" --calls "$n" --rate "$RATE" \
    --hold "$HOLD" --setup-timeout "${SETUP_TIMEOUT:-15}" --pid "$SB" || rc=1
  [ -n "$pf" ] && { kill -INT $pf; wait $pf 2>/dev/null; }
  echo "    server after: $($SETUP check "$URL")"
  echo "    server log: $(grep -c . "$W/server.log") lines at warn level$(grep -m1 -o 'no RTP port.*' "$W/server.log" | sed 's/^/, e.g. /'); recordings: $(du -sh "$W/data/recordings" 2>/dev/null | cut -f1)"
  kill -0 $SB 2>/dev/null || { echo "server died"; tail -20 "$W/server.log"; exit 1; }
done
echo "== done $(date -u +%H:%M:%S)"
exit $rc
