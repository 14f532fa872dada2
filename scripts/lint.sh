#!/usr/bin/env bash
# `npm run lint` (and `npm run format` with --write): ESLint and Prettier over the project's files, i.e.
# the files git tracks, so whatever a user leaves in the checkout (a `round.json` written by the
# README's CLI examples, outputs in work/) can't fail `npm test`; then the import-direction rules.
# Outside a git checkout (an unpacked tarball) it checks the folder as before.
set -euo pipefail
cd "$(dirname "$0")/.."
write=0
[ "${1:-}" = "--write" ] && write=1

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Tracked files that still exist (a file deleted but not yet committed is no longer there).
  files=()
  while IFS= read -r -d '' f; do [ -f "$f" ] && files+=("$f"); done < <(git ls-files -z)
  ts=()
  for f in "${files[@]}"; do [[ $f == *.ts ]] && ts+=("$f"); done
else
  files=(.)
  ts=(.)
fi

if [ "$write" = 1 ]; then
  exec npx prettier --write --ignore-unknown --log-level warn "${files[@]}"
fi
npx eslint --no-warn-ignored "${ts[@]}"
npx prettier --check --ignore-unknown "${files[@]}"
npm run --silent lint:imports
