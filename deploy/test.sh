#!/usr/bin/env bash
# Runs every test of Hankyo: unit tests, integration tests against a real embedded Cassandra, and end-to-end tests
# with real sipp processes. Installs sipp (Debian package sip-tester) first when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v sipp >/dev/null 2>&1; then
  echo "sipp is missing: installing the Debian package sip-tester..." >&2
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq sip-tester >/dev/null
fi

exec mvn -B verify "$@"
