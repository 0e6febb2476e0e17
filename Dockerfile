# One image per service of apps/, built from the same file:
#   docker build --build-arg SERVICE=payment --build-arg PORT=3020 -t ai-finance-payment:local .
# docker-compose.enhanced.yml passes both arguments for each of the ten services, and builds the `tools`
# target for the stack's one-shot setup containers. docs/stack.md explains the choices.
#
# Stages, in file order (the legacy builder builds every stage up to the target, BuildKit only those the
# target needs):
#   manifests    only the package.json files and the lock file, so that the npm ci layers stay cached
#                while only code changes
#   deps         every dependency (npm ci), then the sources
#   prod-deps    production dependencies only
#   runtime      Node, NODE_ENV=production and the production node_modules: the base of what runs
#   tools-build, tools   the one-shots' programs: render-alertmanager and the Uptime Kuma provisioning
#   build        `nx run <service>:build`, which builds the libraries the service depends on first
#   service      the default target: one service, run by the non-root user `node`
#
# Install scripts: npm runs with --ignore-scripts everywhere, so that the image does not depend on the
# npm version's policy (the npm bundled with Node 24.11 runs dependencies' install scripts; npm 11.19, on
# the development machine, skips them unless package.json's allowScripts lists the package). Only
# argon2 (user-management) needs one: prod-deps compiles it from source in the full Debian image (gcc,
# make, python3) against this Node's headers, with an explicit `npm rebuild argon2 --build-from-source`.
# Its bundled prebuilt binaries are not relied on: on the development machine (x86-64, glibc 2.36) the
# linux-x64 prebuild crashes Node (SIGSEGV) as soon as it is loaded, while the same source compiled there
# works. node-gyp-build loads build/Release before prebuilds/, and the service stage hashes once at build
# time to prove it. nx, @swc/core and @parcel/watcher need no script: their native binaries come in
# platform packages, as plain files.

ARG NODE_IMAGE=node:24.11.1-bookworm-slim
# The same Node on the full Debian image, which has the compiler toolchain; used for building only.
ARG NODE_BUILD_IMAGE=node:24.11.1-bookworm

FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && find . -name node_modules -prune -o \( -name package.json -o -name package-lock.json \) -type f -print0 \
    | tar --null --files-from=- --create --file=- \
    | tar --extract --file=- --directory=/manifests

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV CI=true NX_DAEMON=false NX_NO_CLOUD=true
COPY --from=manifests /manifests/ ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .

FROM ${NODE_BUILD_IMAGE} AS prod-deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
# Only build/Release/argon2.node is kept of argon2's build; the headers are the image's own (no download).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm_config_nodedir=/usr/local npm rebuild argon2 --build-from-source \
 && mv node_modules/argon2/build/Release/argon2.node /tmp/argon2.node \
 && rm -rf node_modules/argon2/build \
 && mkdir -p node_modules/argon2/build/Release \
 && mv /tmp/argon2.node node_modules/argon2/build/Release/argon2.node \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# node_modules links the workspace packages (@ai-finance/*) to their folders, whose package.json files
# come along; each image adds the dist folders it runs.
COPY --from=prod-deps /app/ ./

# monitoring-tools depends on every app (its tests start them); its build needs only the observability
# library, which the uptime-kuma-tools build has just built.
FROM deps AS tools-build
RUN npx nx run uptime-kuma-tools:build --outputStyle=stream \
 && npx nx run monitoring-tools:build --excludeTaskDependencies --outputStyle=stream \
 && sh monitoring/compose/gather-dist.sh /out tools/monitoring tools/uptime-kuma

# The one-shots of docker-compose.enhanced.yml (alertmanager-config, uptime-kuma-setup). The configuration
# they read (monitoring/alertmanager, monitoring/prometheus, monitoring/uptime-kuma) is mounted from the
# working tree, as it is for Prometheus. /rendered is where alertmanager-config writes Alertmanager's
# configuration: owned by 65534, the user Alertmanager runs as, so that a new named volume mounted there
# takes that owner.
FROM runtime AS tools
COPY --from=tools-build /out/ ./
RUN mkdir /rendered && chown 65534:65534 /rendered && chmod 0700 /rendered
USER node
CMD ["node", "--version"]

FROM deps AS build
ARG SERVICE
RUN if [ -z "${SERVICE}" ] || [ ! -f "apps/${SERVICE}/project.json" ]; then \
      echo "build argument SERVICE must name a folder of apps/ (got \"${SERVICE}\"): $(ls apps | tr '\n' ' ')" >&2; exit 1; \
    fi \
 && npx nx run "${SERVICE}:build" --outputStyle=stream \
 && sh monitoring/compose/gather-dist.sh /out "apps/${SERVICE}"

FROM runtime AS service
ARG SERVICE
ARG PORT
RUN case "${PORT}" in ''|*[!0-9]*) echo "build argument PORT must be the service's port number (got \"${PORT}\")" >&2; exit 1 ;; esac
COPY --from=build /out/ ./
RUN node -e "require('argon2').hash('build-time check').then(() => process.exit(0), (error) => { console.error(error); process.exit(1); })"
ENV SERVICE=${SERVICE} PORT=${PORT}
EXPOSE ${PORT}
USER node
# The service's own folder: `node dist/main.js` here is `node apps/<service>/dist/main.js` from /app.
# An exec-form CMD cannot expand a build argument, and a shell in between would not pass SIGTERM on.
WORKDIR /app/apps/${SERVICE}
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.MANAGEMENT_PORT || process.env.PORT) + '/health/ready', { signal: AbortSignal.timeout(4000) }).then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
