#!/usr/bin/env bash
# Runs a 3-node Hankyo cluster on this machine (for trying sharding and fail-over by hand):
#   node i (1..3): HTTP 127.0.0.1:808i, SIP 127.0.0.1:506i (UDP+TCP), Pekko remoting 25520+i, health 855(8+i)
# Node 1 also runs the embedded Cassandra (CQL 127.0.0.1:9042); nodes 2 and 3 use it. Seed nodes are all three.
# Logs and PIDs go to run/. Usage:
#   deploy/cluster.sh start     build, start the three nodes, wait until each serves HTTP
#   deploy/cluster.sh stop      stop them (SIGTERM: clean CoordinatedShutdown), waiting up to 60 s each
#   deploy/cluster.sh status    which nodes run
# Environment: HANKYO_SKIP_BUILD=1 skips the build; HANKYO_BOOTSTRAP_API_KEY sets the bootstrap operator's key.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p run

seeds=(-Dpekko.cluster.seed-nodes.0=pekko://hankyo@127.0.0.1:25521
       -Dpekko.cluster.seed-nodes.1=pekko://hankyo@127.0.0.1:25522
       -Dpekko.cluster.seed-nodes.2=pekko://hankyo@127.0.0.1:25523)

wait_http() {
  local port=$1 pid=$2
  for _ in $(seq 1 180); do
    if ! kill -0 "$pid" 2>/dev/null; then echo "node on HTTP $port died; see run/" >&2; return 1; fi
    if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then return 0; fi
    sleep 1
  done
  echo "node on HTTP $port did not come up in 180 s" >&2
  return 1
}

start_node() {
  local i=$1 embedded=$2
  java ${HANKYO_JAVA_OPTS:--Xms256m -Xmx768m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Xmn192m -XX:SurvivorRatio=4 -XX:MaxTenuringThreshold=2 -Djava.util.concurrent.ForkJoinPool.common.parallelism=4} \
    -Dhankyo.node-name="hankyo-$i" \
    -Dhankyo.cassandra.embedded.enabled="$embedded" \
    -Dhankyo.http.port=$((8080 + i)) \
    -Dhankyo.sip.udp-port=$((5060 + i)) -Dhankyo.sip.tcp-port=$((5060 + i)) \
    -Dpekko.remote.artery.canonical.port=$((25520 + i)) \
    -Dpekko.management.http.port=$((8558 + i)) \
    -Dhankyo.cluster.join-self-when-no-seeds=off \
    "${seeds[@]}" \
    -cp "cluster-node/target/classes:cluster-node/target/lib/*" io.hankyo.node.HankyoNode \
    > "run/node-$i.log" 2>&1 &
  echo $! > "run/node-$i.pid"
  echo "node $i: pid $(cat run/node-$i.pid), log run/node-$i.log" >&2
}

case "${1:-start}" in
  start)
    if [ "${HANKYO_SKIP_BUILD:-0}" != "1" ]; then mvn -B -q -DskipTests package; fi
    start_node 1 true
    wait_http 8081 "$(cat run/node-1.pid)"
    start_node 2 false
    start_node 3 false
    wait_http 8082 "$(cat run/node-2.pid)"
    wait_http 8083 "$(cat run/node-3.pid)"
    grep -h "API key" run/node-*.log || true
    echo "3-node cluster up: HTTP 8081-8083, SIP 5061-5063" >&2
    ;;
  stop)
    for i in 3 2 1; do
      f="run/node-$i.pid"
      [ -f "$f" ] || continue
      pid=$(cat "$f")
      if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
      fi
      rm -f "$f"
    done
    ;;
  status)
    for i in 1 2 3; do
      f="run/node-$i.pid"
      if [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then echo "node $i running (pid $(cat "$f"))"; else echo "node $i stopped"; fi
    done
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
