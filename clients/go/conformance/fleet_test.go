//go:build conformance

package conformance

import (
	"bufio"
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/restoregrpc/restoregrpc/clients/go/restoregrpc"
)

// The SDK's balancer over a fleet of real server processes (started here on loopback port 0, the built-in
// resampler as their model): load reaches every instance; with one instance SIGKILLed and one SIGTERM-drained under
// load no unary call fails and every stream completes, byte-equal to an uninterrupted run (streams resume on the
// survivors, which rebuild their jobs from the header and the held tiles); and health checking keeps calls off an
// instance whose readiness is NOT_SERVING. The C# and Python SDKs pass the same fleet test.

const (
	fleetModel = "builtin-lanczos-x4"
	// fleetWait bounds conditions a loaded machine reaches late; never a timing under test.
	fleetWait = 120 * time.Second
)

var (
	listeningLine = regexp.MustCompile(`Now listening on: (http://\S+)`)
	restoresOK    = regexp.MustCompile(`(?m)^restoregrpc_requests_total\{[^}]*rpc_method="restoregrpc\.v1\.RestoreService/Restore"[^}]*rpc_status_code="OK"[^}]*\}\s+(\S+)`)
	openStreams   = regexp.MustCompile(`(?m)^restoregrpc_calls_active\{[^}]*rpc_method="restoregrpc\.v1\.RestoreService/RestoreStream"[^}]*\}\s+(\S+)`)
)

// fleetServer is one server instance as its own process (the Release build clients/conformance/run.sh made). It
// can be SIGKILLed (a crash) or SIGTERMed (a drain, as Kubernetes stops a pod).
type fleetServer struct {
	cmd     *exec.Cmd
	address string // host:port of the gRPC endpoint
	metrics string // http://host:port of the metrics endpoint
	exited  chan struct{}

	mu    sync.Mutex
	lines []string
}

func serverBuild(t *testing.T) string {
	dll := filepath.Join(env(t, "RESTOREGRPC_CONFORMANCE"), "..", "..", "src", "RestoreGrpc.Server", "bin", "Release", "net10.0", "RestoreGrpc.Server.dll")
	if _, err := os.Stat(dll); err != nil {
		skipOrFail(t, "the server is not built in Release (clients/conformance/run.sh builds it): "+err.Error())
	}
	return dll
}

// startFleetServer starts the process; waitStarted waits for its addresses.
func startFleetServer(t *testing.T, dll, defaultModel string) *fleetServer {
	t.Helper()
	models := t.TempDir()
	cmd := exec.Command("dotnet", dll,
		"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0",
		"--Kestrel:Endpoints:Metrics:Url=http://127.0.0.1:0",
		"--Restore:Models:Directory="+models,
		"--Restore:Models:DefaultModel="+defaultModel,
		"--Restore:Models:ExecutionProvider=Cpu",
		"--Restore:Models:DownloadMissing=false",
		"--Restore:Server:DrainSeconds=1",
		"--Logging:LogLevel:Default=Warning",
		"--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
		"--Logging:LogLevel:RestoreGrpc.Server.Draining=Information")
	cmd.Dir = os.TempDir()
	output, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	server := &fleetServer{cmd: cmd, exited: make(chan struct{})}
	go server.read(output)
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-server.exited
	})
	return server
}

func (s *fleetServer) read(output io.Reader) {
	lines := bufio.NewScanner(output)
	for lines.Scan() {
		s.mu.Lock()
		s.lines = append(s.lines, lines.Text())
		s.mu.Unlock()
	}
	_ = s.cmd.Wait()
	close(s.exited)
}

func (s *fleetServer) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.lines, "\n")
}

// waitStarted waits for "Application started" (Kestrel logs the Grpc endpoint, then Metrics, before it).
func (s *fleetServer) waitStarted(t *testing.T) {
	t.Helper()
	for limit := time.Now().Add(fleetWait); ; {
		out := s.output()
		if strings.Contains(out, "Application started") {
			listening := listeningLine.FindAllStringSubmatch(out, -1)
			s.address, s.metrics = strings.TrimPrefix(listening[0][1], "http://"), listening[1][1]
			return
		}
		select {
		case <-s.exited:
			t.Fatalf("the server exited before it started:\n%s", out)
		case <-time.After(100 * time.Millisecond): // polls the log, as clients/conformance/run.sh does
		}
		if time.Now().After(limit) {
			t.Fatalf("the server did not start within %v:\n%s", fleetWait, out)
		}
	}
}

// scrape sums the values of the lines metric matches in this instance's Prometheus scrape.
func (s *fleetServer) scrape(t *testing.T, metric *regexp.Regexp) int {
	response, err := http.Get(s.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	exposition, err := io.ReadAll(response.Body)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, match := range metric.FindAllStringSubmatch(string(exposition), -1) {
		value, err := strconv.ParseFloat(match[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		total += int(value)
	}
	return total
}

func (s *fleetServer) signal(t *testing.T, signal syscall.Signal) {
	if err := s.cmd.Process.Signal(signal); err != nil {
		t.Fatal(err)
	}
}

// waitExit waits for the process to end and returns its exit code.
func (s *fleetServer) waitExit(t *testing.T) int {
	select {
	case <-s.exited:
		return s.cmd.ProcessState.ExitCode()
	case <-time.After(fleetWait):
		t.Fatalf("the server did not exit within %v:\n%s", fleetWait, s.output())
		return -1
	}
}

func startFleet(t *testing.T, defaultModels ...string) []*fleetServer {
	dll := serverBuild(t)
	var fleet []*fleetServer
	for _, model := range defaultModels {
		fleet = append(fleet, startFleetServer(t, dll, model))
	}
	for _, server := range fleet {
		server.waitStarted(t)
	}
	return fleet
}

func dialFleet(t *testing.T, fleet []*fleetServer, options restoregrpc.Options) *restoregrpc.Client {
	for _, server := range fleet {
		options.Addresses = append(options.Addresses, server.address)
	}
	client, err := restoregrpc.Dial(context.Background(), "", &options)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return client
}

// waitFor polls an outside observable (a server's scrape) until it holds, within fleetWait.
func waitFor(t *testing.T, what string, condition func() bool) {
	t.Helper()
	for limit := time.Now().Add(fleetWait); !condition(); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(limit) {
			t.Fatalf("not within %v: %s", fleetWait, what)
		}
	}
}

func randomPNG(t *testing.T, width, height int, seed int64) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, width, height))
	random := rand.New(rand.NewSource(seed))
	for i := range img.Pix {
		img.Pix[i] = byte(random.Intn(256))
		if i%4 == 3 {
			img.Pix[i] = 0xff
		}
	}
	var encoded bytes.Buffer
	if err := png.Encode(&encoded, img); err != nil {
		t.Fatal(err)
	}
	return encoded.Bytes()
}

// slowSource is an input read slowly (a network share): its stream stays open on the server while instances fail.
type slowSource struct{ *restoregrpc.RawSource }

func (s slowSource) ReadWindow(window restoregrpc.Rect, dst []byte) error {
	time.Sleep(80 * time.Millisecond)
	return s.RawSource.ReadWindow(window, dst)
}

func TestFleetLoadSpreadsAndAKilledAndADrainedInstanceLoseNoCallAndNoStream(t *testing.T) {
	fleet := startFleet(t, fleetModel, fleetModel, fleetModel)
	client := dialFleet(t, fleet, restoregrpc.Options{MaxAttempts: 5})
	ctx := context.Background()
	input := randomPNG(t, 40, 24, 7)
	unary := &restoregrpc.RestoreOptions{Model: fleetModel, Format: restoregrpc.FormatPNG}
	streamed := &restoregrpc.StreamOptions{RestoreOptions: restoregrpc.RestoreOptions{Model: fleetModel, TileSize: 16}}
	pixels := make([]byte, 96*80*3)
	rand.New(rand.NewSource(7)).Read(pixels)
	source, err := restoregrpc.NewRawSource(pixels, 96, 80, restoregrpc.PixelFormat{BitDepth: 8, Channels: 3})
	if err != nil {
		t.Fatal(err)
	}

	// The uninterrupted runs every result must equal.
	first, err := client.Restore(ctx, input, unary)
	if err != nil {
		t.Fatal(err)
	}
	expected := first.Image
	reference := &restoregrpc.ImageSink{}
	if _, err := client.RestoreLarge(ctx, source, reference, streamed); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var failures []string
	completed, mismatched := 0, 0
	stop := make(chan struct{})
	var load sync.WaitGroup
	for i := 0; i < 4; i++ {
		load.Add(1)
		go func() {
			defer load.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				result, err := client.Restore(ctx, input, unary)
				mu.Lock()
				switch {
				case err != nil:
					failures = append(failures, err.Error())
				case bytes.Equal(result.Image, expected):
					completed++
				default:
					mismatched++
				}
				mu.Unlock()
			}
		}()
	}
	stopLoad := sync.Once{}
	defer stopLoad.Do(func() { close(stop); load.Wait() })

	// Round-robin reaches every instance (each counts what it served), however slowly they warm up.
	waitFor(t, "every instance served a Restore", func() bool {
		for _, server := range fleet {
			if server.scrape(t, restoresOK) == 0 {
				return false
			}
		}
		return true
	})
	var servedBeforeFaults []int
	for _, server := range fleet {
		servedBeforeFaults = append(servedBeforeFaults, server.scrape(t, restoresOK))
	}

	sinks := make([]*restoregrpc.ImageSink, 3)
	results := make([]*restoregrpc.StreamResult, len(sinks))
	errs := make([]error, len(sinks))
	started := make([]chan struct{}, len(sinks))
	var streams sync.WaitGroup
	for i := range sinks {
		sinks[i], started[i] = &restoregrpc.ImageSink{}, make(chan struct{})
		once := &sync.Once{}
		signal := started[i]
		options := *streamed
		options.Progress = func(restoregrpc.StreamProgress) { once.Do(func() { close(signal) }) }
		streams.Add(1)
		go func(i int) {
			defer streams.Done()
			defer once.Do(func() { close(signal) })
			results[i], errs[i] = client.RestoreLarge(ctx, slowSource{source}, sinks[i], &options)
		}(i)
	}
	for _, signal := range started {
		select {
		case <-signal:
		case <-time.After(fleetWait):
			t.Fatal("a stream delivered no tile")
		}
	}
	// Crash the instance holding the most open streams, drain the next: the faults hit running streams.
	open := make([]int, len(fleet))
	order := make([]int, len(fleet))
	for i, server := range fleet {
		open[i], order[i] = server.scrape(t, openStreams), i
	}
	sort.SliceStable(order, func(a, b int) bool { return open[order[a]] > open[order[b]] })
	killed, drained := fleet[order[0]], fleet[order[1]]
	killed.signal(t, syscall.SIGKILL)
	drained.signal(t, syscall.SIGTERM)
	if code := drained.waitExit(t); code != 0 {
		t.Fatalf("the drained instance exited %d:\n%s", code, drained.output())
	}
	streams.Wait()
	stopLoad.Do(func() { close(stop); load.Wait() })

	if len(failures) > 0 {
		t.Fatalf("%d failed unary calls: %s", len(failures), strings.Join(failures, " | "))
	}
	if mismatched != 0 || completed == 0 {
		t.Fatalf("unary completed %d, mismatched %d", completed, mismatched)
	}
	want := reference.Image.(*image.NRGBA).Pix
	reconnects := make([]int, len(sinks))
	for i := range sinks {
		if errs[i] != nil {
			t.Fatalf("a stream failed: %v", errs[i])
		}
		if !bytes.Equal(sinks[i].Image.(*image.NRGBA).Pix, want) {
			t.Fatal("a resumed stream's output differs from the uninterrupted run")
		}
		reconnects[i] = results[i].Reconnects
	}
	if reconnects[0]+reconnects[1]+reconnects[2] == 0 {
		t.Fatalf("no stream was interrupted (open streams per instance: %v)", open)
	}
	t.Logf("served before the faults: %v; open streams: %v; unary completed: %d; stream reconnects: %v",
		servedBeforeFaults, open, completed, reconnects)
}

func TestFleetHealthCheckingKeepsCallsOffAnInstanceThatIsNotReady(t *testing.T) {
	// The third instance's default model has no file: its readiness (restoregrpc.v1.RestoreService) is NOT_SERVING,
	// though it would serve a call naming the resampler, as the client without health checking shows.
	fleet := startFleet(t, fleetModel, fleetModel, "realesr-general-x4v3")
	ready, unready := fleet[:2], fleet[2]
	input := randomPNG(t, 40, 24, 3)
	unary := &restoregrpc.RestoreOptions{Model: fleetModel, Format: restoregrpc.FormatPNG}
	restore := func(client *restoregrpc.Client) {
		if _, err := client.Restore(context.Background(), input, unary); err != nil {
			t.Fatal(err)
		}
	}

	watched := dialFleet(t, fleet, restoregrpc.Options{})
	calls := 0
	waitFor(t, "both ready instances served a Restore", func() bool {
		for i := 0; i < 10; i++ {
			restore(watched)
		}
		calls += 10
		return calls >= 30 && ready[0].scrape(t, restoresOK) > 0 && ready[1].scrape(t, restoresOK) > 0
	})
	if served := unready.scrape(t, restoresOK); served != 0 {
		t.Fatalf("%d of %d calls went to the instance that is not ready", served, calls)
	}

	unwatched := dialFleet(t, fleet, restoregrpc.Options{NoHealthCheck: true})
	waitFor(t, "without health checking the instance that is not ready served a Restore", func() bool {
		restore(unwatched)
		return unready.scrape(t, restoresOK) > 0
	})
}
