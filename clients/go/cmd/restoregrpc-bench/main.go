// Command restoregrpc-bench measures the Go SDK against a server (a benchmark, not a test): unary Restore of an
// encoded image n times (mean and p50 wall time per call, one call in flight), and RestoreLarge of a synthetic
// size² RGB image into a raw file (wall time, client peak RSS). One JSON object per measurement on stdout.
//
//	go run ./cmd/restoregrpc-bench -server 127.0.0.1:5000 -image in512.png -n 20 -stream 4096 -model builtin-lanczos-x4
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/restoregrpc/restoregrpc/clients/go/restoregrpc"
)

func peakRSSMiB() float64 {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return float64(kb) / 1024
		}
	}
	return 0
}

// syntheticSource is a size² RGB gradient generated per window, so the client never holds the input either.
type syntheticSource struct{ size int }

func (s syntheticSource) Width() int  { return s.size }
func (s syntheticSource) Height() int { return s.size }
func (s syntheticSource) Format() restoregrpc.PixelFormat {
	return restoregrpc.PixelFormat{BitDepth: 8, Channels: 3}
}
func (s syntheticSource) ReadWindow(w restoregrpc.Rect, dst []byte) error {
	o := 0
	for y := w.Y; y < w.Y+w.Height; y++ {
		for x := w.X; x < w.X+w.Width; x++ {
			dst[o], dst[o+1], dst[o+2] = byte(x), byte(y), byte(x^y)
			o += 3
		}
	}
	return nil
}

func main() {
	server := flag.String("server", os.Getenv("RESTOREGRPC_SERVER"), "host:port")
	imagePath := flag.String("image", "", "encoded image for the unary measurement (empty: skip)")
	n := flag.Int("n", 20, "unary calls (after 2 warm-up calls)")
	streamSize := flag.Int("stream", 0, "edge of the synthetic streamed image (0: skip)")
	model := flag.String("model", "", "model name")
	tile := flag.Int("tile", 0, "tile size for the stream (0: the model's)")
	flag.Parse()
	ctx := context.Background()
	client, err := restoregrpc.Dial(ctx, *server, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	out := json.NewEncoder(os.Stdout)
	options := &restoregrpc.RestoreOptions{Model: *model, TileSize: *tile}
	if *imagePath != "" {
		input, err := os.ReadFile(*imagePath)
		if err != nil {
			log.Fatal(err)
		}
		var times []float64
		for i := 0; i < *n+2; i++ {
			started := time.Now()
			if _, err := client.Restore(ctx, input, options); err != nil {
				log.Fatal(restoregrpc.Describe(err))
			}
			if i >= 2 {
				times = append(times, float64(time.Since(started).Microseconds())/1000)
			}
		}
		sort.Float64s(times)
		sum := 0.0
		for _, t := range times {
			sum += t
		}
		_ = out.Encode(map[string]interface{}{"sdk": "go", "kind": "unary", "image": *imagePath, "n": *n,
			"mean_ms": sum / float64(len(times)), "p50_ms": times[len(times)/2]})
	}
	if *streamSize > 0 {
		file, err := os.CreateTemp("", "restoregrpc-bench-*.rgb")
		if err != nil {
			log.Fatal(err)
		}
		defer os.Remove(file.Name())
		defer file.Close()
		started := time.Now()
		result, err := client.RestoreLarge(ctx, syntheticSource{*streamSize}, &restoregrpc.RawFileSink{W: file}, &restoregrpc.StreamOptions{RestoreOptions: *options})
		if err != nil {
			log.Fatal(restoregrpc.Describe(err))
		}
		_ = out.Encode(map[string]interface{}{"sdk": "go", "kind": "stream", "size": *streamSize, "tiles": result.TileCount,
			"seconds": time.Since(started).Seconds(), "peak_rss_mib": peakRSSMiB()})
	}
}
