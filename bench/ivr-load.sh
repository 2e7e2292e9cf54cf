#!/usr/bin/env bash
# Mixed-flow load benchmark (issue 3): every call goes through an IVR menu and is then forwarded, with RTP flowing
# both ways through the gateway's bridge for the talk time.
#
#   sipp UAC (bench/uac-ivr.xml) → node: menu answers with its own SDP and plays the prompt "bench-menu" (espeak-ng)
#   → the UAC sends RFC 4733 digit 1 (dtmf_2833_1.pcap) → flow step "fwd" forwards to the sipp UAS
#   (bench/uas-probe.xml, answers at once; its SDP points at bench/RtpProbe.java) → the gateway bridges caller and
#   callee legs → the UAC plays PCMA audio (g711a.pcap looped to HOLD_MS) for HOLD_MS, the gateway relays it to the
#   probe, the probe echoes it, the gateway relays the echo back to the UAC → the UAC hangs up.
#
# For each rate it reports: calls attempted / successful / failed (sipp), the menu's post-dial delay (INVITE → the
# gateway's 200, sipp timer 1), calls in the call log whose flow_path is "menu>fwd" against calls completed, the
# peak of the gateway's open media sessions (hankyo.media.open.sessions, 2 per bridged call) and of the RTP streams
# the probe received at once, the gateway's own send lateness of paced packets (prompts, DTMF: the window's delta of
# the hankyo.media.send.lateness.packets bucket counters; relayed packets leave on arrival and are not in it), and
# what the receiver sees: RFC 3550 interarrival jitter per stream (p50/p99/max over streams), |D| (transit-time
# difference of consecutive packets) p99 over all packets, inter-arrival p99, loss (sequence gaps); node CPU/RSS.
# The probe's numbers include sipp's own send timing of the pcap (one thread per playing call) and the echo.
# Results: bench/results/ivr-<timestamp>/summary.md (+ raw sipp files, metrics before/after, probe files, node log).
#
# Usage: bench/ivr-load.sh [RATE ...]          (default rates: 10 20 40; calls/s)
# Environment: BENCH_SECONDS (default 60) per rate, HOLD_MS (default 10000: talk time with audio after the bridge;
#              a call lasts ≈ HOLD_MS + 1.5 s + PDD, so concurrent bridged calls ≈ rate × that),
#              WARMUP_SECONDS (default 300) at WARMUP_RATE (default: the first rate), not reported,
#              DTMF_DELAY_MS (default 500, ACK → digit), BRIDGE_DELAY_MS (default 1000, digit → audio starts),
#              HANKYO_SKIP_BUILD=1, NODE_HEAP, NODE_GC, NODE_OPTS (see bench/lib.sh),
#              RTP_MIN/RTP_MAX (default 30000-39999 = 5,000 sessions = 2,500 bridged calls).
# (A floor run of sipp straight to the probe does not work: sipp sends every call's pcap from one port with the
# pcap's SSRC, so the probe cannot tell the calls apart; through the gateway each callee leg has its own SSRC and port.)
# Everything listens on 127.0.0.1 only (own ports, so that bench/sip-load.sh and bench/held-calls.sh can run at the
# same time); the script stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."

RATES=("$@"); [ ${#RATES[@]} -gt 0 ] || RATES=(10 20 40)
SECS=${BENCH_SECONDS:-60}
HOLD_MS=${HOLD_MS:-10000}
KEY=bench-api-key-0123456789abcdef
HTTP=18180; SIP=16060; UAS=16080; UAC=16070; PROBE=16090; CQL=19242; STORAGE=17242; ARTERY=25700; MGMT=18658
RTP_MIN=${RTP_MIN:-30000}; RTP_MAX=${RTP_MAX:-39999}
OUT=bench/results/ivr-$(date +%Y%m%d-%H%M%S); mkdir -p "$OUT"
command -v sipp >/dev/null || { echo "sipp missing: apt-get install -y sip-tester" >&2; exit 1; }
. bench/lib.sh

bench_build
bench_start_node
bench_number ivr 0120-000-002 ivr

# audio covering the talk time (+ 2 s), and the caller scenario
bench_loop_pcap "$OUT/audio.pcap" $(( HOLD_MS / 1000 + 2 ))
bench_uac_ivr "$OUT/uac-ivr.xml" "$PWD/$OUT/audio.pcap"

sipp -sf bench/uas-probe.xml -i 127.0.0.1 -p $UAS -d 0 -buff_size 1048576 -nostdin \
  -key probe_ip 127.0.0.1 -key probe_port $PROBE \
  -trace_err -error_file "$OUT/uas-errors.log" > "$OUT/uas.out" 2>&1 </dev/null &
bench_track "$!"
sleep 1

call_secs=$(( HOLD_MS / 1000 + 3 ))
uac() { # rate total tag [extra sipp options]
  local rate=$1 total=$2 tag=$3; shift 3
  sipp -sf "$OUT/uac-ivr.xml" -i 127.0.0.1 -p $UAC -s 0120000002 -key caller 0311112222 \
    -d "$HOLD_MS" -r "$rate" -m "$total" -l $(( rate * call_secs * 2 + 10 )) -buff_size 1048576 -nostdin \
    -timeout $(( total / rate + call_secs + 60 ))s "$@" "${UAC_TARGET:-127.0.0.1:$SIP}" > "$OUT/uac-$tag.out" 2>&1 </dev/null || true
}

# One summary row: row FILE-TAG LABEL cpu0 cpu1 t0 t1 (a tag ending in -direct: sipp → probe without the node).
row() {
  python3 - "$OUT" "$1" "$2" "$3" "$4" "$5" "$6" "$ticks" <<'PY'
import csv, json, re, sys
out, rate, label, n0, n1, t0, t1, ticks = sys.argv[1:]
direct = rate.endswith("-direct")
rows = list(csv.reader(open(f"{out}/stat-{rate}.csv"), delimiter=';'))
head, last = rows[0], rows[-1]
col = lambda name: int(last[head.index(name)])
ok, failed, attempted = col("SuccessfulCall(C)"), col("FailedCall(C)"), col("TotalCallCreated")
pdd = []
try:
    for r in csv.reader(open(f"{out}/rtt-{rate}.csv"), delimiter=';'):
        if len(r) >= 3 and r[1].replace('.', '', 1).isdigit() and r[2].strip() == "1":
            pdd.append(float(r[1]))
except FileNotFoundError:
    pass
def pct(v, p):
    if not v: return float('nan')
    v = sorted(v); return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]
# call log: rows of the window whose flow path is menu>fwd
try:
    if direct: raise ValueError
    calls = json.load(open(f"{out}/calls-{rate}.json"))["calls"]
    logged = sum(1 for c in calls if c.get("logvars.flow_path") == "menu>fwd")
    logged = f"{logged} (of {len(calls)} rows)"
except Exception as e:
    logged = "–" if direct else "?"
# gauges sampled every second: time rss sessions ports live
try:
    smp = [l.split() for l in open(f"{out}/samples-{rate}.txt") if len(l.split()) == 5]
except FileNotFoundError:
    smp = []
peak_sessions = max([int(x[2]) for x in smp] or [0]); rss = max([int(x[1]) for x in smp] or [0])
# send lateness (paced) and relay delay (bridged): deltas of the bucket counters over the window
def buckets(path, name):
    b = {}
    for l in open(path):
        m = re.match(name + r'\{le_us="([^"]+)",?\}\s+(\S+)', l)
        if m: b[m.group(1)] = float(m.group(2))
    return b
def window(name):
    if direct: return "–"
    b0, b1 = buckets(f"{out}/metrics-before-{rate}.txt", name), buckets(f"{out}/metrics-after-{rate}.txt", name)
    order = sorted(b1, key=lambda k: float('inf') if k == "+Inf" else float(k))
    delta = [(k, b1[k] - b0.get(k, 0)) for k in order]
    n = sum(v for _, v in delta)
    def bpct(p):
        if n == 0: return "–"
        rank, seen = n * p / 100, 0
        for k, v in delta:
            seen += v
            if seen >= rank: return ">100" if k == "+Inf" else f"≤{float(k) / 1000:g}"
    top = next((k for k, v in reversed(delta) if v > 0), None)
    return f"{bpct(50)}/{bpct(99)}/{'>100' if top == '+Inf' else ('≤' + format(float(top) / 1000, 'g')) if top else '–'} ({int(n)} pkts)"
lat = window('hankyo_media_send_lateness_packets_total')
relay = window('hankyo_media_relay_delay_packets_total')
probe = {}
try:
    for l in open(f"{out}/probe-{rate}/probe-summary.txt"):
        k, _, v = l.strip().partition('=')
        probe[k] = v
except FileNotFoundError:
    pass
ms = lambda k: f"{int(probe.get(k, 0)) / 1000:.2f}" if k in probe else "?"
el = float(t1) - float(t0)
cpu = "–" if direct else f"{100 * (float(n1) - float(n0)) / float(ticks) / el:.0f}"
fp = 100 * failed / attempted if attempted else 0
pddtxt = f"{pct(pdd,50):.0f}/{pct(pdd,95):.0f}/{pct(pdd,99):.0f}" if pdd else "–"
print(f"| {label} | {attempted} | {ok} | {failed} | {fp:.2f} | {pddtxt} | {logged} / {ok} | {'–' if direct else peak_sessions} | {probe.get('peak_concurrent_streams','?')} | {lat} | {relay} | {ms('rfc3550_jitter_us_p50')}/{ms('rfc3550_jitter_us_p99')}/{ms('rfc3550_jitter_us_max')} ({probe.get('audio_streams','?')} streams) | {ms('transit_diff_us_p99')} / {ms('interarrival_us_p99')} | {float(probe.get('loss_pct', 'nan')):.3f} ({probe.get('lost','?')} of {probe.get('expected','?')}) | {cpu} | {'–' if direct else rss} |")
PY
}

# Warm-up (not reported): JIT of the call, flow and media paths; a fresh probe takes the RTP meanwhile.
WARMUP=${WARMUP_SECONDS:-300}
WARMUP_RATE=${WARMUP_RATE:-${RATES[0]}}
if [ "$WARMUP" -gt 0 ]; then
  bench_start_probe $PROBE "$OUT/probe-warmup" --echo
  uac "$WARMUP_RATE" $(( WARMUP_RATE * WARMUP )) warmup
  bench_stop_probe
  sleep 3
fi

echo "| rate (calls/s) | attempted | successful | failed | failed % | menu PDD (INVITE→200) p50/p95/p99 ms | in call log menu>fwd / completed | peak open media sessions | peak RTP streams at the UAS | gateway send lateness p50/p99/max ms (paced packets) | gateway relay delay p50/p99/max ms (bridged packets) | UAS: RFC 3550 jitter p50/p99/max ms (per stream) | UAS: \|D\| p99 ms / inter-arrival p99 ms | UAS: loss % (packets) | node CPU % | node RSS MB |" > "$OUT/summary.md"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|" >> "$OUT/summary.md"

for rate in "${RATES[@]}"; do
  total=$((rate * SECS))
  from=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  bench_start_probe $PROBE "$OUT/probe-$rate" --echo
  metrics > "$OUT/metrics-before-$rate.txt"
  n0=$(cpu_of $NODE); t0=$(date +%s.%N)
  ( while :; do
      m=$(metrics || true)
      echo "$(date +%s) $(rss_of $NODE) $(awk '$1=="hankyo_media_open_sessions"{printf "%d", $2}' <<<"$m") $(awk '$1=="hankyo_media_rtp_ports_in_use"{printf "%d", $2}' <<<"$m") $(awk '$1=="hankyo_sip_live_calls"{printf "%d", $2}' <<<"$m")"
      sleep 1
    done ) > "$OUT/samples-$rate.txt" &
  sampler=$!
  uac "$rate" "$total" "$rate" -trace_stat -stf "$OUT/stat-$rate.csv" -fd 1 -trace_rtt -rtt_freq 1 \
    -trace_err -error_file "$OUT/uac-errors-$rate.log"
  t1=$(date +%s.%N); n1=$(cpu_of $NODE)
  kill $sampler 2>/dev/null || true
  metrics > "$OUT/metrics-after-$rate.txt"
  bench_stop_probe
  mv "$OUT"/uac-ivr_*_rtt.csv "$OUT/rtt-$rate.csv" 2>/dev/null || mv uac-ivr_*_rtt.csv "$OUT/rtt-$rate.csv" 2>/dev/null || true
  sleep 5
  to=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  api "http://127.0.0.1:$HTTP/v1/calls?from=$from&to=$to&format=json" > "$OUT/calls-$rate.json" || true
  row "$rate" "$rate" "$n0" "$n1" "$t0" "$t1" >> "$OUT/summary.md"
  tail -1 "$OUT/summary.md"
done
# every call has ended by now: the gateway must hold nothing (issue 3: open ports and dialogs return to zero)
sleep 5
m=$(metrics || true)
left="$(awk '$1=="hankyo_sip_live_calls"{printf "%d", $2}' <<<"$m") live calls, $(awk '$1=="hankyo_media_open_sessions"{printf "%d", $2}' <<<"$m") media sessions, $(awk '$1=="hankyo_media_rtp_ports_in_use"{printf "%d", $2}' <<<"$m") RTP ports in use"
cat >> "$OUT/summary.md" <<EOF

After the last rate: $left (all three must be 0).
$(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo ?), ${SECS} s per rate, HOLD_MS=$HOLD_MS, warm-up ${WARMUP} s at ${WARMUP_RATE} calls/s, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg).
Gateway send lateness: paced packets only (prompt and DTMF playback to callers); relay delay: bridged packets, from the receive thread's wakeup to the relayed copy's send (time in the socket buffer before that wakeup not included); bucket upper bounds in ms.
UAS columns: bench/RtpProbe.java at the callee's SDP address (gateway → callee direction, the caller's audio relayed; it echoes every packet back). Per-stream detail: probe-<rate>/probe-streams.csv.
EOF
echo; cat "$OUT/summary.md"
