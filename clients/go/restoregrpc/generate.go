// Package restoregrpc is the Go SDK for a RestoreGrpc server: image restoration (super-resolution, faces) over
// gRPC, with tiling, streaming, retries and progress handled here.
//
// The protobuf and gRPC code it builds on is generated from the repository's protos/ (never committed):
//
//	go generate ./...   # runs ../gen.sh: protoc + protoc-gen-go + protoc-gen-go-grpc into ../gen
package restoregrpc

//go:generate ../gen.sh
