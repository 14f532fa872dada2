#!/usr/bin/env bash
# `npm run images:build`: every image docker-compose.yaml needs, built locally with Podman and no
# registry (docs/deployment.md):
#   localhost/energy-auction/debian:bookworm-minbase   mmdebstrap rootfs, `podman import`ed (cached)
#   hyperledger/fabric-{peer,orderer,tools}:2.5.0       the Go-built Fabric binaries (Containerfile.fabric)
#   hyperledger/fabric-ca:1.5.21                        the Go-built Fabric CA binaries (same file)
#   energy-auction/{node,deps,runtime}:…             Node 24, production node_modules, dist/ (Containerfile.app)
#   energy-auction/{market-chaincode,api,auctioneer,tools}:<version>   FROM the runtime (Containerfile.services;
#                      tools adds the Fabric CLI: network generate / setup in a container)
# Unchanged inputs build from Podman's layer cache in seconds. Prints each step's time and the total.
# Environment: ENERGY_AUCTION_CACHE (default ~/.cache/energy-auction), DEBIAN_MIRROR (default: the
# host's apt mirror), IMAGES_REBUILD_BASE=1 to make the base image again.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
source deploy/images/podman-env.sh

BASE=localhost/energy-auction/debian:bookworm-minbase
read -r FABRIC_VERSION FABRIC_CA_VERSION < <(node -p \
  'const v = require("./network/config/fabric-versions.json"); `${v.fabric} ${v.fabricCa}`')
version=$(node -p 'require("./package.json").version')
total=$SECONDS

step() { # step NAME COMMAND...: runs it and prints how long it took
  local name=$1 t=$SECONDS
  shift
  "$@"
  echo "[images] $name: $((SECONDS - t)) s"
}

# id12 IMAGE: the first 12 hex digits of an image's id.
id12() { pm image inspect --format '{{.Id}}' "$1" | cut -c1-12; }

# The host's apt mirror (first URIs: line of debian.sources, else sources.list), for mmdebstrap.
host_mirror() {
  local m
  m=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$m" ] || m=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  echo "${m:-http://deb.debian.org/debian}"
}

base_image() {
  if [ "${IMAGES_REBUILD_BASE:-0}" != 1 ] && pm image exists "$BASE"; then
    echo "[images] $BASE exists (IMAGES_REBUILD_BASE=1 makes it again)"
    return
  fi
  need_apt mmdebstrap mmdebstrap
  local tar=$ENERGY_IMAGES_CACHE/bookworm-minbase.tar mirror
  mirror=${DEBIAN_MIRROR:-$(host_mirror)}
  echo "[images] mmdebstrap --variant=minbase bookworm from $mirror (about 1 minute)"
  # No documentation, man pages or locales in the image: nothing in it reads them.
  mmdebstrap --quiet --variant=minbase --format=tar \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
    bookworm "$tar.part" "$mirror"
  mv -f "$tar.part" "$tar"
  pm import --quiet --change 'CMD ["/bin/bash"]' "$tar" "$BASE" >/dev/null
  rm -f "$tar"
}

# inputs_key FILE...: one hash of the files' names and contents.
inputs_key() { sha256sum "$@" | sha256sum | cut -c1-16; }

# fresh TAG KEY CONTAINERFILE TARGET CONTEXT [options...]: builds unless TAG exists with the label
# energy-auction.inputs=KEY (a LABEL from the build argument INPUTS; `--label` does not enter
# Podman 4.3's layer cache key) (KEY names every input: files, parent image id), so that an unchanged
# image costs one inspect instead of Podman hashing its whole context again.
fresh() {
  local tag=$1 key=$2
  shift 2
  if [ "$(pm image inspect --format '{{index .Labels "energy-auction.inputs"}}' "$tag" 2>/dev/null)" = "$key" ]; then
    echo "[images] $tag up to date"
  else
    build "$tag" "$@" --build-arg "INPUTS=$key"
  fi
}

# build TAG CONTAINERFILE TARGET CONTEXT [podman build options...]
build() {
  local tag=$1 file=$2 target=$3 context=$4
  shift 4
  pm build --quiet --format docker --layers --pull=never --network none --target "$target" \
    --build-arg "BASE_IMAGE=$BASE" -f "$file" -t "$tag" "$@" "$context" >/dev/null
  echo "[images] built $tag ($(pm image inspect --format '{{.Id}}' "$tag" | cut -c1-12))"
}

fabric_images() {
  local bin
  local bin key file=deploy/images/Containerfile.fabric
  bin=$(bash network/scripts/install-fabric.sh | tail -n 1)
  bash network/scripts/install-fabric-ca.sh "$bin" >/dev/null
  key=$(inputs_key "$file" "$bin"/*)-$(id12 "$BASE")
  for target in peer orderer tools; do
    fresh "hyperledger/fabric-$target:$FABRIC_VERSION" "$key" "$file" "$target" "$bin"
  done
  fresh "hyperledger/fabric-ca:$FABRIC_CA_VERSION" "$key" "$file" ca "$bin"
}

# Production node_modules of the lock file as one tar, made once per lock file (keyed by its hash:
# `npm ci` refuses a package.json whose dependencies disagree with it); prints its directory.
prod_deps() {
  local key dir
  key=$(sha256sum <package-lock.json | cut -c1-16)
  dir=$ENERGY_IMAGES_CACHE/prod-deps/$key
  if [ ! -f "$dir/node_modules.tar" ]; then
    echo "[images] npm ci --omit=dev into $dir" >&2
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    cp package.json package-lock.json "$dir.tmp/"
    # --ignore-scripts: the two install scripts in the tree are denied anyway (scripts/ensure-deps.sh).
    (cd "$dir.tmp" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund >&2)
    # Fixed order, owner and times: the same lock file gives the same bytes, hence the cached layer.
    tar -C "$dir.tmp" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
      -cf "$dir.tmp/node_modules.tar" node_modules
    rm -rf "$dir.tmp/node_modules" "$dir" && mv "$dir.tmp" "$dir"
    # Only the current lock file's tar is kept (each is about 115 MB).
    find "$(dirname "$dir")" -mindepth 1 -maxdepth 1 ! -name "$key" -exec rm -rf {} + >&2
  fi
  echo "$dir"
}

app_images() {
  [ -f dist/chaincode/src/index.js ] && [ -f dist/deploy/images/healthcheck.js ] || {
    echo "[images] E_NO_BUILD: dist/chaincode/src/index.js or dist/deploy/images/healthcheck.js" \
      "is missing: run npm run build" >&2
    exit 1
  }
  local node deps_dir node_image deps_image runtime=localhost/energy-auction/runtime:$version key
  local ctx=$ENERGY_IMAGES_CACHE/app-context empty file=deploy/images/Containerfile.app
  node=$(bash scripts/ensure-node24.sh)
  deps_dir=$(prod_deps)
  link() { cp -al "$1" "$2" 2>/dev/null || cp -a "$1" "$2"; }

  node_image=localhost/energy-auction/node:$("$node" --version | tr -d v)-$(id12 "$BASE")
  if ! pm image exists "$node_image"; then
    rm -rf "$ctx" && mkdir -p "$ctx" && link "$node" "$ctx/node"
    build "$node_image" "$file" node "$ctx"
  fi
  deps_image=localhost/energy-auction/deps:$(basename "$deps_dir")-$(id12 "$node_image")
  if ! pm image exists "$deps_image"; then
    rm -rf "$ctx" && mkdir -p "$ctx" && link "$deps_dir/node_modules.tar" "$ctx/node_modules.tar"
    build "$deps_image" "$file" deps "$ctx" --build-arg "NODE_IMAGE=$node_image"
  fi

  # The runtime's context, made afresh each time: the compiled code without tests and benchmarks.
  rm -rf "$ctx" && mkdir -p "$ctx/chaincode"
  link package.json "$ctx/package.json"
  link chaincode/package.json "$ctx/chaincode/package.json"
  link dist "$ctx/dist"
  rm -rf "$ctx/dist/test-artifacts" "$ctx/dist/bench" "$ctx"/dist/*/bench
  key=$(cd "$ctx" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
  key=$key-$(inputs_key "$file")-$(id12 "$deps_image")
  fresh "$runtime" "$key" "$file" runtime "$ctx" --build-arg "DEPS_IMAGE=$deps_image" \
    --build-arg "VERSION=$version"

  # tools copies the Fabric CLI from the Fabric images: their ids enter its key
  key=$(inputs_key deploy/images/Containerfile.services)-$(id12 "$runtime")
  key=$key-$(id12 "hyperledger/fabric-tools:$FABRIC_VERSION")-$(id12 "hyperledger/fabric-orderer:$FABRIC_VERSION")
  key=$key-$(id12 "hyperledger/fabric-ca:$FABRIC_CA_VERSION")
  empty=$(mktemp -d)
  for target in chaincode api auctioneer tools; do
    local name=$target
    [ "$target" = chaincode ] && name=market-chaincode
    fresh "energy-auction/$name:$version" "$key" deploy/images/Containerfile.services "$target" "$empty" \
      --build-arg "RUNTIME_IMAGE=$runtime"
  done
  rmdir "$empty"
}

step "base image" base_image
step "Fabric images" fabric_images
step "project images" app_images
echo "[images] all images ready in $((SECONDS - total)) s"
pm images --format '{{.Repository}}:{{.Tag}} {{.Size}}' |
  grep -E 'energy-auction/(debian|runtime|market|api|auctioneer)|hyperledger' | sed 's/^/  /'
