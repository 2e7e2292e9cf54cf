# Shared by bench/ivr-load.sh and bench/held-calls.sh (sourced, not run): start and stop a Hankyo node with
# embedded Cassandra on the caller's own ports, talk to its API and /metrics, sample a process's CPU and RSS.
#
# The sourcing script sets, before bench_start_node:
#   OUT (results dir), KEY (bootstrap API key), HTTP SIP UAS CQL STORAGE ARTERY MGMT (ports), RTP_MIN RTP_MAX
# and gets NODE (node PID), CASS (Cassandra PID), api(), metrics(), metric(), cpu_of(), rss_of(), bench_track PID
# (stopped by the EXIT trap, in reverse order of tracking).
# Node options as in bench/sip-load.sh: NODE_HEAP (default 1g), NODE_GC, NODE_OPTS (extra JVM options).

pids=()
bench_track() { pids+=("$1"); }
bench_cleanup() {
  local i p
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  for p in "${pids[@]}"; do for _ in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 1; done; done
}
trap bench_cleanup EXIT

bench_build() {
  if [ "${HANKYO_SKIP_BUILD:-0}" != "1" ]; then mvn -B -q -DskipTests package; fi
}

api() { curl -sf -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' "$@"; }
# The node's Prometheus text (GET /metrics on the management port).
metrics() { curl -sf "http://127.0.0.1:$MGMT/metrics"; }
# One sample's value by its exact name (without labels), e.g. metric hankyo_media_open_sessions; 0 when absent.
metric() { metrics | awk -v n="$1" '$1 == n {v = $2} END {printf "%d\n", v + 0}'; }

ticks=$(getconf CLK_TCK)
cpu_of() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_of() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$1/status" 2>/dev/null || echo 0; }

# Starts the node (embedded Cassandra, 127.0.0.1 only, forward route to the UAS port, RTP range RTP_MIN..RTP_MAX),
# waits for its API, creates advertiser "bench". Extra arguments are JVM options.
bench_start_node() {
  HANKYO_BOOTSTRAP_API_KEY=$KEY java -Xms${NODE_HEAP:-1g} -Xmx${NODE_HEAP:-1g} \
    ${NODE_GC:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Xmn192m -XX:SurvivorRatio=4 -XX:MaxTenuringThreshold=2} \
    -Djava.util.concurrent.ForkJoinPool.common.parallelism=4 \
    -Dhankyo.http.port=$HTTP -Dhankyo.sip.udp-port=$SIP -Dhankyo.sip.tcp-port=$SIP \
    -Dhankyo.sip.outbound-route="sip:{number}@127.0.0.1:$UAS" \
    -Dhankyo.sip.media.rtp-port-min=$RTP_MIN -Dhankyo.sip.media.rtp-port-max=$RTP_MAX \
    -Dhankyo.cassandra.embedded.data-dir="$OUT/cassandra" \
    -Dhankyo.cassandra.embedded.native-port=$CQL -Dhankyo.cassandra.embedded.storage-port=$STORAGE \
    -Dpekko.remote.artery.canonical.port=$ARTERY -Dpekko.management.http.port=$MGMT \
    -DHANKYO_LOG_LEVEL=WARN "$@" ${NODE_OPTS:-} \
    -cp "cluster-node/target/classes:cluster-node/target/lib/*" io.hankyo.node.HankyoNode > "$OUT/node.log" 2>&1 &
  NODE=$!; bench_track "$NODE"
  for _ in $(seq 1 180); do
    curl -sf -o /dev/null -H "Authorization: Bearer $KEY" "http://127.0.0.1:$HTTP/v1/advertisers" && break
    kill -0 $NODE 2>/dev/null || { echo "node died, see $OUT/node.log" >&2; exit 1; }
    sleep 1
  done
  CASS=$(pgrep -P "$NODE" java | head -1 || true)
  api -d '{"client_id":"bench","client_name":"bench"}' "http://127.0.0.1:$HTTP/v1/advertisers" >/dev/null
}

# Tracking number DIN (dialin_id ID) of advertiser bench forwarding to 03-9999-0001; with a flow when FLOW_NAME is
# given: prompt "bench-menu" (espeak-ng) and menu → digit 1 → forward step "fwd" (flow_path "menu>fwd").
bench_number() {
  local id=$1 din=$2 ivr=${3:-}
  api -d "{\"dialin_id\":\"$id\",\"number\":\"$din\",\"forward_to\":\"03-9999-0001\"}" \
    "http://127.0.0.1:$HTTP/v1/advertisers/bench/numbers" >/dev/null
  if [ -n "$ivr" ]; then
    api -X PUT -d '{"text": "お電話ありがとうございます。営業は1を、サポートは2を押してください。"}' \
      "http://127.0.0.1:$HTTP/v1/prompts/bench-menu" >/dev/null
    api -X PUT -d '{"start": "menu", "steps": {
        "menu": {"type": "menu", "prompt": "bench-menu", "digits": {"1": "fwd"},
                 "first_digit_timeout_sec": 10, "timeout": "bye", "invalid": "bye"},
        "fwd":  {"type": "forward", "targets": [{"to": "03-9999-0001", "ring_sec": 10}]},
        "bye":  {"type": "hangup"}}}' \
      "http://127.0.0.1:$HTTP/v1/advertisers/bench/numbers/$id/flow" >/dev/null
  fi
}

# Starts bench/RtpProbe.java on PORT writing to DIR (echoing when the third argument is --echo); waits until bound.
bench_start_probe() {
  local port=$1 dir=$2
  mkdir -p "$dir"
  java -Xmx256m bench/RtpProbe.java "$port" "$dir" ${3:-} > "$dir/probe.out" 2>&1 &
  PROBE_PID=$!; bench_track "$PROBE_PID"
  for _ in $(seq 1 60); do
    ss -Hlun "sport = :$port" 2>/dev/null | grep -q . && return 0
    sleep 0.5
  done
  echo "RtpProbe did not bind $port, see $dir/probe.out" >&2; exit 1
}
# Stops the probe (it writes its summary on SIGTERM) and waits for it.
bench_stop_probe() {
  kill -TERM "$PROBE_PID" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$PROBE_PID" 2>/dev/null || break; sleep 0.5; done
}

# Writes a PCMA pcap that loops /usr/share/sip-tester/g711a.pcap (≈ 7 s, 30 ms packets) to cover SECONDS:
# pcap times, RTP sequence numbers and timestamps continue across loops, so the stream is one continuous talkspurt.
bench_loop_pcap() {
  python3 - "$1" "$2" <<'PY'
import struct, sys
out, seconds = sys.argv[1], float(sys.argv[2])
d = open('/usr/share/sip-tester/g711a.pcap', 'rb').read()
head, pk, o = d[:24], [], 24
while o < len(d):
    s, us, il, ol = struct.unpack('<IIII', d[o:o + 16]); pk.append((s + us / 1e6, d[o + 16:o + 16 + il])); o += 16 + il
t0 = pk[0][0]; step = pk[-1][0] - t0 + (pk[1][0] - pk[0][0])
rtp = 14 + (pk[0][1][14] & 0x0F) * 4 + 8          # Ethernet + IPv4 header + UDP header
seq0 = struct.unpack('!H', pk[0][1][rtp + 2:rtp + 4])[0]; ts0 = struct.unpack('!I', pk[0][1][rtp + 4:rtp + 8])[0]
seq_step = len(pk); ts_step = round(step * 8000)
with open(out, 'wb') as f:
    f.write(head)
    n = 0
    while n * step < seconds:
        for t, p in pk:
            p = bytearray(p)
            seq, ts = struct.unpack('!HI', p[rtp + 2:rtp + 8])
            struct.pack_into('!HI', p, rtp + 2, (seq + n * seq_step) & 0xFFFF, (ts + n * ts_step) & 0xFFFFFFFF)
            struct.pack_into('!H', p, rtp - 2, 0)          # UDP checksum: none
            tt = t + n * step
            f.write(struct.pack('<IIII', int(tt), int(round((tt % 1) * 1e6)) % 1000000, len(p), len(p)) + bytes(p))
        n += 1
PY
}

# The IVR caller scenario with its placeholders filled in; without an audio pcap, the audio block is cut out.
bench_uac_ivr() {
  local out=$1 audio=${2:-}
  if [ -n "$audio" ]; then
    sed -e "s|@DTMF_DELAY@|${DTMF_DELAY_MS:-500}|g" -e "s|@BRIDGE_DELAY@|${BRIDGE_DELAY_MS:-1000}|g" \
      -e "s|@AUDIO_PCAP@|$audio|g" bench/uac-ivr.xml > "$out"
  else
    sed -e '/BEGIN audio/,/END audio/d' -e "s|@DTMF_DELAY@|${DTMF_DELAY_MS:-500}|g" \
      -e "s|@BRIDGE_DELAY@|${BRIDGE_DELAY_MS:-1000}|g" bench/uac-ivr.xml > "$out"
  fi
}
