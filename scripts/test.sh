#!/usr/bin/env bash
# The README's test command (`npm test`): installs what is missing, builds, lints, runs every test
# (unit under the machine's Node and under Node 24, then integration and end-to-end on a real Fabric
# network), and always takes the network down and prints a one-line summary at the end, whether the
# tests pass or not: `tests: N passed, N failed`, followed when something went wrong by the phase
# that failed and the phases that never ran (scripts/test-summary.js).
set -euo pipefail
cd "$(dirname "$0")/.."

reports=test-results
rm -rf "$reports" && mkdir -p "$reports"
# Each phase's result, for the summary: `plan <phases>`, then `<phase> started` and `<phase> <exit> <s>`.
phases="$reports/phases.txt"
echo "plan deps build lint unit unit-node24 install-tools network-up integration e2e faults grow images compose" >"$phases"
network_started=0
compose_started=0
finish() {
  status=$?
  if [ "$network_started" = 1 ]; then node dist/network/src/cli.js down || true; fi
  if [ "$compose_started" = 1 ]; then bash deploy/compose/compose.sh down || true; fi
  node scripts/test-summary.js "$reports" || true
  exit "$status"
}
trap finish EXIT

# phase NAME CMD...: runs CMD, prints how long it took (CI reads the durations) and records the result.
phase() {
  local name=$1 t0=$SECONDS rc=0
  shift
  echo "[test] phase $name ..."
  echo "$name started" >>"$phases"
  "$@" || rc=$?
  echo "[test] phase $name: $((SECONDS - t0)) s (exit $rc)"
  echo "$name $rc $((SECONDS - t0))" >>"$phases"
  return "$rc"
}

# Installs with `npm ci` and fails if that changed package.json or package-lock.json.
phase deps bash scripts/check-clean-install.sh
phase build npm run build
phase lint npm run lint
phase unit npx jest --ci --selectProjects unit --json --outputFile="$reports/unit.json"
# The same unit tests under Node 24 LTS (installed from the npm registry into ~/.cache/energy-auction).
phase unit-node24 bash scripts/unit-node24.sh --json --outputFile="$reports/unit-node24.json"

# Integration tests on the real Fabric network (docs/network.md). Installs what is missing (Fabric
# binaries built with Go, docker-compose and, for the dashboard's browser test, chromium from apt)
# and brings the network up from whatever state.
phase install-tools bash -c 'bash network/scripts/ensure-docker-compose.sh && bash scripts/ensure-chromium.sh'
network_started=1
phase network-up bash -c 'bash scripts/stop-leftover-compose.sh && node dist/network/src/cli.js up'
phase integration npx jest --ci --selectProjects integration --runInBand --json --outputFile="$reports/integration.json"
# End-to-end through the REST API (test/e2e) on the same network, and the dashboard in chromium.
phase e2e npx jest --ci --selectProjects e2e --runInBand --json --outputFile="$reports/e2e.json"
# Fault tests (test/faults): nodes and services killed with SIGKILL under load, restarted, every
# acknowledged bid read back. Last, because they stop and start the network.
phase faults npx jest --ci --selectProjects faults --runInBand --json --outputFile="$reports/faults.json"

# The compose deployment (docker-compose.yaml on Podman, docs/deployment.md): the images (installs
# podman, runc and mmdebstrap with apt when missing; cached when unchanged), then the deployment up,
# a round, a peer and an orderer container restarted, another round, down. It binds the native
# network's ports, so the native network is stopped first, and starts from purged volumes.
node dist/network/src/cli.js down >/dev/null
network_started=0
# A utility org joins a live channel (network/src/grow.ts) on a network of its own, in a temporary
# run directory the test purges afterwards; it needs the shared network's ports, so it runs here.
phase grow npx jest --ci --selectProjects grow --runInBand --json --outputFile="$reports/grow.json"
phase images bash deploy/images/build.sh
compose_started=1
# from clean volumes: ledgers kept by an earlier run belong to another run directory's crypto
bash deploy/compose/compose.sh down --purge
phase compose env COMPOSE_TEST=1 npx jest --ci --config test/compose/jest.config.cjs --runInBand --json --outputFile="$reports/compose.json"
