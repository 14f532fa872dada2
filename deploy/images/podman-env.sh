#!/usr/bin/env bash
# Sourced by deploy/images/*.sh: installs Podman and its helpers from Debian when missing and points
# Podman at a containers.conf that works on these machines (docs/deployment.md, "Why these settings"):
#   - runtime runc: crun 1.8 (Debian's default) fails with "cgroups in hybrid mode not supported";
#   - [containers] default_ulimits = []: the default RLIMIT_NOFILE ulimit is refused (setrlimit);
#   - [engine] cgroup_manager = "cgroupfs": there is no systemd to delegate cgroups to.
# Exports CONTAINERS_CONF and ENERGY_IMAGES_CACHE; defines `pm` (podman with runc) and `need_apt`.
set -euo pipefail

ENERGY_AUCTION_CACHE=${ENERGY_AUCTION_CACHE:-$HOME/.cache/energy-auction}
export ENERGY_IMAGES_CACHE=$ENERGY_AUCTION_CACHE/images
mkdir -p "$ENERGY_IMAGES_CACHE"

# need_apt CMD PACKAGE: installs PACKAGE with apt-get when CMD is not on PATH.
need_apt() {
  command -v "$1" >/dev/null && return 0
  echo "[images] installing $2 (apt-get)" >&2
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null; then
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null
  fi
  command -v "$1" >/dev/null || { echo "[images] E_APT: $2 installed but $1 is still missing" >&2; exit 1; }
}

need_apt podman podman
need_apt runc runc

export CONTAINERS_CONF=$ENERGY_IMAGES_CACHE/containers.conf
cat >"$CONTAINERS_CONF.tmp" <<'CONF'
# Written by deploy/images/podman-env.sh (see docs/deployment.md).
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
mv -f "$CONTAINERS_CONF.tmp" "$CONTAINERS_CONF"

pm() { podman --runtime runc "$@"; }
