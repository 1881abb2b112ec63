package restoregrpc

import (
	"fmt"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Failed calls return the gRPC error unchanged: status.Convert(err) (or Status below) gives its *status.Status,
// whose Details() are the decoded google.rpc messages; the helpers here pick the ones the server sends.

// Status is the gRPC status of err (codes.OK for nil, codes.Unknown for errors that are not gRPC statuses;
// context errors map to DEADLINE_EXCEEDED and CANCELLED).
func Status(err error) *status.Status {
	if err == nil {
		return status.New(codes.OK, "")
	}
	if s, ok := status.FromError(err); ok {
		return s
	}
	return status.FromContextError(err)
}

// Code is Status(err).Code().
func Code(err error) codes.Code { return Status(err).Code() }

// FieldViolations are the google.rpc.BadRequest field violations of an INVALID_ARGUMENT error.
func FieldViolations(err error) []*errdetails.BadRequest_FieldViolation {
	var violations []*errdetails.BadRequest_FieldViolation
	for _, d := range Status(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			violations = append(violations, br.GetFieldViolations()...)
		}
	}
	return violations
}

// RetryDelay is the google.rpc.RetryInfo delay of an error (RESOURCE_EXHAUSTED, UNAVAILABLE), when it has one.
func RetryDelay(err error) (time.Duration, bool) {
	for _, d := range Status(err).Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok && ri.GetRetryDelay() != nil {
			delay := ri.GetRetryDelay()
			return time.Duration(delay.GetSeconds())*time.Second + time.Duration(delay.GetNanos()), true
		}
	}
	return 0, false
}

// ResourceInfo is the google.rpc.ResourceInfo of a NOT_FOUND error (e.g. the unknown model), or nil.
func ResourceInfo(err error) *errdetails.ResourceInfo {
	for _, d := range Status(err).Details() {
		if ri, ok := d.(*errdetails.ResourceInfo); ok {
			return ri
		}
	}
	return nil
}

// ErrorInfo is the google.rpc.ErrorInfo of an error, or nil.
func ErrorInfo(err error) *errdetails.ErrorInfo {
	for _, d := range Status(err).Details() {
		if ei, ok := d.(*errdetails.ErrorInfo); ok {
			return ei
		}
	}
	return nil
}

// Describe is a one-line, human-readable description of a failed call: the code, then the field violations or
// the message.
func Describe(err error) string {
	s := Status(err)
	violations := FieldViolations(err)
	if len(violations) == 0 {
		return fmt.Sprintf("%s: %s", s.Code(), s.Message())
	}
	parts := make([]string, len(violations))
	for i, v := range violations {
		parts[i] = v.GetField() + ": " + v.GetDescription()
	}
	return fmt.Sprintf("%s: %s", s.Code(), strings.Join(parts, "; "))
}
