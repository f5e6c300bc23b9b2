# syntax=docker/dockerfile:1
# app image: the React app (`app/`, built by `npm run build -w app`) as a static bundle, served by
# an unprivileged nginx that also proxies the live and GraphQL paths to the gateway, so the
# browser talks to one origin (no CORS preflight, cookies stay first-party).
#
# Build from the repository root:  docker build -f deploy/docker/app.Dockerfile -t payment-platform/app .
# Run with GATEWAY_UPSTREAM=<host>:<port> of the gateway (default gateway:4000).

ARG NODE_IMAGE=node:24.21.0-slim
ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:1.28-alpine
# Where `npm run build -w app` writes the bundle (Vite's default outDir).
ARG APP_DIST=app/dist

# 1. Manifests only, so the install layer is cached until a dependency changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete && find . -type d -empty -delete

# 2. Build: the bundler and its plugins are devDependencies, so this is a full locked install.
#    --ignore-scripts: esbuild and rollup ship prebuilt platform packages, and the root's `node`
#    devDependency would download a second Node binary.
FROM ${NODE_IMAGE} AS build
ARG APP_DIST
WORKDIR /src
ENV npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
COPY --from=manifests /src ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts
COPY . .
RUN npm run build -w app && test -f "${APP_DIST}/index.html" && cp -a "${APP_DIST}" /bundle

# 3. Runtime: static files and nginx only, no Node. The nginx-unprivileged image runs as uid 101
#    and listens on 8080; its entrypoint renders /etc/nginx/templates/*.template with the
#    environment (GATEWAY_UPSTREAM) into /etc/nginx/conf.d at start.
FROM ${NGINX_IMAGE} AS runtime
ENV GATEWAY_UPSTREAM=gateway:4000 \
    NGINX_ENTRYPOINT_LOCAL_RESOLVERS=1 \
    NGINX_ENVSUBST_OUTPUT_DIR=/etc/nginx/conf.d
COPY deploy/docker/app-nginx.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /bundle /usr/share/nginx/html
USER 101:101
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health/live"]
