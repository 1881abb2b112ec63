//go:build conformance

// Package conformance runs clients/conformance/cases/*.json against a real server through the Go SDK
// (clients/conformance/README.md has the schema). clients/conformance/run.sh starts the server and sets
// RESTOREGRPC_SERVER, RESTOREGRPC_SHARED and RESTOREGRPC_CONFORMANCE; ../conformance.sh runs this with
// `go test -tags conformance`.
package conformance

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"image"
	_ "image/jpeg"
	"image/png"
	"io"
	"math"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	protov1 "github.com/golang/protobuf/proto"
	pb "github.com/restoregrpc/restoregrpc/clients/go/gen/restoregrpc/v1"
	"github.com/restoregrpc/restoregrpc/clients/go/restoregrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

type testCase struct {
	Name        string                 `json:"name"`
	Kind        string                 `json:"kind"`
	Input       string                 `json:"input"`
	Options     map[string]interface{} `json:"options"`
	DeadlineMs  int                    `json:"deadline_ms"`
	Expect      map[string]interface{} `json:"expect"`
	Size        map[string]int         `json:"size"`
	PixelFormat struct {
		Channels int `json:"channels"`
		BitDepth int `json:"bit_depth"`
	} `json:"pixel_format"`
	Cut struct {
		AfterServerBytes int `json:"after_server_bytes"`
		Connections      int `json:"connections"`
	} `json:"cut"`
	Traceparent string `json:"traceparent"`
}

func env(t *testing.T, name string) string {
	value := os.Getenv(name)
	if value == "" {
		skipOrFail(t, name+" is not set (run through clients/conformance/run.sh)")
	}
	return value
}

func skipOrFail(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true)", reason)
	}
	t.Skip(reason)
}

func TestConformance(t *testing.T) {
	kit := env(t, "RESTOREGRPC_CONFORMANCE")
	server := env(t, "RESTOREGRPC_SERVER")
	files, err := filepath.Glob(filepath.Join(kit, "cases", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases under %s", kit)
	}
	sort.Strings(files)
	client, err := restoregrpc.Dial(context.Background(), server, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var c testCase
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		t.Run(c.Name, func(t *testing.T) {
			if c.Name != strings.TrimSuffix(filepath.Base(file), ".json") {
				t.Fatalf("case name %q differs from its file name", c.Name)
			}
			r := &runner{t: t, kit: kit, server: server, client: client, c: c}
			switch c.Kind {
			case "restore":
				r.restore()
			case "list_models":
				r.listModels()
			case "estimate":
				r.estimate()
			case "stream", "stream_resume":
				r.stream()
			case "trace":
				r.trace()
			default:
				t.Fatalf("unknown case kind %q", c.Kind)
			}
		})
	}
}

type runner struct {
	t      *testing.T
	kit    string
	server string
	client *restoregrpc.Client
	c      testCase
}

func (r *runner) input() []byte {
	r.t.Helper()
	var path string
	switch {
	case strings.HasPrefix(r.c.Input, "kit:"):
		path = filepath.Join(r.kit, strings.TrimPrefix(r.c.Input, "kit:"))
	case strings.HasPrefix(r.c.Input, "shared:"):
		shared := os.Getenv("RESTOREGRPC_SHARED")
		path = filepath.Join(shared, strings.TrimPrefix(r.c.Input, "shared:"))
		if shared == "" {
			skipOrFail(r.t, "RESTOREGRPC_SHARED is not set; the case needs "+r.c.Input)
		}
	default:
		r.t.Fatalf("input %q is neither kit: nor shared:", r.c.Input)
	}
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) && strings.HasPrefix(r.c.Input, "shared:") {
		skipOrFail(r.t, path+" is missing")
	}
	if err != nil {
		r.t.Fatal(err)
	}
	return data
}

var formats = map[string]restoregrpc.Format{"PNG": restoregrpc.FormatPNG, "JPEG": restoregrpc.FormatJPEG,
	"WEBP": restoregrpc.FormatWebP, "TIFF": restoregrpc.FormatTIFF, "BMP": restoregrpc.FormatBMP}

func (r *runner) options() *restoregrpc.RestoreOptions {
	o := &restoregrpc.RestoreOptions{Timeout: time.Duration(r.c.DeadlineMs) * time.Millisecond}
	for key, value := range r.c.Options {
		switch key {
		case "model":
			o.Model = value.(string)
		case "scale":
			o.Scale = value.(float64)
		case "tile_size":
			o.TileSize = int(value.(float64))
		case "tile_margin":
			o.TileMargin = int(value.(float64))
		case "output_format":
			o.Format = formats[value.(string)]
		case "quality":
			o.Quality = int(value.(float64))
		case "strip_metadata":
			o.StripMetadata = value.(bool)
		default:
			r.t.Fatalf("unknown option %q", key)
		}
	}
	return o
}

// codeName is the gRPC status code as the kit spells it (INVALID_ARGUMENT).
func codeName(code codes.Code) string {
	return strings.ToUpper(regexp.MustCompile(`([a-z])([A-Z])`).ReplaceAllString(code.String(), "${1}_${2}"))
}

func (r *runner) checkStatus(err error) bool {
	r.t.Helper()
	want, _ := r.c.Expect["status"].(string)
	if want == "" {
		want = "OK"
	}
	if got := codeName(restoregrpc.Code(err)); got != want {
		r.t.Fatalf("status %s (%v), want %s", got, err, want)
	}
	return err == nil
}

// checkFields compares expect's keys with msg's fields of the same names (enums by value name without prefix).
func (r *runner) checkFields(what string, msg proto.Message, expect interface{}) {
	r.t.Helper()
	m := msg.ProtoReflect()
	for key, want := range expect.(map[string]interface{}) {
		field := m.Descriptor().Fields().ByName(protoreflect.Name(key))
		if field == nil {
			r.t.Errorf("%s has no field %q", what, key)
			continue
		}
		value := m.Get(field)
		var got interface{}
		switch field.Kind() {
		case protoreflect.EnumKind:
			name := string(field.Enum().Values().ByNumber(value.Enum()).Name())
			prefix := strings.ToUpper(regexp.MustCompile(`([a-z0-9])([A-Z])`).ReplaceAllString(string(field.Enum().Name()), "${1}_${2}")) + "_"
			got = strings.TrimPrefix(name, prefix)
		case protoreflect.BoolKind:
			got = value.Bool()
		case protoreflect.StringKind:
			got = value.String()
		case protoreflect.FloatKind, protoreflect.DoubleKind:
			got = value.Float()
		case protoreflect.Uint32Kind, protoreflect.Uint64Kind:
			got = float64(value.Uint())
		default:
			got = float64(value.Int())
		}
		if got != want {
			r.t.Errorf("%s.%s = %v, want %v", what, key, got, want)
		}
	}
}

func (r *runner) restore() {
	result, err := r.client.Restore(context.Background(), r.input(), r.options())
	if !r.checkStatus(err) {
		if want, ok := r.c.Expect["field_violation"].(string); ok {
			found := false
			for _, v := range restoregrpc.FieldViolations(err) {
				found = found || v.GetField() == want
			}
			if !found {
				r.t.Errorf("no BadRequest field violation on %q: %v", want, restoregrpc.FieldViolations(err))
			}
		}
		if want, ok := r.c.Expect["resource_info"].(map[string]interface{}); ok {
			info := restoregrpc.ResourceInfo(err)
			if info == nil {
				r.t.Fatalf("no ResourceInfo detail in %v", err)
			}
			r.checkFields("ResourceInfo", protov1.MessageV2(info), want)
		}
		return
	}
	if want, ok := r.c.Expect["input"]; ok {
		r.checkFields("details.input", result.Details.GetInput(), want)
	}
	if want, ok := r.c.Expect["output"]; ok {
		r.checkFields("output", result.Output, want)
	}
	if want, ok := r.c.Expect["details"]; ok {
		r.checkFields("details", result.Details, want)
	}
	if want, ok := r.c.Expect["png_header"].(map[string]interface{}); ok {
		image := result.Image
		if len(image) < 33 || !bytes.Equal(image[:8], []byte("\x89PNG\r\n\x1a\n")) || string(image[12:16]) != "IHDR" {
			r.t.Fatal("the output is not a PNG with an IHDR first")
		}
		got := map[string]interface{}{
			"width": float64(binary.BigEndian.Uint32(image[16:])), "height": float64(binary.BigEndian.Uint32(image[20:])),
			"bit_depth": float64(image[24]), "color_type": float64(image[25]),
		}
		for key, value := range want {
			if got[key] != value {
				r.t.Errorf("PNG IHDR %s = %v, want %v", key, got[key], value)
			}
		}
	}
}

func (r *runner) listModels() {
	models, err := r.client.ListModels(context.Background(), pb.ModelTask_MODEL_TASK_UNSPECIFIED)
	if !r.checkStatus(err) {
		return
	}
	for _, want := range r.c.Expect["models"].([]interface{}) {
		expect := want.(map[string]interface{})
		var found *pb.ModelInfo
		for _, m := range models {
			if m.GetName() == expect["name"] {
				found = m
			}
		}
		if found == nil {
			r.t.Errorf("model %v is not listed", expect["name"])
			continue
		}
		r.checkFields("model "+found.GetName(), found, expect)
	}
}

func (r *runner) estimate() {
	response, err := r.client.Estimate(context.Background(), r.c.Size["width"], r.c.Size["height"], r.c.Size["bit_depth"], r.options())
	if !r.checkStatus(err) {
		return
	}
	expect := map[string]interface{}{}
	for key, value := range r.c.Expect {
		if key != "status" && key != "tileplan" {
			expect[key] = value
		}
	}
	r.checkFields("estimate", response, expect)
	if name, ok := r.c.Expect["tileplan"].(string); ok {
		data, err := os.ReadFile(filepath.Join(r.kit, "tileplan", name+".json"))
		if err != nil {
			r.t.Fatal(err)
		}
		var golden struct {
			Plan map[string]interface{} `json:"plan"`
		}
		if err := json.Unmarshal(data, &golden); err != nil {
			r.t.Fatal(err)
		}
		r.checkFields("estimate vs "+name, response, map[string]interface{}{
			"tile_count": golden.Plan["tile_count"], "window_width": golden.Plan["window_width"], "window_height": golden.Plan["window_height"]})
	}
}

// recordingSink assembles the stream's image and records every tile rectangle it receives.
type recordingSink struct {
	restoregrpc.ImageSink
	mu     sync.Mutex
	writes map[restoregrpc.Rect]int
	order  []restoregrpc.Rect
}

func (s *recordingSink) Write(rect restoregrpc.Rect, pixels []byte) error {
	s.mu.Lock()
	s.writes[rect]++
	s.order = append(s.order, rect)
	s.mu.Unlock()
	return s.ImageSink.Write(rect, pixels)
}

func (r *runner) stream() {
	t := r.t
	input := r.input()
	img, _, err := image.Decode(bytes.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	format := restoregrpc.PixelFormat{BitDepth: r.c.PixelFormat.BitDepth, Channels: r.c.PixelFormat.Channels}
	source, err := restoregrpc.NewImageSourceAs(img, format)
	if err != nil {
		t.Fatal(err)
	}
	client := r.client
	var proxy *cutProxy
	if r.c.Kind == "stream_resume" {
		proxy = startCutProxy(t, r.server, r.c.Cut.AfterServerBytes, r.c.Cut.Connections)
		client, err = restoregrpc.Dial(context.Background(), proxy.address(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
	}
	sink := &recordingSink{writes: map[restoregrpc.Rect]int{}}
	var reports []restoregrpc.StreamProgress
	options := r.options()
	result, err := client.RestoreLarge(context.Background(), source, sink, &restoregrpc.StreamOptions{
		RestoreOptions: *options,
		Progress:       func(p restoregrpc.StreamProgress) { reports = append(reports, p) },
	})
	if !r.checkStatus(err) {
		return
	}
	width, height := int(r.c.Expect["output_width"].(float64)), int(r.c.Expect["output_height"].(float64))
	if result.OutputWidth != width || result.OutputHeight != height || sink.Image.Bounds() != image.Rect(0, 0, width, height) {
		t.Fatalf("output %dx%d (image %v), want %dx%d", result.OutputWidth, result.OutputHeight, sink.Image.Bounds(), width, height)
	}
	// Every tile of the plan reached the sink exactly once, at its output core.
	if len(sink.order) != result.TileCount || len(sink.writes) != result.TileCount {
		t.Errorf("%d writes of %d rectangles for %d tiles", len(sink.order), len(sink.writes), result.TileCount)
	}
	for rect, n := range sink.writes {
		if n != 1 {
			t.Errorf("tile %v reached the sink %d times", rect, n)
		}
	}
	if plan, ok := r.c.Expect["tileplan_options"].(map[string]interface{}); ok {
		own, err := restoregrpc.NewTilePlan(img.Bounds().Dx(), img.Bounds().Dy(), restoregrpc.TilePlanOptions{
			TileSize: int(plan["tile_size"].(float64)), Margin: int(plan["margin"].(float64)), Scale: int(plan["scale"].(float64))})
		if err != nil {
			t.Fatal(err)
		}
		if own.Count() != result.TileCount {
			t.Errorf("own plan has %d tiles, the stream %d", own.Count(), result.TileCount)
		}
		for i := 0; i < own.Count(); i++ {
			if sink.writes[own.Tile(i).OutputCore(own.Scale())] != 1 {
				t.Errorf("output core %v of tile %d did not reach the sink once", own.Tile(i).OutputCore(own.Scale()), i)
			}
		}
	}
	if r.c.Expect["progress_in_order"] == true {
		for i, p := range reports {
			if p.TilesTotal != result.TileCount || (i > 0 && p.TilesDone < reports[i-1].TilesDone) {
				t.Fatalf("progress report %d out of order: %+v", i, reports)
			}
		}
		if len(reports) == 0 || reports[len(reports)-1].TilesDone != result.TileCount {
			t.Errorf("the last progress report is not complete: %+v", reports)
		}
	}
	if proxy != nil {
		if want := int(r.c.Expect["min_reconnects"].(float64)); result.Reconnects < want {
			t.Errorf("%d reconnects, want at least %d (proxy cut %d connections)", result.Reconnects, want, proxy.cuts())
		}
		if result.TilesComputed != result.TileCount-result.TilesHeldAtStart {
			t.Errorf("the last stream computed %d tiles; %d of %d were held", result.TilesComputed, result.TilesHeldAtStart, result.TileCount)
		}
		t.Logf("resumed %d times; the last stream computed %d of %d tiles", result.Reconnects, result.TilesComputed, result.TileCount)
	}
	if limit, ok := r.c.Expect["max_level_difference_vs_unary"].(float64); ok {
		unaryOptions := *options
		unaryOptions.Format = restoregrpc.FormatPNG
		unary, err := r.client.Restore(context.Background(), input, &unaryOptions)
		if err != nil {
			t.Fatal(err)
		}
		decoded, err := png.Decode(bytes.NewReader(unary.Image))
		if err != nil {
			t.Fatal(err)
		}
		if diff := maxDifference(sink.Image, decoded, format); diff > limit {
			t.Errorf("stream and unary differ by %v levels (at most %v allowed)", diff, limit)
		}
	}
}

// maxDifference is the largest per-sample difference of two images in levels of format's bit depth.
func maxDifference(a, b image.Image, format restoregrpc.PixelFormat) float64 {
	if a.Bounds().Size() != b.Bounds().Size() {
		return math.Inf(1)
	}
	shift := uint(16 - format.BitDepth)
	worst := 0.0
	for y := 0; y < a.Bounds().Dy(); y++ {
		for x := 0; x < a.Bounds().Dx(); x++ {
			ar, ag, ab, _ := a.At(a.Bounds().Min.X+x, a.Bounds().Min.Y+y).RGBA()
			br, bg, bb, _ := b.At(b.Bounds().Min.X+x, b.Bounds().Min.Y+y).RGBA()
			for _, pair := range [][2]uint32{{ar, br}, {ag, bg}, {ab, bb}} {
				d := math.Abs(float64(pair[0]>>shift) - float64(pair[1]>>shift))
				worst = math.Max(worst, d)
			}
		}
	}
	return worst
}

func (r *runner) trace() {
	ctx := metadata.AppendToOutgoingContext(context.Background(), "traceparent", r.c.Traceparent)
	var trailer metadata.MD
	_, err := r.client.Restore(ctx, r.input(), r.options(), grpc.Trailer(&trailer))
	if !r.checkStatus(err) {
		return
	}
	values := trailer.Get("traceresponse")
	if len(values) == 0 {
		r.t.Fatalf("no traceresponse trailer (trailers %v)", trailer)
	}
	parts := strings.Split(values[0], "-")
	sent := strings.Split(r.c.Traceparent, "-")
	if len(parts) != 4 || parts[1] != r.c.Expect["trace_id"] {
		r.t.Fatalf("traceresponse %q, want trace id %v", values[0], r.c.Expect["trace_id"])
	}
	if parts[2] == sent[2] {
		r.t.Errorf("the server span id %s is the caller's", parts[2])
	}
}

// cutProxy forwards loopback TCP connections to the server and closes the first `connections` of them (both
// sockets) once `after` bytes have come from the server: a real disconnect, as the kit prescribes.
type cutProxy struct {
	listener   net.Listener
	mu         sync.Mutex
	accepted   int
	cut        int
	after, max int
	target     string
}

func startCutProxy(t *testing.T, target string, after, connections int) *cutProxy {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{listener: listener, after: after, max: connections, target: target}
	t.Cleanup(func() { _ = listener.Close() })
	go p.serve()
	return p
}

func (p *cutProxy) address() string { return p.listener.Addr().String() }

func (p *cutProxy) cuts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cut
}

func (p *cutProxy) serve() {
	for {
		downstream, err := p.listener.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.accepted++
		cutThis := p.accepted <= p.max
		p.mu.Unlock()
		go p.forward(downstream, cutThis)
	}
}

func (p *cutProxy) forward(downstream net.Conn, cutThis bool) {
	upstream, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = downstream.Close()
		return
	}
	closeBoth := func() { _ = downstream.Close(); _ = upstream.Close() }
	go func() { _, _ = io.Copy(upstream, downstream); closeBoth() }()
	buffer := make([]byte, 32<<10)
	forwarded := 0
	for {
		n, err := upstream.Read(buffer)
		if n > 0 {
			chunk := buffer[:n]
			if cutThis && forwarded+n >= p.after {
				chunk = buffer[:p.after-forwarded]
			}
			if _, werr := downstream.Write(chunk); werr != nil {
				break
			}
			forwarded += len(chunk)
			if cutThis && forwarded >= p.after {
				p.mu.Lock()
				p.cut++
				p.mu.Unlock()
				break
			}
		}
		if err != nil {
			break
		}
	}
	closeBoth()
}
