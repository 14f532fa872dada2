#!/usr/bin/env bash
# `npm test`'s deps phase: installs the npm packages (scripts/ensure-deps.sh) and fails if that changed
# package.json or package-lock.json, e.g. an npm that rewrites an incomplete lock file. On a fresh
# clone (.ci/run) this means `git status --porcelain` shows neither file after the install; a
# developer's own uncommitted edits to them are compared byte for byte instead, so they don't fail it.
set -euo pipefail
cd "$(dirname "$0")/.."
files=(package.json package-lock.json)
before=$(sha256sum "${files[@]}")
bash scripts/ensure-deps.sh
if [ "$(sha256sum "${files[@]}")" != "$before" ]; then
  echo "[deps] the install changed package.json or package-lock.json:" >&2
  git status --porcelain -- "${files[@]}" >&2 || true
  echo "[deps] commit a complete lock file (run npm install, review git diff) instead" >&2
  exit 1
fi
