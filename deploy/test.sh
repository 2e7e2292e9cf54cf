#!/usr/bin/env bash
# Runs every test of Hankyo: unit tests, integration tests against a real embedded Cassandra, and end-to-end tests
# with real sipp processes and headless Chromium. Installs sipp (Debian package sip-tester), espeak-ng (text prompts),
# chromium and chromium-driver (the JS tag browser test) first when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

MISSING=()
if ! command -v sipp >/dev/null 2>&1; then MISSING+=(sip-tester); fi
if ! command -v espeak-ng >/dev/null 2>&1; then MISSING+=(espeak-ng); fi
# headless Chromium for the JS tag browser test (DniTagBrowserTest drives /usr/bin/chromium with /usr/bin/chromedriver)
if [ ! -x /usr/bin/chromium ]; then MISSING+=(chromium); fi
if [ ! -x /usr/bin/chromedriver ]; then MISSING+=(chromium-driver); fi
if [ ${#MISSING[@]} -gt 0 ]; then
  echo "installing the missing Debian packages: ${MISSING[*]}..." >&2
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${MISSING[@]}" >/dev/null
fi

exec mvn -B verify "$@"
