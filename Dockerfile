# syntax=docker/dockerfile:1
# carfare: one image for every process (`serve pricing`, `serve waiver`, `migrate`, `jobs run …`).
# Build: docker build -t carfare .            (production image, the last stage)
#        docker build --target demo -t carfare-demo .   (adds examples/ so `docker run -p 50051:50051 carfare-demo`
#                                                         serves the seeded one-command demo on embedded PGlite)
# No Docker engine runs on the development machine: `npm run check:deploy` checks this file statically and
# simulates the runtime stage (clean `npm ci --omit=dev`, then the entrypoint runs `--help` and `migrate`).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: the whole toolchain, compiles packages/*/dist ------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY packages/kit/package.json packages/kit/
COPY packages/pricing/package.json packages/pricing/
COPY packages/damage-waiver/package.json packages/damage-waiver/
COPY packages/cli/package.json packages/cli/
# --ignore-scripts: the root `prepare` (tsc -b) needs the sources, which are not copied yet (layer caching).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY packages/ packages/
RUN npm run build

# ---- runtime-base: production dependencies + compiled code, nothing else -----------------------------------
FROM ${NODE_IMAGE} AS runtime-base
ENV NODE_ENV=production \
    CARFARE_HOST=0.0.0.0 \
    CARFARE_DATA_DIR=/tmp/carfare
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/kit/package.json packages/kit/
COPY packages/pricing/package.json packages/pricing/
COPY packages/damage-waiver/package.json packages/damage-waiver/
COPY packages/cli/package.json packages/cli/
# --omit=dev: no TypeScript, Vitest, Biome… --ignore-scripts: the root `prepare` runs `tsc -b`, which is a
# devDependency; the runtime dependencies need no install scripts (check:deploy proves it on a clean install).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/packages/kit/dist packages/kit/dist
COPY --from=build /src/packages/pricing/dist packages/pricing/dist
COPY --from=build /src/packages/damage-waiver/dist packages/damage-waiver/dist
COPY --from=build /src/packages/cli/dist packages/cli/dist
COPY packages/cli/bin packages/cli/bin
# SQL migrations, read by `carfare migrate` (and by `serve` at start) next to each package's dist.
COPY packages/pricing/migrations packages/pricing/migrations
COPY packages/damage-waiver/migrations packages/damage-waiver/migrations
# The buf image of the gRPC contract, read at runtime (reflection, quote encoding); tsc does not copy it.
COPY packages/pricing/src/adapters/grpc/gen/descriptor.binpb packages/pricing/src/adapters/grpc/gen/descriptor.binpb
# Numeric, non-root user (Kubernetes `runAsNonRoot` can only verify a numeric UID). The code is owned by root
# and read-only for it; it writes only to /tmp (an emptyDir in Kubernetes).
USER 10001:10001
EXPOSE 50051 8080 9464
# node is PID 1 (not npm, not a shell): it receives SIGTERM itself and drains (CARFARE_SHUTDOWN_GRACE_MS).
ENTRYPOINT ["node", "packages/cli/bin/carfare.js"]
CMD ["serve", "all"]

# ---- demo: the one-command demo (embedded PGlite seeded with the example tariffs and waiver policies) --------
FROM runtime-base AS demo
COPY examples examples

# ---- production (default target): no examples. Production runs against DATABASE_URL, where `serve` seeds
# nothing unless given --seed; example tariffs have no business in a production image.
FROM runtime-base AS production
