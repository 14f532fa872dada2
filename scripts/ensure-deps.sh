#!/usr/bin/env bash
# Installs the npm packages when node_modules is missing or older than package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "[deps] npm ci"
  # The lock file lacks entries for other platforms' optional packages (e.g. unrs-resolver's
  # non-linux bindings), which npm 11 `ci` refuses as "Missing: … from lock file"; `npm install`
  # installs the same locked versions and leaves the lock file unchanged.
  if ! npm ci --no-audit --no-fund; then
    echo "[deps] npm ci refused the lock file; falling back to npm install"
    npm install --no-audit --no-fund
  fi
fi
