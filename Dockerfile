# syntax=docker/dockerfile:1
# rulesctl as a small container image: a static (musl) binary on Alpine, run as a non-root user,
# with `rulesctl` as the entry point. For CI (`docker run --rm -v "$PWD:/work" -w /work IMAGE
# check`), the pre-commit framework's docker_image hooks, and as the base of an Argo CD plugin
# sidecar (the base's `sh` runs the plugin's commands). Build it from the repository root:
#
#   docker build -t rulesctl .
#
# .github/workflows/ci.yml builds and smoke-tests it on every change; .github/workflows/release.yml
# pushes it for amd64 and arm64 on every release. (examples/argocd/Dockerfile is the plugin image
# with helm added.)

ARG RUST_VERSION=1.95
ARG ALPINE_VERSION=3.22

# rulesctl from this repository's locked dependencies. On Alpine the Rust target is
# x86_64/aarch64-unknown-linux-musl, and its binaries are static by default.
FROM rust:${RUST_VERSION}-alpine${ALPINE_VERSION} AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY benches/ benches/
COPY hooks/ hooks/
COPY src/ src/
RUN cargo build --release --locked --bin rulesctl \
    && cp target/release/rulesctl /rulesctl \
    && /rulesctl --version

FROM alpine:${ALPINE_VERSION}
COPY --from=build /rulesctl /usr/local/bin/rulesctl
# 999 is the uid an Argo CD config-management plugin sidecar runs as.
RUN addgroup -S -g 999 rulesctl && adduser -S -D -H -u 999 -G rulesctl rulesctl
USER 999:999
WORKDIR /work
ENTRYPOINT ["rulesctl"]
CMD ["--help"]
