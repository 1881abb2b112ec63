package restoregrpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	pb "github.com/restoregrpc/restoregrpc/clients/go/gen/restoregrpc/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// PixelFormat is the raw layout of streamed pixels: rows top to bottom, pixels left to right, channels
// interleaved (gray, or R G B), 16-bit samples little-endian.
type PixelFormat struct {
	// BitDepth is 8 or 16.
	BitDepth int
	// Channels is 1 (gray) or 3 (RGB).
	Channels int
}

// BytesPerPixel is BitDepth / 8 × Channels.
func (f PixelFormat) BytesPerPixel() int { return f.BitDepth / 8 * f.Channels }

// TileSource gives RestoreLarge the input pixels, one tile window at a time, only as the server grants credit.
type TileSource interface {
	Width() int
	Height() int
	Format() PixelFormat
	// ReadWindow fills dst (window.Area() × BytesPerPixel bytes, rows packed) with the pixels of window.
	ReadWindow(window Rect, dst []byte) error
}

// TileSink receives the output tile by tile; every output pixel is written by exactly one tile, once.
type TileSink interface {
	// Start is called once, with the output size, before the first tile.
	Start(width, height int, format PixelFormat) error
	// Write stores one output tile: rect in output coordinates, pixels rows packed. pixels is reused afterwards.
	Write(rect Rect, pixels []byte) error
	// Complete is called once after the last tile.
	Complete() error
}

// StreamProgress is reported after each output tile reaches the sink.
type StreamProgress struct {
	TilesDone, TilesTotal, Reconnects int
}

// StreamOptions are RestoreOptions (model, tiling, priority; Timeout per stream) plus a progress callback, called
// on the calling goroutine in order.
type StreamOptions struct {
	RestoreOptions
	Progress func(StreamProgress)
}

// StreamResult describes a completed RestoreLarge.
type StreamResult struct {
	JobID                     string
	Model                     string
	OutputWidth, OutputHeight int
	TileCount                 int
	// TilesComputed by the last stream; TilesHeldAtStart is what the client held when that stream began, so
	// TilesComputed == TileCount - TilesHeldAtStart when nothing was computed twice.
	TilesComputed, TilesHeldAtStart int
	Reconnects                      int
	PeakJobBytes                    int64
	Elapsed, Inference              time.Duration
}

// localError marks failures of this side (source, sink, protocol): never resumed.
type localError struct{ err error }

func (e *localError) Error() string { return e.err.Error() }
func (e *localError) Unwrap() error { return e.err }

// resumable is a lost stream worth resuming: the server's or the connection's failure, not the caller's.
func resumable(err error) bool {
	var local *localError
	if errors.As(err, &local) {
		return false
	}
	s, ok := status.FromError(err)
	if !ok {
		return false
	}
	switch s.Code() {
	case codes.Unavailable, codes.Internal, codes.Unknown, codes.Aborted, codes.ResourceExhausted, codes.Canceled:
		return true
	}
	return false
}

type streamJob struct {
	source      TileSource
	sink        TileSink
	options     StreamOptions
	plan        *TilePlan
	jobID       string
	model       string
	held        map[int]bool
	reconnects  int
	heldAtStart int
}

// RestoreLarge restores an image of any size tile by tile over the RestoreStream call: input windows are read from
// src only as the server grants credit, and output tiles go to dst as they arrive, so neither side holds the
// whole image. The plan is computed here with the same rule as the server (TilePlan) and checked against the
// server's. A lost connection is resumed (Options.MaxStreamReconnects times, with back-off): only the tiles not
// yet in dst are sent and computed again, and no tile reaches dst twice. Cancelling ctx stops at once.
// Super-resolution at the model's native scale only.
func (c *Client) RestoreLarge(ctx context.Context, src TileSource, dst TileSink, options *StreamOptions) (*StreamResult, error) {
	if src == nil || dst == nil {
		return nil, errors.New("restoregrpc: RestoreLarge needs a source and a sink")
	}
	job := &streamJob{source: src, sink: dst, held: map[int]bool{}}
	if options != nil {
		job.options = *options
	}
	started := time.Now()
	for {
		summary, err := c.runStream(ctx, job)
		if err == nil {
			if err := dst.Complete(); err != nil {
				return nil, err
			}
			result := &StreamResult{
				JobID: summary.GetJobId(), Model: job.model,
				OutputWidth: int(summary.GetOutputWidth()), OutputHeight: int(summary.GetOutputHeight()),
				TileCount: int(summary.GetTileCount()), TilesComputed: int(summary.GetComputedTileCount()),
				TilesHeldAtStart: job.heldAtStart, Reconnects: job.reconnects,
				PeakJobBytes: int64(summary.GetPeakJobBytes()), Elapsed: time.Since(started),
			}
			if inference := summary.GetTimings().GetInference(); inference != nil {
				result.Inference = inference.AsDuration()
			}
			return result, nil
		}
		if ctx.Err() != nil {
			return nil, status.FromContextError(ctx.Err()).Err()
		}
		if !resumable(err) || job.reconnects >= c.options.MaxStreamReconnects {
			var local *localError
			if errors.As(err, &local) {
				return nil, local.err
			}
			return nil, err
		}
		job.reconnects++
		backoff := c.options.InitialBackoff << (job.reconnects - 1)
		if backoff > c.options.MaxBackoff || backoff <= 0 {
			backoff = c.options.MaxBackoff
		}
		timer := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, status.FromContextError(ctx.Err()).Err()
		case <-timer.C:
		}
	}
}

// credit counts the tiles the client may still send.
type credit struct {
	mu     sync.Mutex
	tiles  int
	notify chan struct{}
}

func (c *credit) add(n int) {
	c.mu.Lock()
	c.tiles += n
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

func (c *credit) take(ctx context.Context) bool {
	for {
		c.mu.Lock()
		if c.tiles > 0 {
			c.tiles--
			c.mu.Unlock()
			return true
		}
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-ctx.Done():
			return false
		}
	}
}

func (c *Client) runStream(parent context.Context, job *streamJob) (*pb.StreamSummary, error) {
	ctx, cancel := c.withTimeout(parent, job.options.Timeout)
	defer cancel()
	stream, err := c.raw.RestoreStream(ctx)
	if err != nil {
		return nil, err
	}
	format := job.source.Format()
	header := &pb.StreamHeader{
		Options:     job.options.RestoreOptions.Proto(),
		Width:       optional(job.source.Width()),
		Height:      optional(job.source.Height()),
		PixelFormat: &pb.PixelFormat{BitDepth: optional(format.BitDepth), ChannelCount: optional(format.Channels)},
		JobId:       job.jobID,
	}
	for index := range job.held {
		header.HeldTiles = append(header.HeldTiles, int32(index))
	}
	if err := stream.Send(&pb.RestoreStreamRequest{Kind: &pb.RestoreStreamRequest_Header{Header: header}}); err != nil && err != io.EOF {
		return nil, err
	}
	first, err := stream.Recv()
	if err != nil {
		return nil, err
	}
	answer := first.GetPlan()
	if answer == nil {
		return nil, &localError{errors.New("restoregrpc: the server did not answer the stream header with a tile plan")}
	}
	plan, err := job.accept(answer)
	if err != nil {
		return nil, &localError{err}
	}
	job.heldAtStart = len(job.held)

	pending := make([]int, 0, plan.Count()-len(job.held))
	for i := 0; i < plan.Count(); i++ {
		if !job.held[i] {
			pending = append(pending, i)
		}
	}
	grants := &credit{tiles: int(answer.GetInitialCredit()), notify: make(chan struct{}, 1)}
	var sourceErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		window := plan.Tile(0).Window
		buffer := make([]byte, window.Area()*format.BytesPerPixel())
		for _, index := range pending {
			if !grants.take(ctx) {
				return
			}
			if err := job.source.ReadWindow(plan.Tile(index).Window, buffer); err != nil {
				sourceErr = fmt.Errorf("restoregrpc: reading tile %d: %w", index, err)
				cancel()
				return
			}
			// Send has encoded the message when it returns, so the buffer is free again.
			if err := stream.Send(&pb.RestoreStreamRequest{Kind: &pb.RestoreStreamRequest_Tile{Tile: &pb.InputTile{Index: int32(index), Pixels: buffer}}}); err != nil {
				return // the call broke; Recv reports why
			}
		}
		_ = stream.CloseSend()
	}()

	summary, err := job.receive(stream, plan, grants)
	cancel()
	wg.Wait()
	if sourceErr != nil {
		return nil, &localError{sourceErr}
	}
	return summary, err
}

// accept takes the server's plan: it must equal this SDK's plan for the same options; the first one starts the
// sink, and a resumed stream must bring back the same plan.
func (job *streamJob) accept(answer *pb.StreamPlan) (*TilePlan, error) {
	plan, err := NewTilePlan(job.source.Width(), job.source.Height(), TilePlanOptions{
		TileSize: int(answer.GetTileSize()), Margin: int(answer.GetTileMargin()), Scale: int(answer.GetModelScale()),
	})
	if err != nil {
		return nil, fmt.Errorf("restoregrpc: the server's tile plan is not valid: %w", err)
	}
	if plan.Count() != int(answer.GetTileCount()) || plan.Columns() != int(answer.GetColumnCount()) ||
		plan.Rows() != int(answer.GetRowCount()) || plan.WindowWidth() != int(answer.GetWindowWidth()) ||
		plan.WindowHeight() != int(answer.GetWindowHeight()) || plan.OutputWidth() != int(answer.GetOutputWidth()) ||
		plan.OutputHeight() != int(answer.GetOutputHeight()) {
		return nil, fmt.Errorf("restoregrpc: the server's tile plan (%dx%d tiles of %dx%d) differs from this SDK's (%dx%d of %dx%d)",
			answer.GetColumnCount(), answer.GetRowCount(), answer.GetWindowWidth(), answer.GetWindowHeight(),
			plan.Columns(), plan.Rows(), plan.WindowWidth(), plan.WindowHeight())
	}
	if job.plan == nil {
		if err := job.sink.Start(plan.OutputWidth(), plan.OutputHeight(), job.source.Format()); err != nil {
			return nil, err
		}
	} else if job.plan.Count() != plan.Count() || job.plan.Options != plan.Options {
		return nil, fmt.Errorf("restoregrpc: job %s came back with another tile plan", answer.GetJobId())
	}
	job.plan = plan
	job.jobID = answer.GetJobId()
	job.model = answer.GetModel()
	return plan, nil
}

type streamReceiver interface {
	Recv() (*pb.RestoreStreamResponse, error)
}

// receive assembles output tiles from their row bands and hands each complete tile to the sink once.
func (job *streamJob) receive(stream streamReceiver, plan *TilePlan, grants *credit) (*pb.StreamSummary, error) {
	bytesPerPixel := job.source.Format().BytesPerPixel()
	var buffer []byte
	current := -1
	var rect Rect
	var summary *pb.StreamSummary
	for {
		response, err := stream.Recv()
		if err == io.EOF {
			// Read to the end, past the summary: the call then ends with the server's OK status, not a cancel.
			if summary != nil {
				return summary, nil
			}
			return nil, &localError{errors.New("restoregrpc: the stream ended without a summary")}
		}
		if err != nil {
			return nil, err
		}
		switch kind := response.GetKind().(type) {
		case *pb.RestoreStreamResponse_Tile:
			part := kind.Tile
			index := int(part.GetIndex())
			if index != current {
				if index < 0 || index >= plan.Count() {
					return nil, &localError{fmt.Errorf("restoregrpc: the server sent tile %d of %d", index, plan.Count())}
				}
				current = index
				rect = plan.Tile(index).OutputCore(plan.Scale())
				if size := rect.Area() * bytesPerPixel; cap(buffer) < size {
					buffer = make([]byte, size)
				} else {
					buffer = buffer[:size]
				}
			}
			offset := (int(part.GetY()) - rect.Y) * rect.Width * bytesPerPixel
			if offset < 0 || offset+len(part.GetPixels()) > len(buffer) {
				return nil, &localError{fmt.Errorf("restoregrpc: tile %d's band at row %d is outside its rectangle %v", index, part.GetY(), rect)}
			}
			copy(buffer[offset:], part.GetPixels())
			if part.GetLast() {
				if !job.held[current] {
					if err := job.sink.Write(rect, buffer); err != nil {
						return nil, &localError{err}
					}
					job.held[current] = true
					if job.options.Progress != nil {
						job.options.Progress(StreamProgress{TilesDone: len(job.held), TilesTotal: plan.Count(), Reconnects: job.reconnects})
					}
				}
				current = -1
			}
		case *pb.RestoreStreamResponse_Credit:
			grants.add(int(kind.Credit.GetTileCount()))
		case *pb.RestoreStreamResponse_Summary:
			if len(job.held) != plan.Count() {
				return nil, &localError{fmt.Errorf("restoregrpc: the server ended job %s with %d tiles missing", job.jobID, plan.Count()-len(job.held))}
			}
			summary = kind.Summary
		}
	}
}
