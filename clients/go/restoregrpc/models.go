package restoregrpc

import (
	"context"

	pb "github.com/restoregrpc/restoregrpc/clients/go/gen/restoregrpc/v1"
	"google.golang.org/grpc"
)

// Live model management (restoregrpc.v1.ModelAdminService; the admin role when the server has authentication on).
// Each call returns the model's state after it: a file that does not load is reported as
// pb.ModelState_MODEL_STATE_FAILED with the reason in StateDetail, not as an error.

// LoadModel loads a catalog entry that is not loaded (missing, failed or unloaded); it is warmed up before it
// takes traffic.
func (c *Client) LoadModel(ctx context.Context, name string, callOptions ...grpc.CallOption) (*pb.ModelInfo, error) {
	return c.load(ctx, &pb.LoadModelRequest{Name: name}, callOptions)
}

// AddModel adds a catalog entry from a file already in the server's model folder (its SHA-256 checked) and
// loads it.
func (c *Client) AddModel(ctx context.Context, model *pb.NewModel, callOptions ...grpc.CallOption) (*pb.ModelInfo, error) {
	return c.load(ctx, &pb.LoadModelRequest{NewModel: model}, callOptions)
}

// UnloadModel unloads a model: new requests naming it fail with FAILED_PRECONDITION; running ones finish.
func (c *Client) UnloadModel(ctx context.Context, name string, callOptions ...grpc.CallOption) (*pb.ModelInfo, error) {
	ctx, cancel := c.withTimeout(ctx, 0)
	defer cancel()
	response, err := c.admin.UnloadModel(ctx, &pb.UnloadModelRequest{Name: name}, callOptions...)
	if err != nil {
		return nil, err
	}
	return response.GetModel(), nil
}

// ReloadModel reloads a model from its file and swaps it in without failing running or new requests; a file that
// does not load leaves the previous session serving.
func (c *Client) ReloadModel(ctx context.Context, name string, callOptions ...grpc.CallOption) (*pb.ModelInfo, error) {
	ctx, cancel := c.withTimeout(ctx, 0)
	defer cancel()
	response, err := c.admin.ReloadModel(ctx, &pb.ReloadModelRequest{Name: name}, callOptions...)
	if err != nil {
		return nil, err
	}
	return response.GetModel(), nil
}

// SetDefaultModel makes a ready super-resolution model the default and returns the default after the call.
func (c *Client) SetDefaultModel(ctx context.Context, name string, callOptions ...grpc.CallOption) (string, error) {
	ctx, cancel := c.withTimeout(ctx, 0)
	defer cancel()
	response, err := c.admin.SetDefaultModel(ctx, &pb.SetDefaultModelRequest{Name: name}, callOptions...)
	if err != nil {
		return "", err
	}
	return response.GetDefaultModel(), nil
}

// Admin is the generated ModelAdminService stub, for what the SDK does not wrap.
func (c *Client) Admin() pb.ModelAdminServiceClient { return c.admin }

func (c *Client) load(ctx context.Context, request *pb.LoadModelRequest, callOptions []grpc.CallOption) (*pb.ModelInfo, error) {
	ctx, cancel := c.withTimeout(ctx, 0)
	defer cancel()
	response, err := c.admin.LoadModel(ctx, request, callOptions...)
	if err != nil {
		return nil, err
	}
	return response.GetModel(), nil
}
