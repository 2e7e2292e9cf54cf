#!/usr/bin/env bash
# Number assignment speed (issue 5, pools): assignments per second and latency of POST /v1/pools/{id}/assignments
# against one node, each assignment persisted before it is answered.
#
# Starts a node (embedded Cassandra, own ports, bench/lib.sh), imports 2,000 inventory numbers, creates ONE dynamic
# pool of 1,000 numbers and 100 dynamic pools of 10 numbers (hold 1800 s, so the small pools mostly answer their
# fallback number once their 10 numbers are held: still an assignment, persisted and counted), warms up, then drives
# the endpoint with wrk (bench/pool-assign.lua) for each scenario and connection count:
#
#   one/mix   one pool,  80 % page views of sessions seen before (same pool), 20 % new sessions
#   one/new   one pool,  every request a new session (worst case: every request claims a session id)
#   100/mix   100 pools (each request a random pool), 80/20 as above
#   100/new   100 pools, all new sessions
#   one/rep   one pool, repeat page views only (each wrk connection thread keeps one session; no claims written):
#             not in the default set, for telling the cost of new sessions apart
#
# For each run: requests/s, p50/p99/p99.9/max latency (wrk --latency, microsecond histogram), 200 / 409 / other
# non-2xx answers and socket errors, the 1-minute load average before and after (the node, its Cassandra and wrk
# share the machine's cores), and the durability check: the pools' "assignments" counters grew by the number of
# 200 answers (plus at most the requests in flight when wrk stopped, which the node may still have answered). At the
# end the node is restarted on the same data and the counters read again: they must equal those before the restart
# (every answered assignment was in the journal).
#
# Usage: bench/pool-load.sh [scenario ...]       (default: one/mix one/new 100/mix 100/new)
# Environment: CONNECTIONS (default "16 64"), BENCH_SECONDS (30), WARMUP_SECONDS (60), WRK_THREADS (2),
#              RESTART (1: restart and compare counters), HANKYO_SKIP_BUILD=1, NODE_HEAP, NODE_GC, NODE_OPTS (extra
#              JVM options, e.g. -Dhankyo.pools.batch-window=5ms), PACE_MS (each connection waits this long after an
#              answer: a run at a chosen rate below the node's most, e.g. the target's 5,000/s; 0: none).
# Results: bench/results/pools-<timestamp>/summary.md (+ wrk outputs, node log).
set -euo pipefail
cd "$(dirname "$0")/.."

SCENARIOS=("$@"); [ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(one/mix one/new 100/mix 100/new)
CONNECTIONS=${CONNECTIONS:-"16 64"}
BENCH_SECONDS=${BENCH_SECONDS:-30}
WARMUP_SECONDS=${WARMUP_SECONDS:-60}
WRK_THREADS=${WRK_THREADS:-2}
KEY=bench-api-key-0123456789abcdef
HTTP=28380; SIP=26260; UAS=26280; CQL=29642; STORAGE=27642; ARTERY=26900; MGMT=28858
RTP_MIN=51000; RTP_MAX=51099
OUT=bench/results/pools-$(date +%Y%m%d-%H%M%S); mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }
. bench/lib.sh

loadavg() { cut -d' ' -f1 /proc/loadavg; }
# Sum of the "assignments" counters of all pools of the operator.
assigned_total() {
  api "http://127.0.0.1:$HTTP/v1/pools?limit=1000" | python3 -c 'import json,sys; print(sum(p["assignments"] for p in json.load(sys.stdin)["pools"]))'
}
# national numbers 0120-PPP-000 .. 0120-PPP-999 for prefix PPP
numbers_of() { for i in $(seq 0 999); do printf '0120-%s-%03d\n' "$1" "$i"; done; }
# POST /v1/pools with the given numbers (one per line on stdin); prints the pool id
create_pool() {
  python3 -c 'import json,sys; print(json.dumps({"method":"dynamic","numbers":[l.strip() for l in sys.stdin if l.strip()],
    "hold_sec":1800,"cool_down_sec":0,"fallback_number":"0120-999-999","tracking_number":"0120-999-999"}))' \
    | api -d @- "http://127.0.0.1:$HTTP/v1/pools" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pool_id"])'
}

bench_build
bench_start_node
# the advertiser's main tracking number: where calls to the pools' numbers go, and their fallback number
api -d '{"dialin_id":"main","number":"0120-999-999","forward_to":"03-9999-0000"}' \
  "http://127.0.0.1:$HTTP/v1/advertisers/bench/numbers" >/dev/null || true   # 409 on a second run
echo "node up (pid $NODE), importing 2,000 numbers" >&2
t0=$(date +%s)
for p in 500 600; do             # a line may fail under load ("retry the line"): import again, the rest is already_owned
  for try in 1 2 3 4 5; do
    errors=$(numbers_of $p | curl -sf -H "Authorization: Bearer $KEY" -H 'Content-Type: text/plain' --data-binary @- \
      "http://127.0.0.1:$HTTP/v1/inventory" | python3 -c 'import json,sys; print(json.load(sys.stdin)["errors"])') || errors=import-failed
    echo "import 0120-$p-xxx try $try: errors $errors" >&2
    [ "$errors" = 0 ] && break
  done
done
numbers_of 500 | create_pool > "$OUT/pools-one.txt"
creating=()
for k in $(seq 0 99); do          # 10 at a time (wait for these PIDs only: the node is a child of this shell too)
  numbers_of 600 | sed -n "$((k * 10 + 1)),$((k * 10 + 10))p" | create_pool > "$OUT/pool-100-$k.id" &
  creating+=($!)
  if (( k % 10 == 9 )); then wait "${creating[@]}"; creating=(); fi
done
cat "$OUT"/pool-100-*.id > "$OUT/pools-100.txt"; rm -f "$OUT"/pool-100-*.id
[ "$(grep -c . "$OUT/pools-100.txt")" = 100 ] || { echo "not all 100 pools were created" >&2; exit 1; }
echo "setup took $(( $(date +%s) - t0 )) s; pools: $(wc -l < "$OUT/pools-one.txt") + $(wc -l < "$OUT/pools-100.txt")" >&2

run_wrk() { # FILE POOLS NEW_PERCENT CONNS SECONDS TAG
  PACE_MS=${PACE_MS:-0} wrk -t"$WRK_THREADS" -c"$4" -d"$5"s --timeout 10s --latency -s bench/pool-assign.lua \
    "http://127.0.0.1:$HTTP" -- "$KEY" "$2" "$3" "$6" > "$1" 2>&1 || true
}

# The warm-up drives both pool sets, half the time each, at the pace and first connection count of the runs: an
# unpaced warm-up left Cassandra a backlog of flushes and compactions that the first measured run paid for, and the
# 100 small pools met their first visitors (and their assignment log) only in the first measured run (stop 18).
echo "warm-up ${WARMUP_SECONDS}s (not reported)" >&2
WARM_CONNS=${CONNECTIONS%% *}
run_wrk "$OUT/warmup.txt" "$OUT/pools-one.txt" 50 "$WARM_CONNS" $(( (WARMUP_SECONDS + 1) / 2 )) warm
run_wrk "$OUT/warmup-100.txt" "$OUT/pools-100.txt" 50 "$WARM_CONNS" $(( WARMUP_SECONDS / 2 )) warm

{
  echo "# Pool assignment load, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD)"
  echo
  echo "wrk -t$WRK_THREADS, ${BENCH_SECONDS} s per run, pace ${PACE_MS:-0} ms; node options: ${NODE_OPTS:-none}; $(nproc) cores"
  echo
  echo "| scenario | conns | assignments/s | p50 ms | p99 ms | p99.9 ms | max ms | 200 | 409 | other non-2xx | socket errors | counter Δ − 200s | load avg before → after |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} > "$OUT/summary.md"

for s in "${SCENARIOS[@]}"; do
  case "${s%/*}" in one) pools="$OUT/pools-one.txt" ;; 100) pools="$OUT/pools-100.txt" ;; *) echo "bad scenario $s" >&2; exit 2 ;; esac
  case "${s#*/}" in mix) newp=20 ;; new) newp=100 ;; rep) newp=0 ;; *) echo "bad scenario $s" >&2; exit 2 ;; esac
  for c in $CONNECTIONS; do
    f="$OUT/wrk-${s/\//-}-c$c.txt"
    before=$(assigned_total); la0=$(loadavg)
    run_wrk "$f" "$pools" "$newp" "$c" "$BENCH_SECONDS" "r$(date +%s%N)"
    la1=$(loadavg); sleep 2; after=$(assigned_total)
    read -r ok conf oth < <(sed -n 's/^statuses: ok=\([0-9]*\) conflict=\([0-9]*\) other=\([0-9]*\)/\1 \2 \3/p' "$f")
    read -r p50 p99 p999 pmax < <(sed -n 's/^latency_us: p50=\([0-9]*\) p99=\([0-9]*\) p999=\([0-9]*\) max=\([0-9]*\)/\1 \2 \3 \4/p' "$f")
    rps=$(sed -n 's/^rps: //p' "$f")
    sock=$(sed -n 's/^ *Socket errors: //p' "$f"); sock=${sock:-none}
    ms() { awk -v u="$1" 'BEGIN {printf "%.1f", u / 1000}'; }
    echo "| $s | $c | $rps | $(ms "$p50") | $(ms "$p99") | $(ms "$p999") | $(ms "$pmax") | $ok | $conf | $oth | $sock | $(( after - before - ok )) | $la0 → $la1 |" >> "$OUT/summary.md"
    tail -1 "$OUT/summary.md" >&2
  done
done

if [ "${RESTART:-1}" = "1" ]; then
  before=$(assigned_total)
  kill -TERM "$NODE"; for _ in $(seq 1 90); do kill -0 "$NODE" 2>/dev/null || break; sleep 1; done
  mv "$OUT/node.log" "$OUT/node-1.log"
  bench_start_node || true     # its advertiser exists already (409): the node is up all the same
  after=""                     # the first listing recovers all 101 pools: retry while it times out
  for _ in $(seq 1 60); do after=$(assigned_total 2>/dev/null) && break; sleep 2; done
  { echo; echo "Durability: assignments counted by the pools before the restart $before, after the restart $after" \
    "($( [ "$before" = "$after" ] && echo equal || echo DIFFERENT))."; } >> "$OUT/summary.md"
fi
echo >&2; cat "$OUT/summary.md"
