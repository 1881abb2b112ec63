# Sourced by test.sh and conformance.sh: generates the code from protos/ and, where Debian's Go sources are
# installed and no module proxy is configured, builds offline against them (vendor/ made by offline.sh).
# Returns non-zero with a message when it cannot.
export GRPC_GO_RETRY=on # service-config retries in gRPC-Go < 1.40 (Debian has 1.33); newer versions ignore it
export GOFLAGS="${GOFLAGS:-}"
if [ -z "${GOPROXY:-}" ] && [ -d /usr/share/gocode/src/google.golang.org/grpc ]; then
  ./offline.sh || return 1
  export GOFLAGS="-mod=vendor $GOFLAGS" GOPROXY=off
fi
./gen.sh || { echo "go: code generation from protos/ failed"; return 1; }
