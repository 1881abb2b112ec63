package restoregrpc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	pb "github.com/restoregrpc/restoregrpc/clients/go/gen/restoregrpc/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

const testKey = "go-api-key-0e7a"
const testToken = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJnbyJ9.sig-52d1"

// testPKI is a CA, a server certificate for 127.0.0.1/localhost and a client certificate, made with crypto/x509 at
// test time and written as PEM files.
type testPKI struct {
	dir                           string
	caFile, otherCAFile           string
	serverCert                    tls.Certificate
	caPool                        *x509.CertPool
	clientCertFile, clientKeyFile string
}

type issued struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	der  []byte
}

func issue(t *testing.T, template *x509.Certificate, parent *issued) *issued {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template.SerialNumber = big.NewInt(time.Now().UnixNano())
	template.NotBefore = time.Now().Add(-time.Hour)
	template.NotAfter = time.Now().Add(24 * time.Hour)
	signer, parentCert := key, template
	if parent != nil {
		signer, parentCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parentCert, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &issued{cert: cert, key: key, der: der}
}

func authority(t *testing.T, name string) *issued {
	return issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: name}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}, nil)
}

func writePEM(t *testing.T, path, kind string, der []byte) string {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func newPKI(t *testing.T) *testPKI {
	t.Helper()
	dir := t.TempDir()
	ca, other := authority(t, "go test CA"), authority(t, "some other CA")
	server := issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "server"}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}, ca)
	client := issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "tenant-go"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}, ca)
	clientKey, err := x509.MarshalPKCS8PrivateKey(client.key)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	return &testPKI{
		dir:            dir,
		caFile:         writePEM(t, filepath.Join(dir, "ca.crt"), "CERTIFICATE", ca.der),
		otherCAFile:    writePEM(t, filepath.Join(dir, "other.crt"), "CERTIFICATE", other.der),
		serverCert:     tls.Certificate{Certificate: [][]byte{server.der}, PrivateKey: server.key},
		caPool:         pool,
		clientCertFile: writePEM(t, filepath.Join(dir, "client.crt"), "CERTIFICATE", client.der),
		clientKeyFile:  writePEM(t, filepath.Join(dir, "client.key"), "PRIVATE KEY", clientKey),
	}
}

// seenCall is what the recording server saw of one call.
type seenCall struct{ apiKey, authorization, clientCN string }

type recordingServer struct {
	pb.UnimplementedRestoreServiceServer
	mu    sync.Mutex
	calls []seenCall
}

func (r *recordingServer) ListModels(ctx context.Context, _ *pb.ListModelsRequest) (*pb.ListModelsResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	call := seenCall{}
	if v := md.Get(APIKeyHeader); len(v) > 0 {
		call.apiKey = v[0]
	}
	if v := md.Get(AuthorizationHeader); len(v) > 0 {
		call.authorization = v[0]
	}
	if p, ok := peer.FromContext(ctx); ok {
		if info, ok := p.AuthInfo.(credentials.TLSInfo); ok && len(info.State.PeerCertificates) > 0 {
			call.clientCN = info.State.PeerCertificates[0].Subject.CommonName
		}
	}
	r.mu.Lock()
	r.calls = append(r.calls, call)
	r.mu.Unlock()
	return &pb.ListModelsResponse{DefaultModel: "m", Models: []*pb.ModelInfo{{Name: "m"}}}, nil
}

func (r *recordingServer) seen() []seenCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seenCall(nil), r.calls...)
}

// serve starts the recorder on 127.0.0.1:0: plaintext when tlsConfig is nil.
func serve(t *testing.T, tlsConfig *tls.Config) (string, *recordingServer) {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var options []grpc.ServerOption
	if tlsConfig != nil {
		options = append(options, grpc.Creds(credentials.NewTLS(tlsConfig)))
	}
	server := grpc.NewServer(options...)
	recorder := &recordingServer{}
	pb.RegisterRestoreServiceServer(server, recorder)
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(server.Stop)
	return listener.Addr().String(), recorder
}

func (p *testPKI) tlsServer(t *testing.T, requireClientCertificate bool) (string, *recordingServer) {
	config := &tls.Config{Certificates: []tls.Certificate{p.serverCert}}
	if requireClientCertificate {
		config.ClientAuth = tls.RequireAndVerifyClientCert
		config.ClientCAs = p.caPool
	}
	return serve(t, config)
}

func listModels(t *testing.T, target string, options Options) error {
	t.Helper()
	options.MaxAttempts = 1
	client, err := Dial(context.Background(), target, &options)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = client.ListModels(ctx, pb.ModelTask_MODEL_TASK_UNSPECIFIED)
	return err
}

func TestKeyAndTokenReachATLSServerTrustingThePrivateCA(t *testing.T) {
	pki := newPKI(t)
	target, recorder := pki.tlsServer(t, false)
	if err := listModels(t, target, Options{CAFile: pki.caFile, APIKey: testKey, BearerToken: testToken}); err != nil {
		t.Fatal(err)
	}
	want := seenCall{apiKey: testKey, authorization: "Bearer " + testToken}
	if got := recorder.seen(); len(got) != 1 || got[0] != want {
		t.Fatalf("seen %+v, want [%+v]", got, want)
	}
}

func TestATokenSourceIsAskedBeforeEveryCall(t *testing.T) {
	pki := newPKI(t)
	target, recorder := pki.tlsServer(t, false)
	n := 0
	source := func(context.Context) (string, error) { n++; return fmt.Sprintf("token-%d", n), nil }
	options := Options{CAFile: pki.caFile, TokenSource: source, MaxAttempts: 1}
	client, err := Dial(context.Background(), target, &options)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	for i := 0; i < 2; i++ {
		if _, err := client.ListModels(context.Background(), pb.ModelTask_MODEL_TASK_UNSPECIFIED); err != nil {
			t.Fatal(err)
		}
	}
	got := recorder.seen()
	if len(got) != 2 || got[0].authorization != "Bearer token-1" || got[1].authorization != "Bearer token-2" {
		t.Fatalf("seen %+v", got)
	}
}

func TestAServerCertificateFromAnotherCAIsRefused(t *testing.T) {
	pki := newPKI(t)
	target, recorder := pki.tlsServer(t, false)
	err := listModels(t, target, Options{CAFile: pki.otherCAFile, APIKey: testKey})
	if status.Code(err) != codes.Unavailable || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("got %v, want UNAVAILABLE naming the certificate", err)
	}
	if strings.Contains(err.Error(), testKey) || len(recorder.seen()) != 0 {
		t.Fatalf("key leaked or call served: %v", err)
	}
}

func TestUnderRequiredMTLSTheClientCertificateIsPresented(t *testing.T) {
	pki := newPKI(t)
	target, recorder := pki.tlsServer(t, true)
	if err := listModels(t, target, Options{CAFile: pki.caFile, CertFile: pki.clientCertFile, KeyFile: pki.clientKeyFile}); err != nil {
		t.Fatal(err)
	}
	if got := recorder.seen(); len(got) != 1 || got[0].clientCN != "tenant-go" {
		t.Fatalf("seen %+v", got)
	}
	if err := listModels(t, target, Options{CAFile: pki.caFile}); err == nil {
		t.Fatal("a client without a certificate was served under required mTLS")
	}
}

func TestPlaintextRefusesSecretsUnlessAllowedAndThenOnlyToLoopback(t *testing.T) {
	target, recorder := serve(t, nil)
	if _, err := Dial(context.Background(), target, &Options{APIKey: testKey}); !errors.Is(err, ErrInsecureCredentials) {
		t.Fatalf("got %v, want ErrInsecureCredentials", err)
	}
	if _, err := Dial(context.Background(), "example.com:5000", &Options{APIKey: testKey, AllowInsecureCredentials: true}); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("got %v, want a loopback-only refusal", err)
	}
	if err := listModels(t, target, Options{APIKey: testKey, AllowInsecureCredentials: true}); err != nil {
		t.Fatal(err)
	}
	if got := recorder.seen(); len(got) != 1 || got[0].apiKey != testKey {
		t.Fatalf("seen %+v", got)
	}
}

func TestOptionsNeverPrintTheSecrets(t *testing.T) {
	options := Options{APIKey: testKey, BearerToken: testToken, CAFile: "ca.pem"}
	for _, text := range []string{fmt.Sprint(options), fmt.Sprintf("%+v", options), fmt.Sprintf("%#v", options), fmt.Sprintf("%v", &options)} {
		if strings.Contains(text, testKey) || strings.Contains(text, testToken) || !strings.Contains(text, "***") || !strings.Contains(text, "ca.pem") {
			t.Fatalf("printed %q", text)
		}
	}
	_, err := Dial(context.Background(), "localhost:1", &Options{APIKey: "bad key-9f3b", CAFile: "/nonexistent"})
	if err == nil || strings.Contains(err.Error(), "9f3b") {
		t.Fatalf("got %v", err)
	}
	if _, err := Dial(context.Background(), "localhost:1", &Options{APIKey: "bad key-9f3b", Credentials: credentials.NewTLS(&tls.Config{})}); err == nil || strings.Contains(err.Error(), "9f3b") {
		t.Fatalf("got %v", err)
	}
}

func TestFromEnvironmentFillsKeyAndToken(t *testing.T) {
	t.Setenv(APIKeyEnvironment, testKey)
	t.Setenv(TokenEnvironment, testToken)
	options := (&Options{}).FromEnvironment()
	if options.APIKey != testKey || options.BearerToken != testToken {
		t.Fatalf("got %v", options)
	}
	if (&Options{APIKey: "given"}).FromEnvironment().APIKey != "given" {
		t.Fatal("the environment overrode a given key")
	}
}
