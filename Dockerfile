# syntax=docker/dockerfile:1
# Agent Audit Collector image: the ocb-built collector and auditctl as static binaries on distroless,
# running as a numbered non-root user, with no shell or package manager at run time.
#   docker build -t agentaudit/otelcol-agentaudit:0.1.0 .
#   docker run -v $PWD/certs:/etc/agentaudit/tls ... agentaudit/otelcol-agentaudit:0.1.0 --config /etc/agentaudit/gateway.yaml

ARG GO_VERSION=1.26
FROM golang:${GO_VERSION}-bookworm AS build
# Static binaries: no libc needed in the runtime image.
ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false
WORKDIR /src
# ocb is pinned to the collector release the distribution uses (builder-config.yaml).
RUN go install go.opentelemetry.io/collector/cmd/builder@v0.165.0
# Dependencies first, so source edits reuse the module download layer.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/root/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/root/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    builder --config builder-config.yaml \
 && go build -trimpath -ldflags="-s -w" -o /out/auditctl ./cmd/auditctl \
 && cp build/otelcol-agentaudit /out/otelcol-agentaudit \
 && mkdir -p /out/var/lib/agentaudit/queue /out/var/lib/agentaudit/dead-letter

FROM gcr.io/distroless/static-debian12:nonroot
# distroless "nonroot" is uid/gid 65532; stated numerically so Kubernetes can verify runAsNonRoot.
COPY --from=build /out/otelcol-agentaudit /out/auditctl /usr/local/bin/
COPY config/ /etc/agentaudit/
# The persistent queue and dead letters live here; mount a volume over it in production.
COPY --from=build --chown=65532:65532 /out/var/lib/agentaudit /var/lib/agentaudit
USER 65532:65532
# OTLP gRPC, OTLP HTTP, own metrics, health check.
EXPOSE 4317 4318 8888 13133
ENTRYPOINT ["/usr/local/bin/otelcol-agentaudit"]
CMD ["--config", "/etc/agentaudit/gateway.yaml"]
