#!/usr/bin/env bash
# SIP load benchmark: sipp UAC -> Hankyo node -> sipp UAS at rising call rates (each call held HOLD_MS).
#
# For each rate it reports: calls attempted / successful / failed (sipp), post-dial delay percentiles
# (INVITE sent -> 180 received at the UAC, sipp response-time timer 1) and INVITE -> 200 percentiles (timer 2),
# calls found in the call log (GET /v1/calls) versus calls completed, and the CPU and RSS of the node JVM and of
# its embedded Cassandra JVM, and Cassandra reads/writes per call (bench/CassandraOps.java reads Cassandra's
# system_views before and after each rate; the per-table split is in ops-<rate>.txt).
# Results: bench/results/<timestamp>/summary.md (+ raw sipp files, node log).
#
# Usage: bench/sip-load.sh [RATE ...]          (default rates: 50 100 200 300; calls/s)
# Environment: BENCH_SECONDS (default 30) per rate, HOLD_MS (default 1500), WARMUP_SECONDS (default 300) at
#              WARMUP_RATE (default 200 calls/s), not reported: on 2 cores the JIT compilers of the node and of
#              Cassandra took 15-25 % of a core each for the first ~5 minutes under load (docs/performance.md), so a
#              shorter warm-up measures the compilers, not the steady state (the JIT column shows what was left);
#              HANKYO_SKIP_BUILD=1,
#              NODE_HEAP (default 1g), NODE_GC (default "-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Xmn192m -XX:SurvivorRatio=4 -XX:MaxTenuringThreshold=2", as deploy/run.sh),
#              NODE_OPTS (extra JVM options of the node, e.g. -Dkey=value).
# Everything listens on 127.0.0.1 only; the script stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."

RATES=("$@"); [ ${#RATES[@]} -gt 0 ] || RATES=(50 100 200 300)
SECS=${BENCH_SECONDS:-30}
HOLD_MS=${HOLD_MS:-1500}
KEY=bench-api-key-0123456789abcdef
HTTP=18080; SIP=15960; UAS=15980; UAC=15970; CQL=19142; STORAGE=17142; ARTERY=25600; MGMT=18558
OUT=bench/results/$(date +%Y%m%d-%H%M%S); mkdir -p "$OUT"
command -v sipp >/dev/null || { echo "sipp missing: apt-get install -y sip-tester" >&2; exit 1; }

if [ "${HANKYO_SKIP_BUILD:-0}" != "1" ]; then mvn -B -q -DskipTests package; fi

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do for _ in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 1; done; done
}
trap cleanup EXIT

HANKYO_BOOTSTRAP_API_KEY=$KEY java -Xms${NODE_HEAP:-1g} -Xmx${NODE_HEAP:-1g} ${NODE_GC:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Xmn192m -XX:SurvivorRatio=4 -XX:MaxTenuringThreshold=2} -Djava.util.concurrent.ForkJoinPool.common.parallelism=4 \
  -Dhankyo.http.port=$HTTP -Dhankyo.sip.udp-port=$SIP -Dhankyo.sip.tcp-port=$SIP \
  -Dhankyo.sip.outbound-route="sip:{number}@127.0.0.1:$UAS" \
  -Dhankyo.cassandra.embedded.data-dir="$OUT/cassandra" \
  -Dhankyo.cassandra.embedded.native-port=$CQL -Dhankyo.cassandra.embedded.storage-port=$STORAGE \
  -Dpekko.remote.artery.canonical.port=$ARTERY -Dpekko.management.http.port=$MGMT \
  -DHANKYO_LOG_LEVEL=WARN ${NODE_OPTS:-} \
  -cp "cluster-node/target/classes:cluster-node/target/lib/*" io.hankyo.node.HankyoNode > "$OUT/node.log" 2>&1 &
NODE=$!; pids+=("$NODE")
for _ in $(seq 1 180); do
  curl -sf -o /dev/null -H "Authorization: Bearer $KEY" "http://127.0.0.1:$HTTP/v1/advertisers" && break
  kill -0 $NODE 2>/dev/null || { echo "node died, see $OUT/node.log" >&2; exit 1; }
  sleep 1
done
CASS=$(pgrep -P "$NODE" java | head -1 || true)
api() { curl -sf -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' "$@"; }
api -d '{"client_id":"bench","client_name":"bench"}' "http://127.0.0.1:$HTTP/v1/advertisers" >/dev/null
api -d '{"number":"0120-000-001","forward_to":"03-9999-0001"}' \
  "http://127.0.0.1:$HTTP/v1/advertisers/bench/numbers" >/dev/null

sipp -sf deploy/sipp/uas.xml -i 127.0.0.1 -p $UAS -d 0 -buff_size 1048576 -nostdin \
  -trace_err -error_file "$OUT/uas-errors.log" > "$OUT/uas.out" 2>&1 </dev/null &
pids+=("$!")
sleep 1

# Warm-up (not reported): JIT-compiles the call path and fills Cassandra's caches, so that the first reported rate
# is not measured on a cold JVM.
WARMUP=${WARMUP_SECONDS:-300}
WARMUP_RATE=${WARMUP_RATE:-200}
if [ "$WARMUP" -gt 0 ]; then
  sipp -sf bench/uac-load.xml -i 127.0.0.1 -p $UAC -s 0120000001 -key caller 0311112222 \
    -d "$HOLD_MS" -r "$WARMUP_RATE" -m $((WARMUP_RATE * WARMUP)) -l 200 -buff_size 1048576 -nostdin \
    -timeout $((WARMUP + 60))s 127.0.0.1:$SIP > "$OUT/warmup.out" 2>&1 </dev/null || true
  sleep 3
fi

ticks=$(getconf CLK_TCK)
cpu_of() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# CPU ticks of a JVM's JIT compiler threads (C1/C2 CompilerThread*).
jit_of() {
  local t s=0
  for t in /proc/$1/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in C1\ Comp*|C2\ Comp*) s=$((s + $(awk '{print $14+$15}' "$t/stat" 2>/dev/null || echo 0)));; esac
  done
  echo $s
}
rss_of() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$1/status" 2>/dev/null || echo 0; }

echo "| rate (calls/s) | attempted | successful | failed | failed % | PDD p50/p95/p99 ms | INVITE→200 p99 ms | in call log / completed | node CPU % | node RSS MB | Cassandra CPU % | Cassandra RSS MB | Cassandra reads/writes per call | JIT % node/Cassandra |" > "$OUT/summary.md"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|" >> "$OUT/summary.md"
ops() { java -cp "cluster-node/target/lib/*" bench/CassandraOps.java $CQL > "$1" 2>/dev/null || true; }

for rate in "${RATES[@]}"; do
  total=$((rate * SECS))
  from=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  ops "$OUT/ops-before-$rate.txt"
  n0=$(cpu_of $NODE); c0=$(cpu_of "${CASS:-0}"); j0="$(jit_of $NODE) $(jit_of "${CASS:-0}")"; t0=$(date +%s.%N)
  peak_node=0; peak_cass=0
  ( while :; do echo "$(rss_of $NODE) $(rss_of "${CASS:-0}")"; sleep 1; done ) > "$OUT/rss-$rate.txt" &
  sampler=$!
  sipp -sf bench/uac-load.xml -i 127.0.0.1 -p $UAC -s 0120000001 -key caller 0311112222 \
    -d "$HOLD_MS" -r "$rate" -m "$total" -l $((rate * 4)) -buff_size 1048576 -nostdin \
    -timeout $((SECS + 60))s -timeout_error \
    -trace_stat -stf "$OUT/stat-$rate.csv" -fd 1 -trace_rtt -rtt_freq 1 \
    -trace_err -error_file "$OUT/uac-errors-$rate.log" \
    127.0.0.1:$SIP > "$OUT/uac-$rate.out" 2>&1 </dev/null || true
  t1=$(date +%s.%N); n1=$(cpu_of $NODE); c1=$(cpu_of "${CASS:-0}"); j1="$(jit_of $NODE) $(jit_of "${CASS:-0}")"
  kill $sampler 2>/dev/null || true
  mv bench/uac-load_*_rtt.csv "$OUT/rtt-$rate.csv" 2>/dev/null || mv uac-load_*_rtt.csv "$OUT/rtt-$rate.csv" 2>/dev/null || true
  sleep 5
  to=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  logged=$(api "http://127.0.0.1:$HTTP/v1/calls?from=$from&to=$to&format=json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])' || echo "?")
  ops "$OUT/ops-after-$rate.txt"
  python3 - "$OUT" "$rate" "$logged" "$n0" "$n1" "$c0" "$c1" "$t0" "$t1" "$ticks" $j0 $j1 >> "$OUT/summary.md" <<'PY'
import csv, sys, statistics
out, rate, logged, n0, n1, c0, c1, t0, t1, ticks, jn0, jc0, jn1, jc1 = sys.argv[1:]
rows = list(csv.reader(open(f"{out}/stat-{rate}.csv"), delimiter=';'))
head, last = rows[0], rows[-1]
col = lambda name: int(last[head.index(name)])
ok, failed = col("SuccessfulCall(C)"), col("FailedCall(C)")
attempted = col("TotalCallCreated")
pdd, ans = [], []
try:
    for r in csv.reader(open(f"{out}/rtt-{rate}.csv"), delimiter=';'):
        if len(r) >= 3 and r[1].replace('.', '', 1).isdigit():
            (pdd if r[2].strip() == "1" else ans).append(float(r[1]))
except FileNotFoundError:
    pass
def pct(v, p):
    if not v: return float('nan')
    v = sorted(v); return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]
el = float(t1) - float(t0); tk = float(ticks)
ncpu = 100 * (float(n1) - float(n0)) / tk / el
ccpu = 100 * (float(c1) - float(c0)) / tk / el
jn = 100 * (float(jn1) - float(jn0)) / tk / el
jc = 100 * (float(jc1) - float(jc0)) / tk / el
rss = [l.split() for l in open(f"{out}/rss-{rate}.txt") if l.strip()]
nr = max([int(x[0]) for x in rss] or [0]); cr = max([int(x[1]) for x in rss] or [0])
fp = 100 * failed / attempted if attempted else 0
def counts(path):
    d = {}
    try:
        for l in open(path):
            k, t, n = l.split()
            d[(k, t)] = int(n)
    except (FileNotFoundError, ValueError):
        pass
    return d
before, after = counts(f"{out}/ops-before-{rate}.txt"), counts(f"{out}/ops-after-{rate}.txt")
delta = {k: v - before.get(k, 0) for k, v in after.items()}
reads = sum(v for (k, t), v in delta.items() if k in ("read", "scan"))
writes = sum(v for (k, t), v in delta.items() if k == "write")
per = f"{reads / attempted:.1f}/{writes / attempted:.1f}" if attempted and after else "?"
with open(f"{out}/ops-{rate}.txt", "w") as f:
    for (k, t), v in sorted(delta.items()):
        f.write(f"{k} {t} {v} {v / attempted if attempted else 0:.2f}/call\n")
print(f"| {rate} | {attempted} | {ok} | {failed} | {fp:.2f} | {pct(pdd,50):.0f}/{pct(pdd,95):.0f}/{pct(pdd,99):.0f} | {pct(ans,99):.0f} | {logged} / {ok} | {ncpu:.0f} | {nr} | {ccpu:.0f} | {cr} | {per} | {jn:.0f}/{jc:.0f} |")
PY
  tail -1 "$OUT/summary.md"
done
echo; cat "$OUT/summary.md"
