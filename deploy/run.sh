#!/usr/bin/env bash
# Builds what is needed and starts one Hankyo node on its embedded default:
# an embedded Apache Cassandra (forked JVM, data under ./data/cassandra), a single-node Pekko cluster,
# HTTP on 127.0.0.1:8080, SIP on 127.0.0.1:5060 (UDP and TCP), health on 127.0.0.1:8558.
#
# Configuration: environment variables (HANKYO_HTTP_PORT, HANKYO_SIP_PORT, HANKYO_BOOTSTRAP_API_KEY, ... see
# README.md) or -Dkey=value arguments, which are passed to the JVM. HANKYO_SKIP_BUILD=1 skips the Maven build.
# Ctrl-C shuts the node down cleanly (SIP first, then HTTP, then the cluster, then Cassandra).
set -euo pipefail
cd "$(dirname "$0")/.."

# arguments first: a wrong one is refused before a build that takes minutes (and that Ctrl-C could cut short)
jvm_args=()
for a in "$@"; do
  case "$a" in
    -D*|-X*) jvm_args+=("$a") ;;
    *) echo "unknown argument: $a (only -Dkey=value and -X... JVM options; HANKYO_SKIP_BUILD=1 skips the build)" >&2; exit 2 ;;
  esac
done

if [ "${HANKYO_SKIP_BUILD:-0}" != "1" ]; then
  echo "Building Hankyo (mvn package, tests skipped; the first build downloads dependencies)..." >&2
  mvn -B -q -DskipTests package
fi

exec java ${HANKYO_JAVA_OPTS:--Xms256m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Xmn192m -XX:SurvivorRatio=4 -XX:MaxTenuringThreshold=2 -Djava.util.concurrent.ForkJoinPool.common.parallelism=4} "${jvm_args[@]}" \
  -cp "cluster-node/target/classes:cluster-node/target/lib/*" io.hankyo.node.HankyoNode
