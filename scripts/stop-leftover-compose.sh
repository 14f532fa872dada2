#!/usr/bin/env bash
# Containers of a compose deployment that an earlier, interrupted run left behind (test/compose, or
# `npm run compose:up` without `compose:down`) bind the native network's ports, and one still
# stopping can hold a port while the native node that binds it starts: the native network then
# comes up unhealthy. Takes them down first (volumes kept, as `compose:down` does), and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v podman >/dev/null || exit 0
left=$(podman ps -a --filter label=com.docker.compose.project=energy-auction --format '{{.Names}}' | sort | tr '\n' ' ')
[ -n "$left" ] || exit 0
echo "[test] containers of an earlier compose run are still there (${left% }): taking them down, volumes kept"
bash deploy/compose/compose.sh down
