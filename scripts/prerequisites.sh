#!/usr/bin/env bash
# Installs the system packages the test suite needs, saying first what and why. Called by scripts/test.sh, so the
# README's test command does the same locally as in CI. Each line of the table: Debian package, a command or file
# that shows it is already there, and why the tests need it. Every row is printed first, present or missing, with
# its reason; then the missing ones are installed (nothing when all are present). Without root or apt-get it only
# says what is missing (tests that need it then skip, or fail under CI=true).
set -uo pipefail

# package | present when this command exists (or this path exists) | why
read -r -d '' TABLE <<'TABLE_END'
prometheus|prometheus|the telemetry tests scrape the server with a real Prometheus
python3|/usr/bin/python3|the Python SDK runs on Debian's Python (pyenv's python3 lacks the Debian packages)
python3-grpcio|/usr/lib/python3/dist-packages/grpc|the Python SDK's gRPC runtime
python3-protobuf|/usr/lib/python3/dist-packages/google/protobuf|the Python SDK's protobuf runtime
protobuf-compiler|protoc|generates the Python SDK's stubs from protos/ at test time
protobuf-compiler-grpc|grpc_python_plugin|generates the Python SDK's gRPC stubs
python3-pytest|/usr/lib/python3/dist-packages/pytest|runs the Python SDK's unit and conformance tests
python3-numpy|/usr/lib/python3/dist-packages/numpy|the Python SDK's array sources and sinks
python3-pil|/usr/lib/python3/dist-packages/PIL|the Python SDK's PIL sources and image decoding in its tests
python3-tifffile|/usr/lib/python3/dist-packages/tifffile|the Python SDK's TIFF sink and window-by-window TIFF source
python3-png|/usr/lib/python3/dist-packages/png.py|decodes 16-bit PNGs in the Python SDK (Pillow reads them as 8-bit)
npm|npm|protos/test.sh installs the pinned buf CLI from npm (buf lint, buf breaking)
libjpeg-turbo-progs|djpeg|the JPEG tests compare the server's decoded pixels with libjpeg-turbo's own cjpeg/djpeg
python3-pil|/usr/lib/python3/dist-packages/PIL|the CMYK JPEG test has PIL (on libjpeg) write an Adobe CMYK file
webp|webpinfo|the WebP tests read the server's output with libwebp's own webpinfo, webpmux and dwebp
golang-go|go|builds and tests the Go SDK (clients/go)
golang-google-grpc-dev|/usr/share/gocode/src/google.golang.org/grpc|the Go SDK's gRPC runtime, built offline from Debian's sources (clients/go/offline.sh)
golang-google-protobuf-dev|/usr/share/gocode/src/google.golang.org/protobuf|the Go SDK's protobuf runtime
golang-github-golang-protobuf-1-5-dev|/usr/share/gocode/src/github.com/golang/protobuf/internal/gengogrpc|the APIv2-backed github.com/golang/protobuf gRPC-Go uses (the 1.3 package breaks generated code)
golang-google-genproto-dev|/usr/share/gocode/src/google.golang.org/genproto/googleapis/rpc/errdetails|the google.rpc error details the Go SDK decodes
protoc-gen-go|protoc-gen-go|generates the Go SDK's messages from protos/ at test time
protoc-gen-go-grpc|protoc-gen-go-grpc|generates the Go SDK's gRPC stubs from protos/ at test time
nodejs|node|builds and tests the TypeScript SDK (clients/typescript; the package targets Node >= 20, its suite runs on bookworm's 18)
kubernetes-client|kubectl|deploy/kubernetes/test.sh and the Kubernetes manifest tests render the kustomize overlays with kubectl kustomize
chromium|chromium|the web page's tests drive Debian's Chromium with playwright-core (clients/web/test.sh)
TABLE_END

missing=()
echo "System packages the tests use (scripts/prerequisites.sh):"
while IFS='|' read -r package probe why; do
  [ -n "$package" ] || continue
  if command -v "$probe" >/dev/null 2>&1 || [ -e "$probe" ] || [ -x "/usr/bin/$probe" ]; then
    echo "  $package: present ($why)"
    continue
  fi
  echo "  $package: missing, to install ($why)"
  missing+=("$package")
done <<< "$TABLE"

if [ ${#missing[@]} -eq 0 ]; then
  echo "  nothing to install"
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "not installing ${missing[*]}: that needs root and apt-get (run 'sudo scripts/prerequisites.sh'); until then the tests that need them skip, or fail under CI=true" >&2
  exit 0
fi

echo "installing with apt-get: ${missing[*]} (log: /tmp/restoregrpc-apt.log)"
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/tmp/restoregrpc-apt.log 2>&1; then
  echo "warning: apt-get could not install ${missing[*]} (see /tmp/restoregrpc-apt.log)" >&2
else
  echo "installed: ${missing[*]}"
fi
exit 0
