#!/usr/bin/env bash
# Installs the pinned Hyperledger Fabric binaries (peer, orderer, configtxgen, configtxlator, cryptogen,
# osnadmin)
# into ${FABRIC_HOME:-~/.cache/energy-auction/fabric-2.5.0-bd8e248-raftfix2}/bin, built with Go from
# the wrapper module network/fabric-build (Fabric release-2.5 at commit bd8e248, reported as 2.5.0)
# with the patches in network/fabric-build/patches applied to a copy of the module's source:
#   0001: the etcdraft start-up deadlock of Fabric 2.5.0 (hyperledger/fabric issue 4199, fixed in
#         2.5.1, which the Go proxy here does not serve): an orderer restarted after load could
#         hang for good while replaying Raft configuration changes, so the channel had no leader.
#   0002: gRPC reconnection backoff capped at 5 s (grpc-go's default grows to 120 s): a Raft
#         leader reached a restarted orderer only up to two minutes later, so it rejoined late.
#
# Skipped when the binaries are already there and report version 2.5.0 and commit $BUILD.
# FABRIC_BIN=<dir> uses binaries from elsewhere instead (e.g. the official 2.5.x release tarball's
# bin/); they are only checked, never built. See docs/network.md.
#
# Prints the bin directory as the last line of its output.
set -euo pipefail

network_dir=$(cd "$(dirname "$0")/.." && pwd)
# The pinned versions, one file for the scripts, the images and the compose file.
versions=$network_dir/config/fabric-versions.json
VERSION=$(node -p "require('$versions').fabric")
# BUILD names the commit and the patch set: change it in fabric-versions.json whenever patches/
# changes, so that binaries built without the change are never reused.
BUILD=$(node -p "require('$versions').build")
COMMIT=${BUILD%%-*}
MODULE=github.com/hyperledger/fabric
MODULE_VERSION=v1.4.0-rc1.0.20230401164317-bd8e24856939 # the pseudo-version of $COMMIT
TOOLS=(peer orderer configtxgen configtxlator cryptogen osnadmin)

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

fabric_home=${FABRIC_HOME:-$HOME/.cache/energy-auction/fabric-$VERSION-$BUILD}
bin=$fabric_home/bin
if usable "$bin" && "$bin/peer" version | grep -q "Version: $VERSION$" &&
  "$bin/orderer" version | grep -q "Commit SHA: $BUILD$"; then
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
# Step 1: download only the modules the six commands need (about 1 minute when cold).
echo "[fabric] downloading Go modules for Fabric $VERSION ($COMMIT) ..."
timeout 540 go list -deps "${pkgs[@]}" >/dev/null
echo "[fabric] modules ready after $((SECONDS - start)) s; building ${TOOLS[*]} (about 1.5 minutes on 2 cores) ..."

# Step 2: a writable copy of Fabric's source with our patches, and a copy of the wrapper module
# that builds from it; build into a temporary directory, then move into place so a half-built set
# is never used.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fabric-bin.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
src=$tmp/fabric-src
cp -r "$(go env GOMODCACHE)/$MODULE@$MODULE_VERSION" "$src"
chmod -R u+w "$src"
for p in "$network_dir"/fabric-build/patches/*.patch; do
  echo "[fabric] applying $(basename "$p")"
  patch -s -p1 -d "$src" --forward <"$p"
done
wrap=$tmp/wrap
mkdir -p "$wrap"
cp go.mod go.sum tools.go "$wrap/"
(cd "$wrap" && go mod edit -replace "$MODULE=$src")
meta=$MODULE/common/metadata
(cd "$wrap" && CGO_ENABLED=0 GOBIN=$tmp/bin timeout 540 go install -trimpath \
  -ldflags "-X $meta.Version=$VERSION -X $meta.CommitSHA=$BUILD" "${pkgs[@]}")

mkdir -p "$bin"
for t in "${TOOLS[@]}"; do mv -f "$tmp/bin/$t" "$bin/$t"; done
echo "[fabric] installed Fabric $VERSION ($BUILD) into $bin in $((SECONDS - start)) s"
echo "$bin"
