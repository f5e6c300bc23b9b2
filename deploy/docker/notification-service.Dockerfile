# syntax=docker/dockerfile:1
# notification-service image: inbox, preferences, templates, email/SMS/push delivery (subgraph + workers).
#
# Build from the repository root (the context must hold every workspace's package.json and the
# lockfile):  docker build -f deploy/docker/notification-service.Dockerfile -t payment-platform/notification-service .
# The ignore file beside this Dockerfile (notification-service.Dockerfile.dockerignore) keeps node_modules,
# build output, data and secrets out of the context.

ARG NODE_IMAGE=node:24.21.0-slim

# 1. The package manifests alone: the install layer below is rebuilt only when a dependency
#    changes, not on every source edit.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete && find . -type d -empty -delete

# 2. Dependencies, locked by package-lock.json.
#    - tsx: the services run their TypeScript sources through it (the `source` export
#      condition), exactly as `npm start -w notification-service` does; it is a root devDependency, so it is
#      taken with its esbuild binary from a full install before the production-only one.
#    - production dependencies of the workspaces notification-service runs, and nothing else: the root
#      manifest is narrowed to them first (the lockfile still pins every version), because
#      `npm ci --workspace` installs every workspace's dependencies anyway. So the image holds
#      neither the embedded engine nor vitest nor the gateway stack (deploy/test/packages.test.ts).
#    - --ignore-scripts: no install script is needed at run time (esbuild and msgpackr ship
#      prebuilt platform packages), and the root's `node` devDependency would download a second
#      Node binary.
FROM ${NODE_IMAGE} AS deps
WORKDIR /src
ENV npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
COPY --from=manifests /src ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts \
 && mkdir -p /tools/node_modules/@esbuild \
 && cp -a node_modules/tsx node_modules/esbuild /tools/node_modules/ \
 && cp -a node_modules/@esbuild/. /tools/node_modules/@esbuild/ \
 && rm -rf node_modules */node_modules scripts/*/node_modules \
 && node -e "const fs = require('node:fs'); const p = JSON.parse(fs.readFileSync('package.json', 'utf8')); p.workspaces = process.argv.slice(1); fs.writeFileSync('package.json', JSON.stringify(p))" access-engine core-service notification-service \
 && npm ci --ignore-scripts --omit=dev \
 && cp -a /tools/node_modules/. node_modules/ \
 && mkdir -p /out/node_modules && cp -a node_modules/. /out/node_modules/ \
 && for workspace in access-engine core-service notification-service; do \
      if [ -d "$workspace/node_modules" ]; then mkdir -p "/out/$workspace" && cp -a "$workspace/node_modules" "/out/$workspace/"; fi; \
    done

# 3. Runtime: Node, the dependencies, and only the workspaces notification-service runs
#    (access-engine ← core-service ← notification-service).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4004 \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=deps /out/ ./
COPY package.json tsconfig.base.json ./
COPY access-engine/package.json access-engine/tsconfig.json ./access-engine/
COPY access-engine/src ./access-engine/src
COPY core-service/package.json core-service/tsconfig.json ./core-service/
COPY core-service/src ./core-service/src
COPY notification-service/package.json notification-service/tsconfig.json ./notification-service/
COPY notification-service/src ./notification-service/src
WORKDIR /app/notification-service
# The image's own unprivileged `node` user, by number so that runAsNonRoot can verify it.
# Files stay root-owned: the process cannot rewrite its own code.
USER 1000:1000
EXPOSE 4004
# node:24-slim has neither curl nor wget; Node's fetch is the probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=40s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || '4004') + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The workspace's `start` script (`tsx --conditions=source --import core-service/tracing/register
# src/index.ts`) as one node process, without the npm and tsx wrapper processes: SIGTERM reaches
# the service's lifecycle, which stops accepting, drains in-flight requests and closes its
# connections. tsx's loader comes first so the tracing hook (TypeScript) can load; tracing stays
# off unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
CMD ["node", "--conditions=source", "--import", "tsx", "--import", "core-service/tracing/register", "src/index.ts"]
