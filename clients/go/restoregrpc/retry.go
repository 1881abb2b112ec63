package restoregrpc

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// serviceConfig is the connection's service config. The retry policy: UNAVAILABLE is retried by gRPC itself with
// exponential back-off (the same policy as the C# SDK); gRPC-Go applies it from v1.40 on, older versions (Debian
// bookworm has 1.33) only with GRPC_GO_RETRY=on in the environment. A balanced connection (healthService set or
// not) adds the round_robin policy and, unless healthService is empty, client-side health checking of that
// grpc.health.v1 service on every instance.
func serviceConfig(maxAttempts int, initial, max time.Duration, balanced bool, healthService string) string {
	config := map[string]interface{}{}
	if balanced {
		config["loadBalancingConfig"] = []interface{}{map[string]interface{}{"round_robin": map[string]interface{}{}}}
		if healthService != "" {
			config["healthCheckConfig"] = map[string]interface{}{"serviceName": healthService}
		}
	}
	if maxAttempts > 1 {
		if maxAttempts > 5 {
			maxAttempts = 5 // gRPC's limit
		}
		// gRPC ignores a policy whose back-offs are not positive; it reads them in seconds (millisecond precision here).
		if initial < time.Millisecond {
			initial = time.Millisecond
		}
		if max < initial {
			max = initial
		}
		config["methodConfig"] = []interface{}{map[string]interface{}{
			"name": []interface{}{map[string]interface{}{"service": "restoregrpc.v1.RestoreService"}},
			"retryPolicy": map[string]interface{}{
				"maxAttempts":          maxAttempts,
				"initialBackoff":       fmt.Sprintf("%.3fs", initial.Seconds()),
				"maxBackoff":           fmt.Sprintf("%.3fs", max.Seconds()),
				"backoffMultiplier":    2,
				"retryableStatusCodes": []string{"UNAVAILABLE"},
			},
		}}
	}
	encoded, err := json.Marshal(config)
	if err != nil {
		panic(err) // maps of strings and numbers always encode
	}
	return string(encoded)
}

// retryInfoInterceptor retries unary calls the server turned away with RESOURCE_EXHAUSTED and a
// google.rpc.RetryInfo delay (the service config cannot honour a server-chosen delay): it waits that delay (at
// most maxDelay, never past the call's deadline) and tries again, maxAttempts calls in all.
func retryInfoInterceptor(maxAttempts int, maxDelay time.Duration) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply interface{}, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		for attempt := 1; ; attempt++ {
			err := invoker(ctx, method, req, reply, cc, opts...)
			if err == nil || attempt >= maxAttempts || Code(err) != codes.ResourceExhausted {
				return err
			}
			delay, ok := RetryDelay(err)
			if !ok {
				return err
			}
			if delay > maxDelay {
				delay = maxDelay
			}
			if !waitForRetry(ctx, delay) {
				return err
			}
		}
	}
}

// waitForRetry waits delay before a retry and reports whether to make it: false when the call's deadline would
// pass first or its context ends while waiting.
func waitForRetry(ctx context.Context, delay time.Duration) bool {
	if deadline, has := ctx.Deadline(); has && time.Until(deadline) < delay {
		return false
	}
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
