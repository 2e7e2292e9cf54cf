#!/usr/bin/env bash
# Memory per live call (issue 3): CALLS concurrent long-held calls, in two modes, on one node:
#
#   plain  forward only (0120-000-003 → sipp UAS): the gateway's B2BUA call + the Call entity, no media;
#   ivr    menu → digit 1 → forward (0120-000-004, bench/uac-ivr.xml without audio): the same plus two anchored media
#          sessions per call (the caller's leg and the callee's leg, bridged).
#
# Each mode: the live heap at 0 calls (baseline), then CALLS calls ramped at RATE calls/s and held; once the node
# holds them all (hankyo.sip.live.calls, and for ivr hankyo.media.open.sessions = 2 × CALLS), the live heap again.
# The live heap is the total of `jcmd <pid> GC.class_histogram` (which runs a full GC first; taken twice, the second
# counts), so (plateau - baseline) / live calls = bytes per live call (everything a held call keeps: Call entity,
# B2BUA call, JAIN-SIP dialogs and transactions), and (ivr - plain) per call / media sessions per call = bytes per
# anchored media session (heap only; each also holds a UDP socket: one file descriptor and kernel buffers).
# Also: the classes that grew most, RSS, open file descriptors, and what sipp says about the calls (all must succeed).
# Results: bench/results/held-<timestamp>/summary.md (+ histograms, heap_info, sipp files, node log).
#
# Usage: bench/held-calls.sh [plain] [ivr]       (default: both modes)
# Environment: CALLS (default 2000), RATE (default 100 calls/s ramp), HOLD_MARGIN_SECONDS (default 120: each call is
#              held CALLS/RATE + this, long enough to measure at the plateau; the calls then hang up by themselves),
#              WARMUP_CALLS (default 200 short calls of each mode, not measured), HANKYO_SKIP_BUILD=1, NODE_HEAP (1g),
#              NODE_GC, NODE_OPTS (bench/lib.sh), RTP_MIN/RTP_MAX (default 40000-49999 = 5,000 sessions).
# Limits that matter for 2,000 held calls (checked below): RTP range ≥ 2 × CALLS sessions (each session takes an
# even port and reserves the odd RTCP port above: 4 ports per ivr call); the node's open-file limit (`ulimit -n`;
# one socket per media session + Cassandra driver + SIP); hankyo.sip.max-call-duration (4 h) far above the hold.
# Held ivr callers send no RTP after their digit, so the media plane's RTP inactivity timeout
# (hankyo.sip.media.rtp-timeout, 60 s) is switched off for this run: otherwise it would end them as vanished phones.
set -euo pipefail
cd "$(dirname "$0")/.."

MODES=("$@"); [ ${#MODES[@]} -gt 0 ] || MODES=(plain ivr)
CALLS=${CALLS:-2000}
RATE=${RATE:-100}
HOLD_S=$(( CALLS / RATE + ${HOLD_MARGIN_SECONDS:-120} ))
KEY=bench-api-key-0123456789abcdef
HTTP=18280; SIP=16160; UAS=16180; UAC=16170; PROBE=16190; CQL=19342; STORAGE=17342; ARTERY=25800; MGMT=18758
RTP_MIN=${RTP_MIN:-40000}; RTP_MAX=${RTP_MAX:-49999}
OUT=bench/results/held-$(date +%Y%m%d-%H%M%S); mkdir -p "$OUT"
command -v sipp >/dev/null || { echo "sipp missing: apt-get install -y sip-tester" >&2; exit 1; }
command -v jcmd >/dev/null || { echo "jcmd missing (a JDK is needed)" >&2; exit 1; }
. bench/lib.sh

sessions_max=$(( (RTP_MAX - RTP_MIN + 1) / 2 ))
if [ $(( 2 * CALLS )) -gt "$sessions_max" ]; then
  echo "RTP range $RTP_MIN-$RTP_MAX holds $sessions_max media sessions, ivr mode needs $((2 * CALLS)): widen RTP_MIN/RTP_MAX" >&2
  exit 1
fi
nofile=$(ulimit -n)
if [ "$nofile" != unlimited ] && [ "$nofile" -lt $(( 2 * CALLS + 2000 )) ]; then
  echo "ulimit -n is $nofile; $((2 * CALLS)) media sockets + ≈ 1,000 others need more: ulimit -n 65536" >&2
  exit 1
fi

# top_growth BEFORE AFTER CALLS N: the N classes whose live bytes grew most between two class histograms, per call
top_growth() {
  python3 - "$1" "$2" "$3" "$4" <<'PY'
import re, sys
def read(p):
    d = {}
    for l in open(p):
        m = re.match(r'\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)', l)
        if m: d[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return d
a, b, n = read(sys.argv[1]), read(sys.argv[2]), max(1, int(sys.argv[3]))
delta = sorted(((b[k][1] - a.get(k, (0, 0))[1], b[k][0] - a.get(k, (0, 0))[0], k) for k in b), reverse=True)
print("| class | bytes per call | instances per call |")
print("|---|---|---|")
for db, di, k in delta[:int(sys.argv[4])]:
    print(f"| `{k}` | {db / n:.0f} | {di / n:.1f} |")
PY
}

bench_build
bench_start_node -Dhankyo.sip.media.rtp-timeout=0
bench_number plain 0120-000-003
bench_number ivr 0120-000-004 ivr
bench_uac_ivr "$OUT/uac-ivr-held.xml"

sipp -sf bench/uas-probe.xml -i 127.0.0.1 -p $UAS -d 0 -buff_size 1048576 -nostdin \
  -key probe_ip 127.0.0.1 -key probe_port $PROBE -max_socket 65000 \
  -trace_err -error_file "$OUT/uas-errors.log" > "$OUT/uas.out" 2>&1 </dev/null &
bench_track "$!"
sleep 1

scenario_of() { [ "$1" = ivr ] && echo "$OUT/uac-ivr-held.xml" || echo bench/uac-load.xml; }
number_of() { [ "$1" = ivr ] && echo 0120000004 || echo 0120000003; }

# Live heap: class histogram (full GC first), twice; the second is kept. Prints total bytes.
live_heap() { # tag
  jcmd $NODE GC.class_histogram > /dev/null
  jcmd $NODE GC.class_histogram > "$OUT/histo-$1.txt"
  jcmd $NODE GC.heap_info > "$OUT/heap-$1.txt"
  awk '$1 == "Total" {print $3}' "$OUT/histo-$1.txt"
}

# Warm-up: short calls of each mode (classes loaded, code compiled, pools grown), not measured.
W=${WARMUP_CALLS:-200}
for mode in "${MODES[@]}"; do
  if [ "$W" -gt 0 ]; then
    sipp -sf "$(scenario_of $mode)" -i 127.0.0.1 -p $UAC -s "$(number_of $mode)" -key caller 0311112222 \
      -d 1000 -r 20 -m "$W" -l 200 -buff_size 1048576 -nostdin -timeout $(( W / 20 + 60 ))s \
      127.0.0.1:$SIP > "$OUT/warmup-$mode.out" 2>&1 </dev/null || true
  fi
done
sleep 5

declare -A PER_CALL PER_SESS_OF
{
  echo "| mode | calls held (live calls gauge) | media sessions open | RTP ports in use | live heap at 0 calls MB | live heap held MB | bytes per live call | node RSS 0 → held MB | node open fds 0 → held | sipp successful / failed (all $CALLS) |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
} > "$OUT/table.md"

for mode in "${MODES[@]}"; do
  # baseline: nothing in flight
  for _ in $(seq 1 60); do [ "$(metric hankyo_sip_live_calls)" -eq 0 ] && break; sleep 1; done
  h0=$(live_heap "$mode-0"); r0=$(rss_of $NODE); f0=$(ls /proc/$NODE/fd | wc -l)
  sipp -sf "$(scenario_of $mode)" -i 127.0.0.1 -p $UAC -s "$(number_of $mode)" -key caller 0311112222 \
    -d $(( HOLD_S * 1000 )) -r "$RATE" -m "$CALLS" -l "$CALLS" -buff_size 1048576 -max_socket 65000 -nostdin \
    -timeout $(( HOLD_S + CALLS / RATE + 120 ))s -trace_stat -stf "$OUT/stat-$mode.csv" -fd 5 \
    -trace_err -error_file "$OUT/uac-errors-$mode.log" \
    127.0.0.1:$SIP > "$OUT/uac-$mode.out" 2>&1 </dev/null &
  uac=$!; bench_track "$uac"
  want_sessions=$([ "$mode" = ivr ] && echo $(( 2 * CALLS )) || echo 0)
  deadline=$(( $(date +%s) + CALLS / RATE + HOLD_S / 2 ))
  while :; do
    live=$(metric hankyo_sip_live_calls); sess=$(metric hankyo_media_open_sessions)
    echo "$(date +%s) live=$live sessions=$sess" >> "$OUT/ramp-$mode.txt"
    [ "$live" -ge "$CALLS" ] && [ "$sess" -ge "$want_sessions" ] && break
    [ "$(date +%s)" -ge "$deadline" ] && { echo "$mode: plateau not reached (live=$live sessions=$sess), measuring anyway" >&2; break; }
    kill -0 $uac 2>/dev/null || { echo "$mode: sipp ended before the plateau" >&2; break; }
    sleep 2
  done
  sleep 5
  live=$(metric hankyo_sip_live_calls); sess=$(metric hankyo_media_open_sessions); ports=$(metric hankyo_media_rtp_ports_in_use)
  r1=$(rss_of $NODE); f1=$(ls /proc/$NODE/fd | wc -l)
  h1=$(live_heap "$mode-held")
  live2=$(metric hankyo_sip_live_calls)
  echo "$mode: held $live calls ($live2 after the histograms), $sess media sessions; waiting for the calls to end (≈ $HOLD_S s after each started)"
  wait $uac || true
  stat=$(python3 - "$OUT/stat-$mode.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=';'))
h, l = rows[0], rows[-1]
print(f"{l[h.index('SuccessfulCall(C)')]} / {l[h.index('FailedCall(C)')]}")
PY
  ) || stat="?"
  per=$(( (h1 - h0) / (live > 0 ? live : 1) ))
  PER_CALL[$mode]=$per
  PER_SESS_OF[$mode]=$(( live > 0 ? sess / live : 0 ))
  echo "| $mode | $live | $sess | $ports | $(( h0 / 1048576 )) | $(( h1 / 1048576 )) | $per | $r0 → $r1 | $f0 → $f1 | $stat |" >> "$OUT/table.md"
  # classes that grew most
  top_growth "$OUT/histo-$mode-0.txt" "$OUT/histo-$mode-held.txt" "$live" 20 > "$OUT/top-classes-$mode.md"
done
if [ -f "$OUT/histo-plain-held.txt" ] && [ -f "$OUT/histo-ivr-held.txt" ]; then
  top_growth "$OUT/histo-plain-held.txt" "$OUT/histo-ivr-held.txt" "$live" 15 > "$OUT/top-classes-media.md"
fi

{
  echo "# Held calls: $CALLS concurrent, ramped at $RATE calls/s, held $HOLD_S s"
  echo
  cat "$OUT/table.md"
  echo
  if [ -n "${PER_CALL[plain]:-}" ] && [ -n "${PER_CALL[ivr]:-}" ]; then
    s=${PER_SESS_OF[ivr]:-2}; [ "$s" -gt 0 ] || s=2
    echo "Bytes per live call entity (plain forward, no media): ${PER_CALL[plain]}."
    echo "Bytes per anchored media session: (${PER_CALL[ivr]} - ${PER_CALL[plain]}) / $s sessions per call = $(( (PER_CALL[ivr] - PER_CALL[plain]) / s ))" \
         "(heap only; the ivr call also keeps the flow's state, so this is an upper bound for the session itself)."
    echo
  fi
  if [ -f "$OUT/top-classes-media.md" ]; then
    echo "Classes the media adds (live heap: ivr held - plain held, per call; both modes' baselines within a few MB):"
    echo
    cat "$OUT/top-classes-media.md"
    echo
  fi
  for mode in "${MODES[@]}"; do
    echo "Classes that grew most, $mode (live heap held - at 0 calls, per live call):"
    echo
    cat "$OUT/top-classes-$mode.md"
    echo
  done
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo ?), node heap ${NODE_HEAP:-1g}, RTP $RTP_MIN-$RTP_MAX, ulimit -n $nofile, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Live heap = total of jcmd GC.class_histogram (full GC first). Sessions per ivr call counted from hankyo.media.open.sessions."
} > "$OUT/summary.md"
echo; cat "$OUT/summary.md"
