#!/usr/bin/env bash
# `npm test`'s unit-node24 phase: the unit tests again under Node.js 24 LTS (the machines run Node 20;
# package.json's engines lists both), with the pinned binary scripts/ensure-node24.sh installs from
# the npm registry. Arguments go to jest (scripts/test.sh passes its JSON report's path).
set -euo pipefail
cd "$(dirname "$0")/.."
node24=$(bash scripts/ensure-node24.sh)
echo "[unit-node24] $("$node24" --version)"
exec "$node24" node_modules/jest/bin/jest.js --ci --selectProjects unit "$@"
