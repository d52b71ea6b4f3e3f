#!/usr/bin/env bash
# Calls per second through Switchboard, then the same sipp caller load through
# a minimal Kamailio stateful proxy (bench/kamailio.cfg) for comparison. See
# the Telephony section of bench/README.md.
#
#   bench/sip_cps.sh [build/src/app/switchboard]     # about 60-90 s
#
# Switchboard: a fresh `serve --demo` on a data dir in /dev/shm, a voice queue
# "SipBench" (wrap-up 0) behind DID 900, AGENTS bench agents whose phones
# register with digest auth (Contact: one sipp UAS, bench/sip/agent_uas.xml,
# that answers every offer at once and hangs up after TALK_MS). Steps, each
# DURATION s of sipp callers (bench/sip/caller_*.xml) at a fixed rate:
#  1. abandon: nobody ready yet, callers get 200 + music and hang up at once
#     (pure signalling: INVITE/200/ACK/BYE and a durable interaction each);
#  2. answered, at each of RATES: the ACD offers the call, the agent's phone
#     gets an INVITE, answers, the call is bridged, the phone hangs up (BYE),
#     Switchboard hangs up the caller.
# Kamailio: the same caller scenario through the proxy to a second sipp UAS,
# at each of KAM_RATES. tcpdump on lo times INVITE -> first response (sipp's
# own timers tick in whole milliseconds); CPU from /proc (utime+stime).
#
# Environment: RATES (default "250 500 1000"), DURATION (default 5),
# AGENTS (default 100), ABANDON_RATE (default 1000), TALK_MS (default 0),
# KAM_RATES (default "1000 2000"), NO_KAMAILIO=1, PERF=1 (perf record of the
# server or Kamailio's main process per step, kept with KEEP_DATA=1),
# KEEP_DATA=1. Ports: SIP 5990-5993, HTTP 18990, Kamailio 5980. Needs sipp,
# tcpdump, python3, kamailio (installed from Debian if missing).
set -uo pipefail
BIN=$(readlink -f "${1:-build/src/app/switchboard}")
HERE=$(cd "$(dirname "$0")" && pwd)
SIP=$HERE/sip
SETUP="python3 $HERE/sip_setup.py"
RATES=${RATES:-"250 500 1000"}
DURATION=${DURATION:-5}
AGENTS=${AGENTS:-100}
ABANDON_RATE=${ABANDON_RATE:-1000}
KAM_RATES=${KAM_RATES:-"1000 2000"}
TALK_MS=${TALK_MS:-0}
SIP_PORT=${SIP_PORT:-5990} UAS_PORT=${UAS_PORT:-5991} KUAS_PORT=${KUAS_PORT:-5992} UAC_PORT=${UAC_PORT:-5993}
HTTP_PORT=${HTTP_PORT:-18990} KAM_PORT=${KAM_PORT:-5980}
URL=http://127.0.0.1:$HTTP_PORT
[ -x "$BIN" ] || { echo "no switchboard binary at $BIN" >&2; exit 2; }
command -v sipp >/dev/null || { echo "needs sipp (apt-get install sip-tester)" >&2; exit 2; }
command -v tcpdump >/dev/null || apt-get install -y tcpdump >/dev/null 2>&1 || { echo "needs tcpdump" >&2; exit 2; }
for p in $SIP_PORT $UAS_PORT $KUAS_PORT $UAC_PORT $KAM_PORT; do
  if ss -Hlun "sport = :$p" | grep -q .; then echo "UDP port $p is in use" >&2; exit 2; fi
done
if ss -Hltn "sport = :$HTTP_PORT" | grep -q .; then echo "TCP port $HTTP_PORT is in use" >&2; exit 2; fi

W=$(mktemp -d /dev/shm/sb-sipcps-XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  sleep 0.5
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  [ -n "${KEEP_DATA:-}" ] && echo "data kept in $W" || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ts() { date -u +%H:%M:%S; }
cpu() { $SETUP cpu "$@"; }

# The agents' phones: one sipp UAS in the background (-bg prints its PID).
start_uas() {
  local out; out=$(cd "$W" && sipp -sf "$SIP/agent_uas.xml" -i 127.0.0.1 -p "$1" -d "$TALK_MS" -nostdin -bg \
    -trace_err -error_file "$W/uas-$1-errors.log" 2>&1)
  local pid; pid=$(sed -n 's/.*PID=\[\([0-9]*\)\].*/\1/p' <<<"$out")
  [ -n "$pid" ] || { echo "sipp UAS on port $1 did not start: $out" >&2; return 1; }
  echo "$pid"
}

# run_step NAME TARGET SCENARIO NUMBER RATE COUNT EXTRA_SIPP_ARGS -- PIDS_FOR_CPU...
# One sipp caller run at RATE calls/s for COUNT calls against TARGET (IP:PORT),
# with tcpdump on lo timing every INVITE's first response on the wire.
run_step() {
  local name=$1 target=$2 sf=$3 number=$4 rate=$5 count=$6 extra=$7; shift 8
  local d=$W/$name-$rate; mkdir -p "$d"
  local c0 s0 c1 s1 t0 t1 port=${target##*:}
  tcpdump -i lo -n -s 0 -B 65536 --time-stamp-precision=nano -w "$d/sip.pcap" "udp port $port" 2>"$d/tcpdump.err" &
  local td=$!; PIDS+=($td)
  for _ in $(seq 50); do grep -q listening "$d/tcpdump.err" && break; sleep 0.1; done
  local pf=
  if [ -n "${PERF:-}" ]; then perf record -F 199 --call-graph dwarf,16384 -o "$d/perf.data" -p "$1" >/dev/null 2>&1 & pf=$!; PIDS+=($pf); fi
  c0=$(cpu "$@"); s0=$($SETUP sysstat); t0=$(date +%s.%N)
  (cd "$d" && sipp -sf "$SIP/$sf" -s "$number" -i 127.0.0.1 -p "$UAC_PORT" -r "$rate" -m "$count" -l $((rate * 4)) \
      -nostdin -timeout $((DURATION + 20))s -recv_timeout 5000 -max_recv_loops 2000 -max_sched_loops 2000 \
      -trace_stat -stf stat.csv -fd 1 -trace_err -trace_screen $extra "$target" >sipp.out 2>&1)
  local rc=$?
  t1=$(date +%s.%N); c1=$(cpu "$@"); s1=$($SETUP sysstat)
  kill -INT $td; wait $td 2>/dev/null
  [ -n "$pf" ] && { kill -INT $pf; wait $pf 2>/dev/null; }
  local st lat
  st=$($SETUP sippstat "$d/stat.csv" "" 2>/dev/null || echo '{"successful":0,"failed":-1}')
  lat=$($SETUP siplat "$d/sip.pcap" "$port")
  python3 - "$name" "$rate" "$count" "$t0" "$t1" "$c0" "$c1" "$s0" "$s1" "$st" "$rc" "$lat" "$(grep -o '[0-9]* packets dropped by kernel' "$d/tcpdump.err")" <<'PY'
import json, sys
name, rate, count, t0, t1 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
c0, c1, s0, s1, st = (json.loads(a) for a in sys.argv[6:11])
rc, lat, drops = int(sys.argv[11]), json.loads(sys.argv[12]), sys.argv[13]
el = t1 - t0
cpu = c1["total"] - c0["total"]
ok, failed = st["successful"], st["failed"]
allc, steal, busy = s1["all"] - s0["all"], s1["steal"] - s0["steal"], s1["busy"] - s0["busy"]
print(f"{name:<12} target {rate:>5}/s: {ok:>6} ok, {failed} failed; {lat['setups_per_s']:,.0f} set-ups/s (first INVITE to "
      f"last 200), {ok/el:,.0f} completed calls/s over the whole run ({el:.1f} s) | "
      f"INVITE->first response ({' '.join(f'{n}x{c}' for c, n in lat['first_codes'].items())}) "
      f"p50 {lat['first_p50_ms']:.3f} p90 {lat['first_p90_ms']:.3f} p99 {lat['first_p99_ms']:.3f} "
      f"max {lat['first_max_ms']:.1f} ms; ->200 p50 {lat['ok_p50_ms']:.3f} p99 {lat['ok_p99_ms']:.3f} ms "
      f"({lat['invite_retransmissions']} INVITE retransmissions) | CPU {cpu:.2f} s = {1e3*cpu/max(ok,1):.3f} ms/call "
      f"= {max(ok,1)/max(cpu,1e-9):,.0f} calls per CPU-second | machine busy {100*busy/allc:.0f}%, steal {100*steal/allc:.1f}%"
      f" | sipp rc {rc}, tcpdump {drops or '?'}")
if len(c1["threads"]) > 1:
    top = sorted(((v - c0["threads"].get(k, 0), k) for k, v in c1["threads"].items()), reverse=True)[:6]
    print("    CPU by thread: " + ", ".join(f"{k.split('/')[0]} {v:.2f} s" for v, k in top if v >= 0.01))
PY
}

echo "== sip_cps $(ts) binary $BIN; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
$SETUP prepare "$W/data" "$AGENTS"
"$BIN" serve --demo --data "$W/data" --http "127.0.0.1:$HTTP_PORT" --sip "127.0.0.1:$SIP_PORT" --log-level warn \
  >"$W/server.out" 2>"$W/server.log" &
SB=$!; PIDS+=($SB)
for _ in $(seq 300); do grep -q '^READY ' "$W/server.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^READY ' "$W/server.out" || { echo "server not ready"; tail -20 "$W/server.log"; exit 1; }
t=$(date +%s.%N)
$SETUP setup "$URL" "$AGENTS" || exit 1
echo "set-up: queue SipBench (wrap-up 0), $AGENTS agents created in $(python3 -c "import time;print(round(time.time()-$t,1))") s"
$SETUP register "$SIP_PORT" "$AGENTS" "$UAS_PORT" || exit 1
echo "registered $AGENTS phones (digest auth) with Contact 127.0.0.1:$UAS_PORT"

echo "-- Switchboard $URL sip 127.0.0.1:$SIP_PORT (pid $SB)"
i0=$(cpu $SB); sleep 2; i1=$(cpu $SB)
echo "idle: $(python3 -c "import json,sys; print(round(100*(json.loads(sys.argv[2])['total']-json.loads(sys.argv[1])['total'])/2,1))" "$i0" "$i1") % of a core"
# Pure signalling: nobody is ready yet, so every caller waits (music) and hangs up at once: abandons.
run_step sb-abandon "127.0.0.1:$SIP_PORT" caller_abandon.xml 900 "$ABANDON_RATE" $((ABANDON_RATE * DURATION)) "-d 0" -- $SB
$SETUP ready "$URL" "$AGENTS" || exit 1
UAS=$(start_uas "$UAS_PORT") || exit 1
PIDS+=($UAS)
sleep 0.3
for r in $RATES; do
  run_step sb-answered "127.0.0.1:$SIP_PORT" caller_answered.xml 900 "$r" $((r * DURATION)) "" -- $SB
  sleep 1
done
echo "    after the steps: $($SETUP check "$URL")"
grep -c . "$W/server.log" | xargs -I{} echo "    server log: {} lines at warn level"

# Stop Switchboard (and its phone) first: calls it still holds would keep sending music.
kill -TERM $SB $UAS 2>/dev/null
for _ in $(seq 100); do kill -0 $SB 2>/dev/null || break; sleep 0.1; done
kill -KILL $SB $UAS 2>/dev/null; wait $SB 2>/dev/null

if [ -z "${NO_KAMAILIO:-}" ]; then
  if ! command -v kamailio >/dev/null; then
    echo "installing kamailio (Debian package)"
    (apt-get install -y kamailio || (apt-get update && apt-get install -y kamailio)) >"$W/apt.log" 2>&1 \
      || { echo "cannot install kamailio"; exit 1; }
  fi
  KUAS=$(start_uas "$KUAS_PORT") || exit 1
  PIDS+=($KUAS)
  mkdir -p "$W/kam"
  kamailio -f "$HERE/kamailio.cfg" -l "udp:127.0.0.1:$KAM_PORT" -A "DEST=\"sip:127.0.0.1:$KUAS_PORT\"" \
    -DD -E -m 256 -M 16 -Y "$W/kam" -P "$W/kam/kamailio.pid" >"$W/kamailio.log" 2>&1 &
  KAM=$!; PIDS+=($KAM)
  sleep 1.5
  kill -0 $KAM 2>/dev/null || { echo "kamailio did not start"; tail -20 "$W/kamailio.log"; exit 1; }
  KPIDS="$KAM $(ps --ppid $KAM -o pid= | tr '\n' ' ')"
  echo "-- Kamailio $(kamailio -v | head -1 | cut -d' ' -f2) udp 127.0.0.1:$KAM_PORT (pids $KPIDS) -> sipp UAS 127.0.0.1:$KUAS_PORT"
  for r in $KAM_RATES; do
    run_step kamailio "127.0.0.1:$KAM_PORT" caller_answered.xml 900 "$r" $((r * DURATION)) "" -- $KPIDS
    sleep 1
  done
fi
echo "== done $(ts)"
