#!/usr/bin/env bash
# Installs the npm packages with `npm ci` (exactly the committed package-lock.json) when node_modules
# is missing or older than the lock file. The lock file is complete, other platforms' optional
# bindings included, so `npm ci` needs no fallback; scripts/check-clean-install.sh (run by `npm test`)
# fails if an install ever changes package.json or package-lock.json.
#
# Dependency choices package.json cannot comment on (its `overrides` and `allowScripts`):
# - allowScripts denies (false) the two install scripts in the tree. npm 11.19 still runs scripts it
#   has no entry for, with an "install-scripts … not yet covered by allowScripts" notice (it fails
#   the install only with --strict-allow-scripts); a false entry skips the script silently.
#   - pkcs11js (`node-gyp rebuild`), an optional dependency of @hyperledger/fabric-gateway: it is
#     loaded only by fabric-gateway's HSM signer (signers.newHSMSignerFactory), which the project
#     never uses (identities are PEM files signed with signers.newPrivateKeySigner). Not building it
#     spares a C++ toolchain and a rebuild per Node version. Whoever adds HSM identities approves it:
#     `npm install-scripts approve pkcs11js`.
#   - protobufjs (`node scripts/postinstall`, under @grpc/proto-loader): only prints a warning when a
#     project lists protobufjs with a version prefix other than its versionScheme; nothing is built.
# - overrides pins fastify's light-my-request (used only by fastify's inject, i.e. the tests) to
#   6.6.0: its cookie 1.x runs on Node 20, while 6.8's cookie 2 wants Node >= 22 (EBADENGINE warning
#   on every install under Node 20) and ships ESM only (jest had to transpile it).
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "[deps] npm ci"
  npm ci --no-audit --no-fund
fi
