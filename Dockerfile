# syntax=docker/dockerfile:1
# Builds the three binaries (api, worker, migration) into one small image. The build context is
# the sources only (.dockerignore); BuildKit cache mounts keep the registry and compiled
# dependencies between builds, so a change to Anju's code rebuilds Anju's crates only.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p api -p worker -p migration \
 && cp target/release/api target/release/worker target/release/migration /usr/local/bin/

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/anju --create-home anju
COPY --from=build /usr/local/bin/api /usr/local/bin/worker /usr/local/bin/migration /usr/local/bin/
USER anju
WORKDIR /var/lib/anju
ENV ANJU_LISTEN=0.0.0.0:8080 ANJU_DATA_DIR=/var/lib/anju/data ANJU_LOG_FORMAT=json
# 8080: the api; 9464: its metrics (ANJU_METRICS_LISTEN); 8090: the worker's status and metrics.
EXPOSE 8080 8090 9464
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["api", "healthcheck"]
CMD ["api"]
