package restoregrpc

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/golang/protobuf/ptypes"
	pb "github.com/restoregrpc/restoregrpc/clients/go/gen/restoregrpc/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestErrorsCarryTheDecodedDetails(t *testing.T) {
	fake := &fakeServer{restore: func(context.Context, *pb.RestoreRequest) (*pb.RestoreResponse, error) {
		s, _ := status.New(codes.InvalidArgument, "not an image").WithDetails(
			&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "image", Description: "unknown format"}}})
		return nil, s.Err()
	}}
	client := startFake(t, fake)
	_, err := client.Restore(context.Background(), []byte("nope"), nil)
	if Code(err) != codes.InvalidArgument {
		t.Fatalf("err = %v", err)
	}
	violations := FieldViolations(err)
	if len(violations) != 1 || violations[0].GetField() != "image" {
		t.Fatalf("violations %v", violations)
	}
	if Describe(err) != "InvalidArgument: image: unknown format" {
		t.Fatalf("describe %q", Describe(err))
	}
}

func TestResourceExhaustedIsRetriedAfterTheServersRetryDelay(t *testing.T) {
	calls := 0
	fake := &fakeServer{restore: func(context.Context, *pb.RestoreRequest) (*pb.RestoreResponse, error) {
		calls++
		if calls < 3 {
			s, _ := status.New(codes.ResourceExhausted, "busy").WithDetails(&errdetails.RetryInfo{RetryDelay: ptypes.DurationProto(5 * time.Millisecond)})
			return nil, s.Err()
		}
		return &pb.RestoreResponse{Image: []byte{1}}, nil
	}}
	client := startFake(t, fake)
	result, err := client.Restore(context.Background(), []byte("x"), nil)
	if err != nil || calls != 3 || len(result.Image) != 1 {
		t.Fatalf("err %v after %d calls", err, calls)
	}
	if delay, ok := RetryDelay(status.ErrorProto(nil)); ok || delay != 0 {
		t.Fatal("no status, no delay")
	}
}

func TestUnavailableIsRetriedByTheServiceConfig(t *testing.T) {
	if os.Getenv("GRPC_GO_RETRY") != "on" {
		// gRPC-Go before 1.40 (Debian's is 1.33) applies retry policies only with GRPC_GO_RETRY=on; test.sh sets it.
		t.Skip("GRPC_GO_RETRY=on is not set (needed by gRPC-Go < 1.40 for service-config retries)")
	}
	calls := 0
	fake := &fakeServer{restore: func(context.Context, *pb.RestoreRequest) (*pb.RestoreResponse, error) {
		calls++
		if calls < 2 {
			return nil, status.Error(codes.Unavailable, "restarting")
		}
		return &pb.RestoreResponse{}, nil
	}}
	client := startFake(t, fake)
	if _, err := client.Restore(context.Background(), []byte("x"), nil); err != nil || calls != 2 {
		t.Fatalf("err %v after %d calls", err, calls)
	}
}

func TestDeadlinesReachTheServer(t *testing.T) {
	fake := &fakeServer{restore: func(ctx context.Context, _ *pb.RestoreRequest) (*pb.RestoreResponse, error) {
		<-ctx.Done()
		return nil, status.FromContextError(ctx.Err()).Err()
	}}
	client := startFake(t, fake)
	_, err := client.Restore(context.Background(), []byte("x"), &RestoreOptions{Timeout: 20 * time.Millisecond})
	if Code(err) != codes.DeadlineExceeded {
		t.Fatalf("err = %v", err)
	}
}

func TestServiceConfigIsValid(t *testing.T) {
	for _, config := range []string{serviceConfig(4, 250*time.Millisecond, 4*time.Second, false, ""), serviceConfig(1, 0, 0, false, ""),
		serviceConfig(4, 250*time.Millisecond, 4*time.Second, true, ReadinessService), serviceConfig(1, 0, 0, true, "")} {
		conn, err := grpc.Dial("127.0.0.1:1", grpc.WithInsecure(), grpc.WithDefaultServiceConfig(config))
		if err != nil {
			t.Fatalf("%s: %v", config, err)
		}
		_ = conn.Close()
	}
}
