# The ethfleet image: one static binary on a distroless base, run as an
# unprivileged user. The deploy targets run it as the gateway, as each
# node's agent and as the one-shot snapshot restore before a node starts.
#
#   docker build -t ethfleet:dev --build-arg VERSION=$(git describe --always) .
#   docker run --rm ethfleet:dev version

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# CGO off: go-ethereum falls back to its pure-Go secp256k1, and the binary
# needs no libc at all.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/ethfleet ./cmd/ethfleet

# distroless/static: CA certificates, /etc/passwd with "nonroot" (65532),
# tzdata, and nothing else: no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ethfleet /usr/local/bin/ethfleet
USER 65532:65532
# 8545: the gateway's JSON-RPC; 6060: the ops server (/ready, /metrics).
EXPOSE 8545 6060
ENTRYPOINT ["/usr/local/bin/ethfleet"]
CMD ["--help"]
