#!/usr/bin/env bash
# Installs the pinned Hyperledger Fabric binaries (peer, orderer, configtxgen, cryptogen, osnadmin)
# into ${FABRIC_HOME:-~/.cache/energy-auction/fabric-2.5.0-bd8e248}/bin, built with Go from the
# wrapper module network/fabric-build (Fabric release-2.5 at commit bd8e248, reported as 2.5.0).
#
# Skipped when the binaries are already there and `peer version` reports 2.5.0.
# FABRIC_BIN=<dir> uses binaries from elsewhere instead (e.g. the official 2.5.x release tarball's
# bin/); they are only checked, never built. See docs/network.md.
#
# Prints the bin directory as the last line of its output.
set -euo pipefail

VERSION=2.5.0
COMMIT=bd8e248
TOOLS=(peer orderer configtxgen cryptogen osnadmin)
network_dir=$(cd "$(dirname "$0")/.." && pwd)

# usable DIR: every tool is there, executable, and peer reports the pinned major.minor version.
usable() {
  local dir=$1 t
  for t in "${TOOLS[@]}"; do [ -x "$dir/$t" ] || return 1; done
  "$dir/peer" version 2>/dev/null | grep -Eq "^ *Version: ${VERSION%.*}\."
}

if [ -n "${FABRIC_BIN:-}" ]; then
  if usable "$FABRIC_BIN"; then
    echo "[fabric] using FABRIC_BIN=$FABRIC_BIN ($("$FABRIC_BIN/peer" version | awk '/Version:/ {print $2; exit}'))"
    echo "$FABRIC_BIN"
    exit 0
  fi
  echo "[fabric] FABRIC_BIN=$FABRIC_BIN does not hold ${TOOLS[*]} reporting version ${VERSION%.*}.x" >&2
  exit 1
fi

fabric_home=${FABRIC_HOME:-$HOME/.cache/energy-auction/fabric-$VERSION-$COMMIT}
bin=$fabric_home/bin
if usable "$bin" && "$bin/peer" version | grep -q "Version: $VERSION$"; then
  echo "[fabric] Fabric $VERSION already installed in $bin"
  echo "$bin"
  exit 0
fi

if ! command -v go >/dev/null; then
  echo "[fabric] Go is not installed: install Go >= 1.20, or download the official Fabric 2.5.x" \
    "release and set FABRIC_BIN to its bin/ directory (docs/network.md)" >&2
  exit 1
fi

cd "$network_dir/fabric-build"
start=$SECONDS
pkgs=()
for t in "${TOOLS[@]}"; do pkgs+=("github.com/hyperledger/fabric/cmd/$t"); done
# Step 1: download only the modules the five commands need (about 1 minute when cold).
echo "[fabric] downloading Go modules for Fabric $VERSION ($COMMIT) ..."
timeout 540 go list -deps "${pkgs[@]}" >/dev/null
echo "[fabric] modules ready after $((SECONDS - start)) s; building ${TOOLS[*]} (about 1.5 minutes on 2 cores) ..."

# Step 2: build into a temporary directory, then move into place so a half-built set is never used.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fabric-bin.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
meta=github.com/hyperledger/fabric/common/metadata
CGO_ENABLED=0 GOBIN=$tmp timeout 540 go install -trimpath \
  -ldflags "-X $meta.Version=$VERSION -X $meta.CommitSHA=$COMMIT" "${pkgs[@]}"

mkdir -p "$bin"
for t in "${TOOLS[@]}"; do mv -f "$tmp/$t" "$bin/$t"; done
echo "[fabric] installed Fabric $VERSION into $bin in $((SECONDS - start)) s"
echo "$bin"
