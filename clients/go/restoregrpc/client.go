package restoregrpc

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"time"

	pb "github.com/restoregrpc/restoregrpc/clients/go/gen/restoregrpc/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// Options are the connection settings of a Client. The zero value works: plaintext HTTP/2, ×4-sized message
// limits, four attempts on UNAVAILABLE, five stream reconnects.
type Options struct {
	// Credentials for TLS; nil dials plaintext (h2c), as a loopback or in-cluster server expects, unless CAFile or
	// CertFile asks for TLS.
	Credentials credentials.TransportCredentials
	// CAFile is a PEM bundle of the CAs that sign the server's certificate (instead of the system roots); implies TLS.
	CAFile string
	// CertFile and KeyFile are the PEM client certificate and key presented for mTLS; imply TLS.
	CertFile, KeyFile string
	// APIKey is sent as x-api-key metadata on every call (per-RPC credentials).
	APIKey string
	// BearerToken (a JWT) is sent as "authorization: Bearer …" on every call.
	BearerToken string
	// TokenSource, instead of BearerToken, is asked for the token before every call (for tokens that expire).
	TokenSource func(ctx context.Context) (string, error)
	// AllowInsecureCredentials lets APIKey/BearerToken go over plaintext to a loopback server; without it Dial
	// refuses them on a plaintext connection (ErrInsecureCredentials). See Options.FromEnvironment for
	// $RESTORE_API_KEY and $RESTORE_TOKEN. Options' String never shows the secrets.
	AllowInsecureCredentials bool
	// MaxReceiveMessageBytes is the largest response accepted (×4 outputs are 16× the input pixels); 0 for 512 MiB.
	MaxReceiveMessageBytes int
	// MaxSendMessageBytes is the largest request sent; 0 for 128 MiB.
	MaxSendMessageBytes int
	// DefaultTimeout is the deadline of calls that set none; 0 for none.
	DefaultTimeout time.Duration
	// MaxAttempts per call, the first included, on UNAVAILABLE (service-config retry policy) and on
	// RESOURCE_EXHAUSTED with a RetryInfo delay; 0 for 4, 1 disables retries.
	MaxAttempts int
	// InitialBackoff (0 for 250 ms) and MaxBackoff (0 for 4 s) of retries and stream reconnects.
	InitialBackoff, MaxBackoff time.Duration
	// MaxStreamReconnects is how often RestoreLarge resumes a lost stream before it returns the error; 0 for 5,
	// negative for none.
	MaxStreamReconnects int
	// Addresses, when not empty, replace Dial's target with a fixed list of instances ("host:port"), balanced like
	// a "dns:///host:port" target (a Kubernetes headless Service): round-robin over the instances whose readiness
	// is SERVING (client-side health checking), UNAVAILABLE retried on the others, RestoreLarge resumed on another
	// instance. The authority (and the TLS server name) is the first address.
	Addresses []string
	// HealthCheckService is the grpc.health.v1 service a balanced connection watches on each instance; empty for
	// ReadinessService. NoHealthCheck turns health checking off (connection state alone then decides).
	HealthCheckService string
	NoHealthCheck      bool
	// DialOptions are appended to the SDK's own (interceptors, a custom dialer, OpenTelemetry stats handlers…).
	DialOptions []grpc.DialOption
}

func (o Options) withDefaults() Options {
	if o.MaxReceiveMessageBytes == 0 {
		o.MaxReceiveMessageBytes = 512 << 20
	}
	if o.MaxSendMessageBytes == 0 {
		o.MaxSendMessageBytes = 128 << 20
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = 4
	}
	if o.InitialBackoff == 0 {
		o.InitialBackoff = 250 * time.Millisecond
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = 4 * time.Second
	}
	if o.HealthCheckService == "" {
		o.HealthCheckService = ReadinessService
	}
	if o.MaxStreamReconnects == 0 {
		o.MaxStreamReconnects = 5
	} else if o.MaxStreamReconnects < 0 {
		o.MaxStreamReconnects = 0
	}
	return o
}

// Client calls a RestoreGrpc server. It is safe for concurrent use; create one per server and reuse it (it owns
// one HTTP/2 connection). Failed calls return gRPC status errors (see Status, FieldViolations, RetryDelay).
type Client struct {
	conn    *grpc.ClientConn
	raw     pb.RestoreServiceClient
	admin   pb.ModelAdminServiceClient
	options Options
}

// Dial connects to target ("host:port", or any gRPC target: "dns:///restoregrpc-headless:5000" balances over
// every address the name resolves to, see Options.Addresses). The connection is made lazily; ctx only bounds the
// set-up.
func Dial(ctx context.Context, target string, options *Options) (*Client, error) {
	var o Options
	if options != nil {
		o = *options
	}
	o = o.withDefaults()
	transport, secure, err := o.transportOption()
	if err != nil {
		return nil, err
	}
	dialOptions := []grpc.DialOption{transport}
	servers := o.Addresses
	if len(servers) == 0 {
		servers = []string{target}
	}
	var perCall grpc.DialOption
	for _, server := range servers { // every instance must pass the plaintext check
		if perCall, err = o.callCredentials(server, secure); err != nil {
			return nil, err
		}
	}
	if perCall != nil {
		dialOptions = append(dialOptions, perCall)
	}
	balanced := isBalanced(target, o.Addresses)
	healthService := o.HealthCheckService
	if o.NoHealthCheck {
		healthService = ""
	}
	interceptors := []grpc.UnaryClientInterceptor{retryInfoInterceptor(o.MaxAttempts, o.MaxBackoff)}
	if balanced && o.MaxAttempts > 1 {
		interceptors = append([]grpc.UnaryClientInterceptor{balancedRoundsInterceptor(balancedRounds, o.InitialBackoff)}, interceptors...)
	}
	if len(o.Addresses) > 0 {
		var fleet grpc.DialOption
		target, fleet = fleetTarget(o.Addresses)
		dialOptions = append(dialOptions, fleet)
	}
	dialOptions = append(append(dialOptions,
		grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(o.MaxReceiveMessageBytes),
			grpc.MaxCallSendMsgSize(o.MaxSendMessageBytes)),
		grpc.WithDefaultServiceConfig(serviceConfig(o.MaxAttempts, o.InitialBackoff, o.MaxBackoff, balanced, healthService)),
		grpc.WithChainUnaryInterceptor(interceptors...),
	), o.DialOptions...)
	conn, err := grpc.DialContext(ctx, target, dialOptions...)
	if err != nil {
		return nil, err
	}
	return &Client{conn: conn, raw: pb.NewRestoreServiceClient(conn), admin: pb.NewModelAdminServiceClient(conn), options: o}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Raw is the generated stub, for what the SDK does not wrap.
func (c *Client) Raw() pb.RestoreServiceClient { return c.raw }

func (c *Client) withTimeout(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		timeout = c.options.DefaultTimeout
	}
	if timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, timeout)
}

// Result is a restored image: its encoded bytes, what the server learned about input and output, how it was
// served, and the faces found.
type Result struct {
	Image   []byte
	Output  *pb.ImageInfo
	Details *pb.RestoreDetails
	Faces   []*pb.Face
}

// Decode decodes the restored image with the image decoders registered in the program (image/png always; import
// image/jpeg, golang.org/x/image/webp… for others).
func (r *Result) Decode() (image.Image, error) {
	img, _, err := image.Decode(bytes.NewReader(r.Image))
	return img, err
}

// Restore restores one encoded image (PNG, JPEG, WebP, TIFF, BMP or GIF). For images whose output exceeds the
// message limits, use RestoreLarge.
func (c *Client) Restore(ctx context.Context, img []byte, options *RestoreOptions, callOptions ...grpc.CallOption) (*Result, error) {
	var timeout time.Duration
	if options != nil {
		timeout = options.Timeout
	}
	ctx, cancel := c.withTimeout(ctx, timeout)
	defer cancel()
	response, err := c.raw.Restore(ctx, &pb.RestoreRequest{Image: img, Options: options.Proto()}, callOptions...)
	if err != nil {
		return nil, err
	}
	return &Result{Image: response.GetImage(), Output: response.GetOutput(), Details: response.GetDetails(), Faces: response.GetFaces()}, nil
}

// RestoreImage encodes img as PNG (16-bit when img is) and restores it; the result is PNG unless options ask for
// another format. Result.Decode gives the image.Image back.
func (c *Client) RestoreImage(ctx context.Context, img image.Image, options *RestoreOptions, callOptions ...grpc.CallOption) (*Result, error) {
	var encoded bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&encoded, img); err != nil {
		return nil, fmt.Errorf("restoregrpc: encoding the input as PNG: %w", err)
	}
	return c.Restore(ctx, encoded.Bytes(), options, callOptions...)
}

// RestoreFile restores the image file src and, when dst is not empty, writes the result there (creating its
// folder).
func (c *Client) RestoreFile(ctx context.Context, src, dst string, options *RestoreOptions, callOptions ...grpc.CallOption) (*Result, error) {
	input, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	result, err := c.Restore(ctx, input, options, callOptions...)
	if err != nil {
		return nil, err
	}
	if dst != "" {
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(dst, result.Image, 0o644); err != nil {
			return nil, err
		}
	}
	return result, nil
}

// Estimate plans a restoration of a width × height image without running it: output size, tiles, batches,
// memory and time estimates. bitDepth is 16 for 16-bit sources, else 0 or 8.
func (c *Client) Estimate(ctx context.Context, width, height, bitDepth int, options *RestoreOptions, callOptions ...grpc.CallOption) (*pb.EstimateRestoreResponse, error) {
	var timeout time.Duration
	if options != nil {
		timeout = options.Timeout
	}
	ctx, cancel := c.withTimeout(ctx, timeout)
	defer cancel()
	return c.raw.EstimateRestore(ctx, &pb.EstimateRestoreRequest{
		Width: nonNegative(width), Height: nonNegative(height), BitDepth: positive(bitDepth), Options: options.Proto(),
	}, callOptions...)
}

// DetectOptions choose the face detector and filter its answers; the zero value takes the server defaults.
type DetectOptions struct {
	Detector string
	// ScoreThreshold in (0, 1]; 0 for the detector's default.
	ScoreThreshold float32
	MinFaceSize    int
	// Selection is pb.FaceSelection_FACE_SELECTION_ALL, _LARGEST or _CENTER.
	Selection pb.FaceSelection
	Timeout   time.Duration
}

// DetectFaces finds faces and their five landmarks in an encoded image without restoring anything.
func (c *Client) DetectFaces(ctx context.Context, img []byte, options *DetectOptions, callOptions ...grpc.CallOption) (*pb.DetectFacesResponse, error) {
	var o DetectOptions
	if options != nil {
		o = *options
	}
	ctx, cancel := c.withTimeout(ctx, o.Timeout)
	defer cancel()
	request := &pb.DetectFacesRequest{
		Image: img, Detector: o.Detector, MinFaceSize: nonNegative(o.MinFaceSize), Selection: o.Selection,
	}
	if o.ScoreThreshold > 0 {
		threshold := o.ScoreThreshold
		request.ScoreThreshold = &threshold
	}
	return c.raw.DetectFaces(ctx, request, callOptions...)
}

// ListModels is the server's model catalog (task unspecified lists all).
func (c *Client) ListModels(ctx context.Context, task pb.ModelTask, callOptions ...grpc.CallOption) ([]*pb.ModelInfo, error) {
	ctx, cancel := c.withTimeout(ctx, 0)
	defer cancel()
	response, err := c.raw.ListModels(ctx, &pb.ListModelsRequest{Task: task}, callOptions...)
	if err != nil {
		return nil, err
	}
	return response.GetModels(), nil
}
