#!/usr/bin/env bash
# Installs Debian's chromium (apt) when missing: the dashboard's browser test (test/e2e/
# dashboard.browser.test.ts) drives it headless through puppeteer-core, which downloads no browser.
# Idempotent and quick when chromium is there; CHROMIUM=/path skips the install for another browser.
set -euo pipefail
browser=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$browser" ]; then exit 0; fi
if [ -n "${CHROMIUM:-}" ]; then
  echo "[chromium] CHROMIUM=$CHROMIUM is not an executable" >&2
  exit 1
fi
echo "[chromium] installing chromium (apt) ..."
sudo=""
if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
"$browser" --version
