#!/usr/bin/env bash
# Installs the pinned Hyperledger Fabric CA binaries (fabric-ca-server, fabric-ca-client v1.5.21)
# next to the Fabric binaries, in ${FABRIC_HOME:-~/.cache/energy-auction/fabric-2.5.0-…}/bin (the
# directory install-fabric.sh prints), built with Go from the module proxy (about 1.5 minutes on
# 2 cores, once). Each org's CA issues its client identities with their market.role attribute
# (network/src/ca.ts). FABRIC_BIN=<dir>: the binaries must be there already; only checked.
#
# The proxy serves the tag but not the module's version list, so `go install …@v1.5.21` fails on
# its deprecation lookup: the module is downloaded by exact version and built from its own go.mod.
#
# Usage: install-fabric-ca.sh BIN_DIR. Prints the bin directory as the last line of its output.
set -euo pipefail

VERSION=v$(node -p "require('$(cd "$(dirname "$0")/.." && pwd)/config/fabric-versions.json').fabricCa")
MODULE=github.com/hyperledger/fabric-ca
TOOLS=(fabric-ca-server fabric-ca-client)
bin=${1:?usage: install-fabric-ca.sh BIN_DIR}

usable() {
  local t
  for t in "${TOOLS[@]}"; do
    [ -x "$bin/$t" ] && "$bin/$t" version 2>/dev/null | grep -q "Version: ${VERSION#v}$" || return 1
  done
}

if usable; then
  echo "[fabric-ca] Fabric CA ${VERSION#v} already installed in $bin"
  echo "$bin"
  exit 0
fi
if [ -n "${FABRIC_BIN:-}" ]; then
  echo "[fabric-ca] FABRIC_BIN=$FABRIC_BIN does not hold ${TOOLS[*]} reporting version ${VERSION#v}" >&2
  exit 1
fi
if ! command -v go >/dev/null; then
  echo "[fabric-ca] Go is not installed: install Go, or put fabric-ca-server and fabric-ca-client ${VERSION#v} into $bin" >&2
  exit 1
fi

start=$SECONDS
echo "[fabric-ca] downloading $MODULE@$VERSION and building ${TOOLS[*]} (about 1.5 minutes on 2 cores) ..."
dir=$(cd /tmp && timeout 300 go mod download -json "$MODULE@$VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir" ] || { echo "[fabric-ca] go mod download $MODULE@$VERSION gave no source directory" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fabric-ca-bin.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
cp -r "$dir" "$tmp/src"
chmod -R u+w "$tmp/src"
(cd "$tmp/src" && GOBIN=$tmp/bin timeout 540 go install -trimpath ./cmd/fabric-ca-server ./cmd/fabric-ca-client)
mkdir -p "$bin"
for t in "${TOOLS[@]}"; do mv -f "$tmp/bin/$t" "$bin/$t"; done
echo "[fabric-ca] installed Fabric CA ${VERSION#v} into $bin in $((SECONDS - start)) s"
echo "$bin"
