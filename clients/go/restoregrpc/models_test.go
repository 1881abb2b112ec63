package restoregrpc

import (
	"context"
	"strings"
	"sync"
	"testing"

	pb "github.com/restoregrpc/restoregrpc/clients/go/gen/restoregrpc/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// fakeAdmin is an in-process ModelAdminService that records what it was sent.
type fakeAdmin struct {
	pb.UnimplementedModelAdminServiceServer
	mu       sync.Mutex
	requests []string
}

func (f *fakeAdmin) record(what string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, what)
}

func (f *fakeAdmin) LoadModel(_ context.Context, r *pb.LoadModelRequest) (*pb.LoadModelResponse, error) {
	if n := r.GetNewModel(); n != nil {
		f.record("add " + n.GetName() + " " + n.GetSha256())
		if strings.Contains(n.GetFile(), "/") {
			s, _ := status.New(codes.InvalidArgument, "new_model.file: no directories").WithDetails(
				&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "new_model.file", Description: "no directories"}}})
			return nil, s.Err()
		}
		return &pb.LoadModelResponse{Model: &pb.ModelInfo{Name: n.GetName(), State: pb.ModelState_MODEL_STATE_READY}}, nil
	}
	f.record("load " + r.GetName())
	return &pb.LoadModelResponse{Model: &pb.ModelInfo{Name: r.GetName(), State: pb.ModelState_MODEL_STATE_READY}}, nil
}

func (f *fakeAdmin) UnloadModel(_ context.Context, r *pb.UnloadModelRequest) (*pb.UnloadModelResponse, error) {
	f.record("unload " + r.GetName())
	if r.GetName() == "nope" {
		return nil, status.Error(codes.NotFound, "model 'nope' is not in the catalog")
	}
	return &pb.UnloadModelResponse{Model: &pb.ModelInfo{Name: r.GetName(), State: pb.ModelState_MODEL_STATE_UNLOADED}}, nil
}

func (f *fakeAdmin) ReloadModel(_ context.Context, r *pb.ReloadModelRequest) (*pb.ReloadModelResponse, error) {
	f.record("reload " + r.GetName())
	return &pb.ReloadModelResponse{Model: &pb.ModelInfo{Name: r.GetName(), State: pb.ModelState_MODEL_STATE_FAILED, StateDetail: "truncated; the previous session keeps serving"}}, nil
}

func (f *fakeAdmin) SetDefaultModel(_ context.Context, r *pb.SetDefaultModelRequest) (*pb.SetDefaultModelResponse, error) {
	f.record("default " + r.GetName())
	return &pb.SetDefaultModelResponse{DefaultModel: r.GetName()}, nil
}

func startAdmin(t *testing.T, fake *fakeAdmin) *Client {
	t.Helper()
	return serveOnLoopback(t, func(server *grpc.Server) { pb.RegisterModelAdminServiceServer(server, fake) })
}

func TestModelAdminMethodsSendTheirRequestsAndReturnTheState(t *testing.T) {
	fake := &fakeAdmin{}
	client := startAdmin(t, fake)
	ctx := context.Background()

	if m, err := client.LoadModel(ctx, "x2"); err != nil || m.GetState() != pb.ModelState_MODEL_STATE_READY {
		t.Fatalf("load: %v %v", m, err)
	}
	sha := strings.Repeat("a", 64)
	if m, err := client.AddModel(ctx, &pb.NewModel{Name: "n", File: "n.onnx", Sha256: sha, Task: pb.ModelTask_MODEL_TASK_SUPER_RESOLUTION, Scale: 2}); err != nil || m.GetName() != "n" {
		t.Fatalf("add: %v %v", m, err)
	}
	if m, err := client.UnloadModel(ctx, "x2"); err != nil || m.GetState() != pb.ModelState_MODEL_STATE_UNLOADED {
		t.Fatalf("unload: %v %v", m, err)
	}
	if m, err := client.ReloadModel(ctx, "anime"); err != nil || m.GetState() != pb.ModelState_MODEL_STATE_FAILED || !strings.Contains(m.GetStateDetail(), "keeps serving") {
		t.Fatalf("reload: %v %v", m, err)
	}
	if d, err := client.SetDefaultModel(ctx, "x2"); err != nil || d != "x2" {
		t.Fatalf("default: %q %v", d, err)
	}
	want := []string{"load x2", "add n " + sha, "unload x2", "reload anime", "default x2"}
	if strings.Join(fake.requests, "|") != strings.Join(want, "|") {
		t.Fatalf("requests %v, want %v", fake.requests, want)
	}
}

func TestModelAdminErrorsKeepTheirCodeAndField(t *testing.T) {
	client := startAdmin(t, &fakeAdmin{})
	ctx := context.Background()
	if _, err := client.UnloadModel(ctx, "nope"); Code(err) != codes.NotFound {
		t.Fatalf("unload nope: %v", err)
	}
	_, err := client.AddModel(ctx, &pb.NewModel{Name: "n", File: "../n.onnx"})
	if Code(err) != codes.InvalidArgument {
		t.Fatalf("add: %v", err)
	}
	if v := FieldViolations(err); len(v) != 1 || v[0].GetField() != "new_model.file" {
		t.Fatalf("violations %v", v)
	}
}
