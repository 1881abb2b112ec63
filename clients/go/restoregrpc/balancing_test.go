package restoregrpc

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"

	pb "github.com/restoregrpc/restoregrpc/clients/go/gen/restoregrpc/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// waitLimit bounds conditions a loaded machine reaches late (connections, health updates); never a timing under test.
const waitLimit = 60 * time.Second

// instance is one fake server of a fleet: Restore answers its name (or UNAVAILABLE while refuse says so), and a
// grpc.health.v1 server reports its readiness.
type instance struct {
	pb.UnimplementedRestoreServiceServer
	name    string
	address string
	health  *health.Server
	refuse  func() bool

	mu    sync.Mutex
	calls int
}

func (i *instance) Restore(context.Context, *pb.RestoreRequest) (*pb.RestoreResponse, error) {
	i.mu.Lock()
	i.calls++
	i.mu.Unlock()
	if i.refuse != nil && i.refuse() {
		return nil, status.Error(codes.Unavailable, "draining")
	}
	return &pb.RestoreResponse{Image: []byte(i.name)}, nil
}

func (i *instance) served() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.calls
}

func startInstances(t *testing.T, names ...string) []*instance {
	t.Helper()
	var fleet []*instance
	for _, name := range names {
		listener, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		server := grpc.NewServer()
		in := &instance{name: name, address: listener.Addr().String(), health: health.NewServer()}
		in.health.SetServingStatus(ReadinessService, healthpb.HealthCheckResponse_SERVING)
		pb.RegisterRestoreServiceServer(server, in)
		healthpb.RegisterHealthServer(server, in.health)
		go func() { _ = server.Serve(listener) }()
		t.Cleanup(server.Stop)
		fleet = append(fleet, in)
	}
	return fleet
}

func dialFleet(t *testing.T, fleet []*instance, options Options) *Client {
	t.Helper()
	for _, in := range fleet {
		options.Addresses = append(options.Addresses, in.address)
	}
	client, err := Dial(context.Background(), "", &options)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return client
}

// restoreUntil calls Restore until done holds for the answers so far, within waitLimit.
func restoreUntil(t *testing.T, client *Client, what string, done func(answers map[string]int) bool) map[string]int {
	t.Helper()
	answers := map[string]int{}
	for limit := time.Now().Add(waitLimit); !done(answers); {
		if time.Now().After(limit) {
			t.Fatalf("not within %v: %s (answers %v)", waitLimit, what, answers)
		}
		result, err := client.Restore(context.Background(), []byte("img"), nil)
		if err != nil {
			t.Fatal(err)
		}
		answers[string(result.Image)]++
	}
	return answers
}

func TestBalancedConnectionsPickRoundRobinAndWatchReadiness(t *testing.T) {
	var config struct {
		LoadBalancingConfig []map[string]interface{}
		HealthCheckConfig   map[string]string
	}
	if err := json.Unmarshal([]byte(serviceConfig(4, time.Second, time.Second, true, ReadinessService)), &config); err != nil {
		t.Fatal(err)
	}
	if len(config.LoadBalancingConfig) != 1 || config.LoadBalancingConfig[0]["round_robin"] == nil ||
		config.HealthCheckConfig["serviceName"] != ReadinessService {
		t.Fatalf("balanced service config: %+v", config)
	}
	if !isBalanced("dns:///restoregrpc-headless:5000", nil) || !isBalanced("", []string{"127.0.0.1:1"}) || isBalanced("localhost:5000", nil) {
		t.Fatal("isBalanced")
	}
}

func TestCallsGoRoundRobinOverEveryInstance(t *testing.T) {
	fleet := startInstances(t, "a", "b", "c")
	client := dialFleet(t, fleet, Options{})
	// Round-robin takes an instance once its connection is up and its health says SERVING.
	restoreUntil(t, client, "every instance answered", func(answers map[string]int) bool { return len(answers) == 3 })
	var turn []string
	for i := 0; i < 6; i++ {
		result, err := client.Restore(context.Background(), []byte("img"), nil)
		if err != nil {
			t.Fatal(err)
		}
		turn = append(turn, string(result.Image))
	}
	if !reflect.DeepEqual(turn[:3], turn[3:]) || turn[0] == turn[1] || turn[1] == turn[2] || turn[0] == turn[2] {
		t.Fatalf("not in turn: %v", turn)
	}
}

func TestHealthCheckingKeepsCallsOffAnInstanceThatIsNotServing(t *testing.T) {
	fleet := startInstances(t, "a", "b", "c")
	a, c := fleet[0], fleet[2]
	c.health.SetServingStatus(ReadinessService, healthpb.HealthCheckResponse_NOT_SERVING)
	client := dialFleet(t, fleet, Options{})
	restoreUntil(t, client, "both serving instances answered", func(answers map[string]int) bool {
		return answers["a"] > 0 && answers["b"] > 0 && answers["a"]+answers["b"] >= 30
	})
	if c.served() != 0 {
		t.Fatalf("the instance that is not serving got %d calls", c.served())
	}

	// Readiness changes reach the client over the Watch stream: c comes back, a drains.
	c.health.SetServingStatus(ReadinessService, healthpb.HealthCheckResponse_SERVING)
	a.health.SetServingStatus(ReadinessService, healthpb.HealthCheckResponse_NOT_SERVING)
	restoreUntil(t, client, "the instance back in service answered", func(answers map[string]int) bool { return answers["c"] > 0 })
	for streak, limit := 0, time.Now().Add(waitLimit); streak < 30; {
		if time.Now().After(limit) {
			t.Fatalf("not within %v: 30 calls in a row kept off the instance that stopped serving", waitLimit)
		}
		result, err := client.Restore(context.Background(), []byte("img"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if streak++; string(result.Image) == "a" {
			streak = 0
		}
	}

	// Without health checking the instance that is not serving gets calls like the others.
	unwatched := dialFleet(t, fleet, Options{NoHealthCheck: true})
	restoreUntil(t, unwatched, "without health checking every instance answered", func(answers map[string]int) bool { return len(answers) == 3 })
}

func TestAnInstanceThatRefusesCallsIsSkippedByTheRetryPolicy(t *testing.T) {
	if os.Getenv("GRPC_GO_RETRY") != "on" {
		t.Skip("GRPC_GO_RETRY=on is not set (needed by gRPC-Go < 1.40 for service-config retries)")
	}
	fleet := startInstances(t, "refusing", "a", "b")
	fleet[0].refuse = func() bool { return true }
	client := dialFleet(t, fleet, Options{InitialBackoff: time.Millisecond})
	for i := 0; i < 30; i++ {
		result, err := client.Restore(context.Background(), []byte("img"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if string(result.Image) == "refusing" {
			t.Fatal("a refused call was answered")
		}
	}
	if fleet[0].served() == 0 {
		t.Fatal("the refusing instance was never picked")
	}
}

// refuseFirst refuses the first n calls.
func refuseFirst(n int) func() bool {
	var mu sync.Mutex
	return func() bool {
		mu.Lock()
		defer mu.Unlock()
		n--
		return n >= 0
	}
}

func TestABalancedConnectionGivesIdempotentCallsFurtherRounds(t *testing.T) {
	if os.Getenv("GRPC_GO_RETRY") != "on" {
		t.Skip("GRPC_GO_RETRY=on is not set (needed by gRPC-Go < 1.40 for service-config retries)")
	}
	balanced := startInstances(t, "late")
	balanced[0].refuse = refuseFirst(3)
	// Three refusals outlast one round of two attempts; the second round's second attempt is answered.
	client := dialFleet(t, balanced, Options{MaxAttempts: 2, InitialBackoff: time.Millisecond})
	if _, err := client.Restore(context.Background(), []byte("img"), nil); err != nil {
		t.Fatal(err)
	}
	if balanced[0].served() != 4 {
		t.Fatalf("calls = %d, want 4", balanced[0].served())
	}

	single := startInstances(t, "late")
	single[0].refuse = refuseFirst(3)
	plain, err := Dial(context.Background(), single[0].address, &Options{MaxAttempts: 2, InitialBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if _, err := plain.Restore(context.Background(), []byte("img"), nil); Code(err) != codes.Unavailable {
		t.Fatalf("one address: err = %v, want UNAVAILABLE after the policy's two attempts", err)
	}
	if single[0].served() != 2 {
		t.Fatalf("one address: calls = %d, want 2", single[0].served())
	}
}
