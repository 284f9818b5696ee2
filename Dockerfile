# syntax=docker/dockerfile:1
# Multi-stage build: dependencies compile in their own cached layer, the release
# binary is copied into a small runtime image that runs as a non-root user.

FROM rust:1.89-bookworm AS build
WORKDIR /src
# Build the dependency tree alone first, so editing src/ does not rebuild it.
COPY Cargo.toml Cargo.lock ./
# The C flags the allocator is built with (.cargo/config.toml).
COPY .cargo .cargo
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src target/release/.fingerprint/scrutiny-*
COPY migrations migrations
COPY data data
COPY templates templates
COPY src src
RUN cargo build --release --locked

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/scrutiny --create-home scrutiny
COPY --from=build /src/target/release/scrutiny /usr/local/bin/scrutiny
USER scrutiny
WORKDIR /var/lib/scrutiny
ENV SCRUTINY_ADDR=0.0.0.0:8080 \
    SCRUTINY_DATA_DIR=/var/lib/scrutiny \
    RUST_LOG=info,actix_server=warn
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["/usr/local/bin/scrutiny"]
CMD ["serve"]
