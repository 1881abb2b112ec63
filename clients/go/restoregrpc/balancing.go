package restoregrpc

import (
	"context"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	_ "google.golang.org/grpc/health" // client-side health checking (healthCheckConfig) for balanced connections
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"
)

// ReadinessService is the grpc.health.v1 service name the server reports SERVING under once it can take requests
// (its default model is loaded and it is not draining). A balanced connection watches it on every instance and
// sends calls only to the instances that serve. The empty name is the server's liveness.
const ReadinessService = "restoregrpc.v1.RestoreService"

// balancedRounds is how many rounds of the connection's UNAVAILABLE retry policy an idempotent call gets on a
// balanced connection: gRPC caps a policy at five attempts and does not retry a call whose response had begun, so a
// call caught by an instance's crash gets a few more rounds, on the instances that are left (as the C# SDK).
const balancedRounds = 3

// fleetScheme is the resolver scheme of a fixed address list (Options.Addresses); the resolver is the
// connection's own (grpc.WithResolvers), not registered globally.
const fleetScheme = "restoregrpc-fleet"

// idempotentMethods may run again on another instance: they read, and change nothing on the server.
var idempotentMethods = map[string]bool{
	"/restoregrpc.v1.RestoreService/Restore":         true,
	"/restoregrpc.v1.RestoreService/EstimateRestore": true,
	"/restoregrpc.v1.RestoreService/DetectFaces":     true,
	"/restoregrpc.v1.RestoreService/ListModels":      true,
}

// isBalanced says whether calls are balanced over several instances: a fixed list, or a dns: target (a
// Kubernetes headless Service resolves to one address per ready pod).
func isBalanced(target string, addresses []string) bool {
	return len(addresses) > 0 || strings.HasPrefix(strings.ToLower(target), "dns:")
}

// fleetTarget is the target and resolver of a fixed address list: gRPC's manual resolver hands the list to the
// round_robin policy. The authority (and the TLS server name) is the first address.
func fleetTarget(addresses []string) (string, grpc.DialOption) {
	fleet := manual.NewBuilderWithScheme(fleetScheme)
	state := resolver.State{}
	for _, address := range addresses {
		state.Addresses = append(state.Addresses, resolver.Address{Addr: address})
	}
	fleet.InitialState(state)
	return fleetScheme + ":///" + addresses[0], grpc.WithResolvers(fleet)
}

// balancedRoundsInterceptor gives idempotent unary calls that end UNAVAILABLE (every attempt of the retry policy
// spent, or a response cut by a crash) further rounds, after rounds × backoff, never past the call's deadline.
func balancedRoundsInterceptor(rounds int, backoff time.Duration) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply interface{}, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		for round := 1; ; round++ {
			err := invoker(ctx, method, req, reply, cc, opts...)
			if err == nil || round >= rounds || !idempotentMethods[method] || Code(err) != codes.Unavailable {
				return err
			}
			delay := backoff * time.Duration(round)
			if !waitForRetry(ctx, delay) {
				return err
			}
		}
	}
}
