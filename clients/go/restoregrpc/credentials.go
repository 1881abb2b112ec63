package restoregrpc

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// The metadata keys and environment variables every RestoreGrpc SDK uses for client credentials.
const (
	APIKeyHeader        = "x-api-key"
	AuthorizationHeader = "authorization"
	APIKeyEnvironment   = "RESTORE_API_KEY"
	TokenEnvironment    = "RESTORE_TOKEN"
	ServerEnvironment   = "RESTORE_SERVER"
)

// ErrInsecureCredentials is returned by Dial when an API key or bearer token would go over plaintext without
// Options.AllowInsecureCredentials.
var ErrInsecureCredentials = errors.New("restoregrpc: refusing to send an API key or bearer token over plaintext: set CAFile/Credentials for TLS, or AllowInsecureCredentials for a loopback server")

// FromEnvironment fills APIKey and BearerToken from $RESTORE_API_KEY and $RESTORE_TOKEN where they are empty.
func (o *Options) FromEnvironment() *Options {
	if o.APIKey == "" {
		o.APIKey = strings.TrimSpace(os.Getenv(APIKeyEnvironment))
	}
	if o.BearerToken == "" && o.TokenSource == nil {
		o.BearerToken = strings.TrimSpace(os.Getenv(TokenEnvironment))
	}
	return o
}

// String says which credentials are set, never their values (fmt's %v and %+v use it).
func (o Options) String() string {
	parts := []string{}
	if o.APIKey != "" {
		parts = append(parts, "APIKey:***")
	}
	if o.BearerToken != "" || o.TokenSource != nil {
		parts = append(parts, "BearerToken:***")
	}
	if o.CAFile != "" {
		parts = append(parts, "CAFile:"+o.CAFile)
	}
	if o.CertFile != "" {
		parts = append(parts, "CertFile:"+o.CertFile, "KeyFile:"+o.KeyFile)
	}
	if o.Credentials != nil || o.CAFile != "" || o.CertFile != "" {
		parts = append(parts, "TLS:true")
	}
	return "restoregrpc.Options{" + strings.Join(parts, " ") + "}"
}

// GoString keeps %#v from printing the secrets too.
func (o Options) GoString() string { return o.String() }

// transportOption is the dial option for TLS (system roots, CAFile, a client certificate, or Credentials as given)
// or plaintext; secure reports which.
func (o Options) transportOption() (option grpc.DialOption, secure bool, err error) {
	if o.CAFile == "" && o.CertFile == "" && o.KeyFile == "" {
		if o.Credentials != nil {
			return grpc.WithTransportCredentials(o.Credentials), true, nil
		}
		// grpc.WithInsecure rather than insecure.NewCredentials: the latter is newer than Debian's gRPC-Go 1.33.
		return grpc.WithInsecure(), false, nil
	}
	if o.Credentials != nil {
		return nil, false, errors.New("restoregrpc: set Credentials or CAFile/CertFile/KeyFile, not both")
	}
	config := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, false, fmt.Errorf("restoregrpc: cannot read the CA bundle: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, false, fmt.Errorf("restoregrpc: the CA bundle %s holds no PEM certificate", o.CAFile)
		}
		config.RootCAs = pool
	}
	if o.CertFile != "" || o.KeyFile != "" {
		if o.CertFile == "" || o.KeyFile == "" {
			return nil, false, errors.New("restoregrpc: a client certificate needs both CertFile and KeyFile")
		}
		certificate, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, false, fmt.Errorf("restoregrpc: cannot load the client certificate %s with key %s: %w", o.CertFile, o.KeyFile, err)
		}
		config.Certificates = []tls.Certificate{certificate}
	}
	return grpc.WithTransportCredentials(credentials.NewTLS(config)), true, nil
}

// callCredentials is the per-RPC credentials option, nil when neither a key nor a token is set.
func (o Options) callCredentials(target string, secure bool) (grpc.DialOption, error) {
	if o.BearerToken != "" && o.TokenSource != nil {
		return nil, errors.New("restoregrpc: set BearerToken or TokenSource, not both")
	}
	if o.APIKey == "" && o.BearerToken == "" && o.TokenSource == nil {
		return nil, nil
	}
	for name, value := range map[string]string{"APIKey": o.APIKey, "BearerToken": o.BearerToken} {
		if err := headerSafe(name, value); err != nil {
			return nil, err
		}
	}
	if !secure {
		if !o.AllowInsecureCredentials {
			return nil, ErrInsecureCredentials
		}
		if !isLoopback(target) {
			return nil, fmt.Errorf("restoregrpc: AllowInsecureCredentials covers loopback servers only, not %s: use TLS", target)
		}
	}
	return grpc.WithPerRPCCredentials(&headerCredentials{apiKey: o.APIKey, token: o.BearerToken, source: o.TokenSource, secure: secure}), nil
}

// headerCredentials adds x-api-key and authorization: Bearer to every call.
type headerCredentials struct {
	apiKey, token string
	source        func(context.Context) (string, error)
	secure        bool
}

func (h *headerCredentials) GetRequestMetadata(ctx context.Context, _ ...string) (map[string]string, error) {
	metadata := map[string]string{}
	if h.apiKey != "" {
		metadata[APIKeyHeader] = h.apiKey
	}
	token := h.token
	if h.source != nil {
		fresh, err := h.source(ctx)
		if err != nil {
			return nil, fmt.Errorf("restoregrpc: the token source failed: %w", err)
		}
		if err := headerSafe("the token source's token", fresh); err != nil {
			return nil, err
		}
		token = strings.TrimSpace(fresh)
	}
	if token != "" {
		metadata[AuthorizationHeader] = "Bearer " + token
	}
	return metadata, nil
}

// RequireTransportSecurity is false only where plaintext was explicitly allowed (a loopback server).
func (h *headerCredentials) RequireTransportSecurity() bool { return h.secure }

func (h *headerCredentials) String() string { return "restoregrpc.headerCredentials{***}" }

// headerSafe refuses values a header cannot carry, without quoting them.
func headerSafe(name, value string) error {
	for _, c := range value {
		if c < '!' || c > '~' {
			return fmt.Errorf("restoregrpc: %s holds characters a gRPC header cannot carry (only visible ASCII); its value is not shown", name)
		}
	}
	return nil
}

func isLoopback(target string) bool {
	host := target
	if i := strings.LastIndex(host, "///"); i >= 0 {
		host = host[i+3:]
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
