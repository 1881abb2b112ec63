#!/usr/bin/env bash
# Generates the Go code for protos/restoregrpc/v1 into gen/restoregrpc/v1 (package restoregrpcv1) with protoc,
# protoc-gen-go and protoc-gen-go-grpc (Debian: protobuf-compiler, protoc-gen-go, protoc-gen-go-grpc). The
# generated code is never committed; `go generate ./...` runs this script.
set -euo pipefail
cd "$(dirname "$0")"
protos="$(cd ../../protos && pwd)"
pkg="github.com/restoregrpc/restoregrpc/clients/go/gen/restoregrpc/v1"
out="gen/restoregrpc/v1"
rm -rf gen && mkdir -p "$out"
files=(restoregrpc/v1/image.proto restoregrpc/v1/models.proto restoregrpc/v1/restore_service.proto restoregrpc/v1/model_admin_service.proto)
m=()
for f in "${files[@]}"; do m+=("--go_opt=M$f=$pkg;restoregrpcv1" "--go-grpc_opt=M$f=$pkg;restoregrpcv1"); done
protoc -I "$protos" \
  --go_out="$out" --go_opt=paths=source_relative \
  --go-grpc_out="$out" --go-grpc_opt=paths=source_relative \
  "${m[@]}" "${files[@]}"
# paths=source_relative keeps restoregrpc/v1/ below the output folder: flatten it into the package folder.
mv "$out"/restoregrpc/v1/*.go "$out"/ && rm -rf "$out/restoregrpc"
