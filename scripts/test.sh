#!/usr/bin/env bash
# The README's test command (`npm test`): installs what is missing, builds, lints, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-deps.sh
npm run build
npm run lint
npx jest --ci --selectProjects unit

# Integration tests on the real Fabric network (docs/network.md). Installs what is missing (Fabric
# binaries built with Go, docker-compose from apt), brings the network up from whatever state it is
# in, and always takes it down at the end, whether the tests pass or not.
bash network/scripts/ensure-docker-compose.sh
trap 'node dist/network/src/cli.js down || true' EXIT
node dist/network/src/cli.js up
npx jest --ci --selectProjects integration --runInBand
# End-to-end through the REST API (test/e2e) on the same network, after the integration tests.
npx jest --ci --selectProjects e2e --runInBand
