package restoregrpc

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// serviceConfig is the channel's retry policy: UNAVAILABLE is retried by gRPC itself with exponential back-off
// (the same policy as the C# SDK). gRPC-Go applies it from v1.40 on; older versions (Debian bookworm has 1.33)
// only with GRPC_GO_RETRY=on in the environment.
func serviceConfig(maxAttempts int, initial, max time.Duration) string {
	if maxAttempts <= 1 {
		return `{}`
	}
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
	return fmt.Sprintf(`{"methodConfig":[{"name":[{"service":"restoregrpc.v1.RestoreService"}],`+
		`"retryPolicy":{"maxAttempts":%d,"initialBackoff":"%.3fs","maxBackoff":"%.3fs","backoffMultiplier":2,`+
		`"retryableStatusCodes":["UNAVAILABLE"]}}]}`, maxAttempts, initial.Seconds(), max.Seconds())
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
			if deadline, has := ctx.Deadline(); has && time.Until(deadline) < delay {
				return err
			}
			timer := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				timer.Stop()
				return err
			case <-timer.C:
			}
		}
	}
}
