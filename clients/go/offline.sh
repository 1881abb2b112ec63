#!/usr/bin/env bash
# Builds vendor/ from the Debian-packaged Go sources in /usr/share/gocode/src, so this module builds and tests
# with no module proxy (GOFLAGS=-mod=vendor GOPROXY=off). Needs: golang-go, golang-google-grpc-dev,
# golang-google-protobuf-dev, golang-google-genproto-dev (scripts/prerequisites.sh lists them).
# The versions in vendor/modules.txt are the ones go.mod requires; the sources are Debian's (bookworm: grpc 1.33.3,
# protobuf-go 1.28.1, genproto 2020, x/net 0.7.0), which satisfy them. With a module proxy none of this is needed: go.mod is a
# normal module file (`go mod tidy` writes go.sum).
set -euo pipefail
cd "$(dirname "$0")"
src="${GOCODE:-/usr/share/gocode/src}"
rm -rf vendor
mkdir -p vendor
# module path | version as go.mod requires it (every vendored module is listed in go.mod, as go ≥ 1.17 wants)
modules=(
  "google.golang.org/genproto|v0.0.0-20200526211855-cb27e3aa2013"
  "google.golang.org/grpc|v1.33.3"
  "google.golang.org/protobuf|v1.28.1"
  "github.com/golang/protobuf|v1.5.2"
  "golang.org/x/net|v0.7.0"
  "golang.org/x/sys|v0.5.0"
  "golang.org/x/text|v0.7.0"
)
: > vendor/modules.txt
for entry in "${modules[@]}"; do
  IFS='|' read -r path version <<< "$entry"
  if [ ! -d "$src/$path" ]; then
    echo "offline.sh: $src/$path is missing (install the Debian golang-*-dev packages)" >&2
    exit 1
  fi
  mkdir -p "vendor/$(dirname "$path")"
  ln -s "$src/$path" "vendor/$path"
  echo "# $path $version" >> vendor/modules.txt
  # "## explicit; go 1.N": the go version of the module's own go.mod sets its language version (as go mod vendor).
  go_version="$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$src/$path/go.mod" 2>/dev/null | head -1)"
  echo "## explicit${go_version:+; go $go_version}" >> vendor/modules.txt
  # Every package directory of the module (Go resolves vendored imports by directory; the list names their module).
  (cd "$src" && find -L "$path" -name '*.go' ! -name '*_test.go' -printf '%h\n' | sort -u | grep -v '/testdata' ) >> vendor/modules.txt
done
