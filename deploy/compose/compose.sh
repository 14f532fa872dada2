#!/usr/bin/env bash
# `npm run compose:up [-- --no-services]` / `npm run compose:down [-- --purge]` / `compose.sh ps|logs <container>`
# / `compose.sh tools <network CLI args>` (e.g. identity register, in the tools container)
# / `ENERGY_COMPOSE_FILE=<file for N+1> compose.sh add-utility` (a utility joins the live channel)
# / `compose.sh backup <dir>` and `restore <dir>` (volumes and run directory):
# docker-compose.yaml on Podman, with the images of `npm run images:build` (docs/deployment.md).
#
# The compose tool is Debian's docker-compose 1.29 talking to `podman system service` (Podman's
# Docker-compatible API), not podman-compose 1.0.3: the latter has no --env-file and no profiles,
# both of which docker-compose.yaml uses, and docker-compose is the tool the file is validated
# with (test/integration/compose.test.ts). The API service runs only while a command runs: the
# containers themselves are Podman's (conmon) and keep running without it.
#
# No Fabric binary on the host: `network generate` runs in the tools image (offline) and
# `network setup` in the compose file's one-shot `setup` service (on the compose network).
#
# Run directory (crypto, channel block, packages, connection files): ENERGY_NETWORK_RUN_DIR,
# default work/compose-run, so the native network's network/run is never touched. Ledgers and CA
# databases are the named volumes of project energy-auction; `down` keeps them, `down --purge`
# deletes them and the run directory.
#
# The compose network binds the native network's fixed ports: run it, like network:up, under
#   flock /tmp/energy-network.lock sh -c 'npm run compose:up && ... ; npm run compose:down'
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
source deploy/images/podman-env.sh
need_apt docker-compose docker-compose

export ENERGY_NETWORK_RUN_DIR=${ENERGY_NETWORK_RUN_DIR:-$repo/work/compose-run}
# The compose file: the committed one (2 utilities) or one of `npm run compose:generate -- --utilities
# N --file F`; its x-energy-network block says for how many utilities to generate the crypto.
COMPOSE_FILE=$(realpath "${ENERGY_COMPOSE_FILE:-docker-compose.yaml}")
ENERGY_UTILITIES=$(awk '/^x-energy-network:/ { f = 1 } f && /^  utilities:/ { print $2; exit }' "$COMPOSE_FILE")
[[ "$ENERGY_UTILITIES" =~ ^[1-9]$ ]] || {
  echo "[compose] E_COMPOSE_FILE: $COMPOSE_FILE has no x-energy-network.utilities (1..9): regenerate it with npm run compose:generate" >&2
  exit 1
}
export ENERGY_UTILITIES
PROJECT=energy-auction
# the images' tag (deploy/images/build.sh)
VERSION=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' package.json)
SOCK=$ENERGY_IMAGES_CACHE/podman.sock
fail() { # fail CODE MESSAGE
  echo "[compose] $1: $2" >&2
  exit 1
}

api_pid=
stop_api() {
  [ -n "$api_pid" ] || return 0
  kill "$api_pid" 2>/dev/null || true
  wait "$api_pid" 2>/dev/null || true
  api_pid=
  rm -f "$SOCK"
}

# Podman runs HEALTHCHECKs only when asked (it would use systemd timers, absent here), and
# docker-compose's `depends_on: condition: service_healthy` waits for the status those runs record:
# while compose.sh starts or runs anything, each project container's check runs once a second
# (`healthcheck run` refuses a container that has none; nothing to record then).
health_pump_pid=
start_health_pump() {
  [ -z "$health_pump_pid" ] || return 0
  (
    close_inherited_fds
    while :; do
      for c in $(pm ps --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}}'); do
        pm healthcheck run "$c" >/dev/null 2>&1 || true
      done
      sleep 1
    done
  ) >/dev/null 2>&1 &
  health_pump_pid=$!
}
stop_health_pump() {
  [ -n "$health_pump_pid" ] || return 0
  kill "$health_pump_pid" 2>/dev/null || true
  wait "$health_pump_pid" 2>/dev/null || true
  health_pump_pid=
}
trap 'stop_health_pump; stop_api' EXIT

# Closes every file descriptor but stdin, stdout and stderr of the current (sub)shell.
close_inherited_fds() {
  local fd
  for fd in $(ls "/proc/$BASHPID/fd"); do
    [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null || true
  done
}

# Podman's Docker API on a private socket, for this command only. It starts netavark's
# aardvark-dns (the compose network's DNS), which outlives this command while the network exists:
# neither may inherit our descriptors, or a `flock /tmp/energy-network.lock` this command runs
# under would stay held by aardvark-dns after the command ended.
start_api() {
  rm -f "$SOCK"
  (
    close_inherited_fds
    exec podman --runtime runc system service --time=0 "unix://$SOCK"
  ) >"$ENERGY_IMAGES_CACHE/podman-service.log" 2>&1 &
  api_pid=$!
  for _ in $(seq 100); do
    [ -S "$SOCK" ] && return 0
    sleep 0.1
  done
  fail E_PODMAN_API "podman system service did not open $SOCK (log $ENERGY_IMAGES_CACHE/podman-service.log)"
}

# The named volumes of this compose project (ledgers), one per line.
project_volumes() { pm volume ls --quiet --filter "name=^${PROJECT}_"; }

dc() {
  DOCKER_HOST=unix://$SOCK COMPOSE_INTERACTIVE_NO_CLI=1 docker-compose --ansi never -p "$PROJECT" \
    --env-file "$ENERGY_NETWORK_RUN_DIR/compose.env" -f "$COMPOSE_FILE" --project-directory "$repo" "$@"
}

# Every image the compose file names must exist locally: nothing is pulled.
check_images() {
  local image
  local fabric ca
  read -r fabric ca < <(node -p 'const v = require("./network/config/fabric-versions.json"); `${v.fabric} ${v.fabricCa}`')
  for image in "hyperledger/fabric-orderer:$fabric" "hyperledger/fabric-peer:$fabric" "hyperledger/fabric-ca:$ca" \
    "energy-auction/market-chaincode:$VERSION" "energy-auction/api:$VERSION" \
    "energy-auction/auctioneer:$VERSION" "energy-auction/tools:$VERSION"; do
    pm image exists "$image" || fail E_NO_IMAGE "$image is missing: run npm run images:build"
  done
}

# The network's ports must be free unless our own containers hold them (a native network, or one
# from another checkout, would otherwise answer network:setup's health checks).
check_ports() {
  local running busy
  running=$(pm ps --filter "label=com.docker.compose.project=$PROJECT" -q | wc -l)
  [ "$running" -eq 0 ] || return 0
  # Orderers 7100-7123, peers, chaincode servers and CAs 7200-7294, the API 3000, the auctioneer 3100.
  busy=$(ss -Hltn | awk '{print $4}' | grep -E '^127\.0\.0\.1:(7(1[0-2][0-3]|2[0-9][0-4])|3000|3100)$' || true)
  [ -z "$busy" ] || fail E_PORT_BUSY "ports in use by another network: $(echo $busy) (a native network or npm start? npm run network:down)"
}

# Runs each container's HEALTHCHECK once (no systemd timers here) and waits until all pass.
wait_healthchecks() {
  local deadline=$((SECONDS + 60)) c pending
  while :; do
    pending=
    for c in $(pm ps --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}}'); do
      [ -n "$(pm inspect --format '{{.Config.Healthcheck}}' "$c" | grep -v '^<nil>$' || true)" ] || continue
      pm healthcheck run "$c" >/dev/null 2>&1 || pending="$pending $c"
    done
    [ -z "$pending" ] && return 0
    [ $SECONDS -lt $deadline ] || fail E_UNHEALTHY "HEALTHCHECK still failing after 60 s:$pending"
    sleep 1
  done
}

# The network CLI in the tools image, offline (--network none): the CAs it starts for enrollments
# listen on the container's own loopback, where it dials. The host needs no Fabric binary.
offline_tools() {
  mkdir -p "$ENERGY_NETWORK_RUN_DIR"
  pm run --rm --network none -e ENERGY_NETWORK_RUN_DIR="$ENERGY_NETWORK_RUN_DIR" \
    -e ENERGY_UTILITIES="$ENERGY_UTILITIES" -e ENERGY_NETWORK_DIAL=loopback \
    -v "$ENERGY_NETWORK_RUN_DIR:$ENERGY_NETWORK_RUN_DIR" -v "$repo/network/config:/app/network/config:ro" \
    "localhost/energy-auction/tools:$VERSION" "$@"
}

# network generate (crypto, channel block, packages, the CAs' first enrollments, connection files,
# compose.env)
generate_in_container() { offline_tools generate --addresses names; }

# The compose file's one-shot `setup` service with the network CLI's ARGS (default `setup`): the
# tools image on the compose network, reaching the nodes and CAs by name as they reach each other.
# Detached, its log followed: an attached `docker-compose run` waited about a minute on Podman's
# API before it returned.
run_tools() {
  local name=${PROJECT}-tools rc
  pm rm -f "$name" >/dev/null 2>&1 || true
  dc --profile setup run -d --name "$name" setup "$@" >/dev/null
  pm logs -f "$name" 2>&1 | sed -u 's/^/  /'
  rc=$(pm wait "$name")
  pm rm "$name" >/dev/null
  [ "$rc" = 0 ] || fail E_TOOLS "the tools container (network $*) exited with $rc (its output is above)"
}

# `compose.sh tools ARGS`: e.g. `identity register --org Utility1 --role bidder --name alice` in
# the tools container, against the running deployment.
tools() {
  [ -f "$ENERGY_NETWORK_RUN_DIR/compose.env" ] || fail E_NO_DEPLOYMENT "no deployment in $ENERGY_NETWORK_RUN_DIR: run compose:up"
  start_api
  start_health_pump
  run_tools "$@"
}

up() {
  local t0=$SECONDS t services=1
  [ "${1:-}" = --no-services ] && services=0
  check_images
  # Ledgers in the volumes belong to the crypto and channel of the run directory that made them: a
  # new run directory (fresh clone, deleted folder) with old volumes would start nodes whose
  # certificates the stored channel does not know.
  if [ ! -d "$ENERGY_NETWORK_RUN_DIR/crypto" ] && [ -n "$(project_volumes)" ]; then
    fail E_STALE_VOLUMES "volumes $(project_volumes | tr '\n' ' ')hold ledgers of another run directory; $ENERGY_NETWORK_RUN_DIR is new. Run: bash deploy/compose/compose.sh down --purge"
  fi
  t=$SECONDS
  generate_in_container 2>&1 | sed -u 's/^/  /' || fail E_GENERATE "network generate failed in the tools container (output above)"
  echo "[compose] generated run directory $ENERGY_NETWORK_RUN_DIR: $((SECONDS - t)) s"
  start_api
  check_ports
  t=$SECONDS
  dc up -d --no-build 2>&1 | sed -u 's/^/  /'
  echo "[compose] containers started: $((SECONDS - t)) s"
  start_health_pump
  t=$SECONDS
  run_tools setup
  echo "[compose] channel joined, chaincode deployed and answering (setup container): $((SECONDS - t)) s"
  if [ "$services" = 1 ]; then
    t=$SECONDS
    dc --profile services up -d --no-build gateway auctioneer 2>&1 | sed -u 's/^/  /'
    stop_api
    echo "[compose] REST API (127.0.0.1:3000) and auctioneer (127.0.0.1:3100) started: $((SECONDS - t)) s"
  fi
  wait_healthchecks
  pm ps --filter "label=com.docker.compose.project=$PROJECT" --format '  {{.Names}}  {{.Status}}'
  echo "[compose] up in $((SECONDS - t0)) s: $ENERGY_UTILITIES utilities (connection files in $ENERGY_NETWORK_RUN_DIR/connection)"
}

# `compose.sh add-utility` with ENERGY_COMPOSE_FILE naming the file for one utility more than the
# running deployment has: the new org joins the live channel (network/src/grow.ts). Its material
# offline in the tools container, the channel config update from the tools container on the
# compose network (signed by a majority of the member orgs' admins), then `up` with the new file
# (the new org's peer, chaincode server and CA start; the others are recreated with the longer
# hosts list, their ledgers stay in their volumes) and the setup job (the peer joins, every org
# approves the chaincode's next definition with the new collection, it is committed). Run again
# after an interruption it finishes the job (a deployment that records the file's utilities already
# skips straight to `up` and setup).
add_utility() {
  local t0=$SECONDS t recorded
  [ -f "$ENERGY_NETWORK_RUN_DIR/compose.env" ] || fail E_NO_DEPLOYMENT "no deployment in $ENERGY_NETWORK_RUN_DIR: run compose:up"
  recorded=$(sed -n 's/^ *"utilities": \([0-9]*\),*$/\1/p' "$ENERGY_NETWORK_RUN_DIR/topology.json")
  check_images
  start_api
  start_health_pump
  if [ "$ENERGY_UTILITIES" = "$recorded" ]; then
    # an earlier add-utility got the org onto the channel and stopped after: finish it
    echo "[compose] Utility$ENERGY_UTILITIES is on the channel already: starting its containers and the setup job"
  else
    [ "$ENERGY_UTILITIES" = $((recorded + 1)) ] ||
      fail E_COMPOSE_FILE "$COMPOSE_FILE is for $ENERGY_UTILITIES utilities; the deployment has $recorded: add-utility wants the file for $((recorded + 1)) (npm run compose:generate -- --utilities $((recorded + 1)) --file F, then ENERGY_COMPOSE_FILE=F)"
    t=$SECONDS
    offline_tools add-utility --step material 2>&1 | sed -u 's/^/  /' || fail E_GENERATE "the new org's material failed in the tools container (output above)"
    echo "[compose] material of Utility$ENERGY_UTILITIES generated: $((SECONDS - t)) s"
    t=$SECONDS
    run_tools add-utility --step channel
    echo "[compose] Utility$ENERGY_UTILITIES added to the channel: $((SECONDS - t)) s"
  fi
  t=$SECONDS
  dc up -d --no-build 2>&1 | sed -u 's/^/  /'
  echo "[compose] containers for $ENERGY_UTILITIES utilities started: $((SECONDS - t)) s"
  t=$SECONDS
  run_tools setup
  echo "[compose] Utility$ENERGY_UTILITIES's peer joined, the chaincode's next definition committed: $((SECONDS - t)) s"
  dc --profile services up -d --no-build gateway auctioneer 2>&1 | sed -u 's/^/  /'
  wait_healthchecks
  echo "[compose] add-utility in $((SECONDS - t0)) s: $ENERGY_UTILITIES utilities"
}

down() {
  local t0=$SECONDS purge=0
  [ "${1:-}" = --purge ] && purge=1
  if [ ! -f "$ENERGY_NETWORK_RUN_DIR/compose.env" ]; then
    echo "[compose] no deployment of $ENERGY_NETWORK_RUN_DIR to take down (compose.env is missing)"
    if [ "$purge" = 1 ] && [ -n "$(project_volumes)" ]; then
      # volumes left by another run directory: nothing else can use them
      # shellcheck disable=SC2046 # one volume name per word
      pm volume rm $(project_volumes) | sed 's/^/  removed volume /'
    fi
    return 0
  fi
  start_api
  # --remove-orphans: the containers of an org added with another compose file (add-utility)
  if [ "$purge" = 1 ]; then
    dc --profile services down --volumes --remove-orphans --timeout 10 2>&1 | sed -u 's/^/  /'
    # an added org's volumes are not in this file
    if [ -n "$(project_volumes)" ]; then
      # shellcheck disable=SC2046 # one volume name per word
      pm volume rm $(project_volumes) | sed 's/^/  removed volume /'
    fi
    rm -rf "$ENERGY_NETWORK_RUN_DIR"
    echo "[compose] purged: containers, named volumes (ledgers) and $ENERGY_NETWORK_RUN_DIR"
  else
    dc --profile services down --remove-orphans --timeout 10 2>&1 | sed -u 's/^/  /'
    echo "[compose] containers removed; ledgers kept in the named volumes (${PROJECT}_*)"
  fi
  echo "[compose] down in $((SECONDS - t0)) s"
}

# `compose.sh backup DIR`: the deployment's whole state, consistent because nothing runs while it is
# copied: `down` (volumes kept), then every project volume (ledgers, CA databases, the auctioneer's
# checkpoint) as DIR/<volume>.tgz (tar in the tools image, no network) and the run directory (crypto
# and keys, the CA registrars, channel block, packages, compose.env) as DIR/run-dir.tgz. `up`
# afterwards resumes.
backup() {
  local dir v t0=$SECONDS
  dir=$(realpath -m "${1:?compose.sh backup <dir>}")
  [ -f "$ENERGY_NETWORK_RUN_DIR/compose.env" ] || fail E_NO_DEPLOYMENT "no deployment in $ENERGY_NETWORK_RUN_DIR to back up"
  check_images
  mkdir -p "$dir"
  down
  for v in $(project_volumes); do
    pm run --rm --network none --entrypoint tar -v "$v:/data:ro" -v "$dir:/backup" \
      "localhost/energy-auction/tools:$VERSION" -C /data -czf "/backup/$v.tgz" .
    echo "[compose] volume $v -> $dir/$v.tgz"
  done
  tar -C "$(dirname "$ENERGY_NETWORK_RUN_DIR")" -czf "$dir/run-dir.tgz" "$(basename "$ENERGY_NETWORK_RUN_DIR")"
  echo "[compose] run directory $ENERGY_NETWORK_RUN_DIR -> $dir/run-dir.tgz"
  echo "[compose] backup in $((SECONDS - t0)) s: $dir (up resumes the deployment)"
}

# `compose.sh restore DIR`: a backup back into place, on a host without this deployment (no project
# volume, no run directory: `down --purge` first). The run directory returns to the same path (the
# connection files and compose.env name it); then `up`.
restore() {
  local dir f v t0=$SECONDS
  dir=$(realpath -m "${1:?compose.sh restore <dir>}")
  [ -f "$dir/run-dir.tgz" ] || fail E_NO_BACKUP "$dir has no run-dir.tgz (made by compose.sh backup)"
  [ ! -e "$ENERGY_NETWORK_RUN_DIR" ] && [ -z "$(project_volumes)" ] ||
    fail E_RESTORE_TARGET "$ENERGY_NETWORK_RUN_DIR or energy-auction_* volumes exist: take that deployment down with --purge first"
  check_images
  mkdir -p "$(dirname "$ENERGY_NETWORK_RUN_DIR")"
  tar -C "$(dirname "$ENERGY_NETWORK_RUN_DIR")" -xzf "$dir/run-dir.tgz"
  for f in "$dir/${PROJECT}"_*.tgz; do
    [ -e "$f" ] || continue
    v=$(basename "$f" .tgz)
    # the labels docker-compose gives its own volumes, so that it adopts these as its own
    pm volume create --label "com.docker.compose.project=$PROJECT" \
      --label "com.docker.compose.volume=${v#"${PROJECT}"_}" "$v" >/dev/null
    pm run --rm --network none --entrypoint tar -v "$v:/data" -v "$dir:/backup:ro" \
      "localhost/energy-auction/tools:$VERSION" -C /data -xzf "/backup/$v.tgz"
    echo "[compose] volume $v <- $f"
  done
  echo "[compose] restored in $((SECONDS - t0)) s: run npm run compose:up (with the compose file it was made with)"
}

case "${1:-}" in
  up) up "${2:-}" ;;
  backup) backup "${2:-}" ;;
  restore) restore "${2:-}" ;;
  add-utility) add_utility ;;
  down) down "${2:-}" ;;
  ps) pm ps -a --filter "label=com.docker.compose.project=$PROJECT" ;;
  logs) pm logs "${2:?compose.sh logs <container name>}" ;;
  tools)
    shift
    tools "$@"
    ;;
  *) fail E_USAGE "usage: compose.sh up [--no-services] | add-utility | down [--purge] | backup <dir> | restore <dir> | ps | logs <container> | tools <network CLI args>" ;;
esac
