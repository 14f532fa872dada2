#!/usr/bin/env bash
# The README's test command (`npm test`): installs what is missing, builds, lints, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-deps.sh
npm run build
npm run lint
npx jest --ci
