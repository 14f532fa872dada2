#!/usr/bin/env bash
# Installs docker-compose (Debian package, v1) when missing: the integration tests validate
# docker-compose.yaml with `docker-compose config -q`, which needs no Docker engine.
set -euo pipefail
if command -v docker-compose >/dev/null; then exit 0; fi
echo "[compose] installing docker-compose (apt) ..."
sudo=""
if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
docker-compose version --short
