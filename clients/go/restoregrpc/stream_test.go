package restoregrpc

import (
	"context"
	"errors"
	"image"
	"image/color"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func testImage(width, height int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, width, height))
	for y := 0; y < height; y++ {
		for x := 0; x < width; x++ {
			img.Set(x, y, color.NRGBA{uint8(x * 7), uint8(y * 5), uint8(x ^ y), 255})
		}
	}
	return img
}

// countingSink is an ImageSink that counts the writes of every tile rectangle.
type countingSink struct {
	ImageSink
	writes map[Rect]int
}

func (s *countingSink) Write(rect Rect, pixels []byte) error {
	if s.writes == nil {
		s.writes = map[Rect]int{}
	}
	s.writes[rect]++
	return s.ImageSink.Write(rect, pixels)
}

func checkNearestX2(t *testing.T, in *image.NRGBA, out image.Image) {
	t.Helper()
	if out.Bounds().Dx() != 2*in.Bounds().Dx() || out.Bounds().Dy() != 2*in.Bounds().Dy() {
		t.Fatalf("output %v for input %v", out.Bounds(), in.Bounds())
	}
	for y := 0; y < out.Bounds().Dy(); y++ {
		for x := 0; x < out.Bounds().Dx(); x++ {
			if got, want := out.At(x, y).(color.NRGBA), in.NRGBAAt(x/2, y/2); got != want {
				t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, got, want)
			}
		}
	}
}

func TestRestoreLargeAssemblesEveryTileOnceWithinCredit(t *testing.T) {
	fake := &fakeServer{}
	client := startFake(t, fake)
	in := testImage(70, 45)
	sink := &countingSink{}
	var reports []StreamProgress
	result, err := client.RestoreLarge(context.Background(), NewImageSource(in), sink, &StreamOptions{
		Progress: func(p StreamProgress) { reports = append(reports, p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	checkNearestX2(t, in, sink.Image)
	plan, _ := NewTilePlan(70, 45, TilePlanOptions{TileSize: fakeTile, Margin: fakeMargin, Scale: fakeScale})
	if len(sink.writes) != plan.Count() || result.TileCount != plan.Count() || result.TilesComputed != plan.Count() || result.Reconnects != 0 {
		t.Fatalf("%d tiles written, result %+v, plan %d", len(sink.writes), result, plan.Count())
	}
	for rect, n := range sink.writes {
		if n != 1 {
			t.Errorf("tile %v written %d times", rect, n)
		}
	}
	for i, p := range reports {
		if p.TilesDone != i+1 || p.TilesTotal != plan.Count() {
			t.Fatalf("report %d: %+v", i, p)
		}
	}
}

func TestRestoreLargeResumesAfterALostStreamWithTheTilesItHolds(t *testing.T) {
	fake := &fakeServer{cutAfter: 3, cutErr: status.Error(codes.Unavailable, "connection lost")}
	client := startFake(t, fake)
	in := testImage(64, 50)
	sink := &countingSink{}
	result, err := client.RestoreLarge(context.Background(), NewImageSource(in), sink, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkNearestX2(t, in, sink.Image)
	if result.Reconnects != 1 || len(fake.headers) != 2 {
		t.Fatalf("reconnects %d, streams %d", result.Reconnects, len(fake.headers))
	}
	resumed := fake.headers[1]
	if resumed.GetJobId() != fake.headers[0].GetJobId() || len(resumed.GetHeldTiles()) != 3 {
		t.Fatalf("resume header: job %q held %v", resumed.GetJobId(), resumed.GetHeldTiles())
	}
	if result.TilesHeldAtStart != 3 || result.TilesComputed != result.TileCount-3 {
		t.Fatalf("result %+v", result)
	}
	for rect, n := range sink.writes {
		if n != 1 {
			t.Errorf("tile %v written %d times", rect, n)
		}
	}
	for index, n := range fake.computed {
		if n != 1 {
			t.Errorf("tile %d computed %d times", index, n)
		}
	}
}

func TestRestoreLargeDoesNotResumeWhatTheCallerGotWrong(t *testing.T) {
	fake := &fakeServer{cutAfter: 1, cutErr: status.Error(codes.InvalidArgument, "bad tile")}
	client := startFake(t, fake)
	_, err := client.RestoreLarge(context.Background(), NewImageSource(testImage(40, 40)), &ImageSink{}, nil)
	if Code(err) != codes.InvalidArgument || len(fake.headers) != 1 {
		t.Fatalf("err %v after %d streams", err, len(fake.headers))
	}
}

type failingSource struct{ *ImageSource }

var errDisk = errors.New("disk gone")

func (failingSource) ReadWindow(Rect, []byte) error { return errDisk }

func TestRestoreLargeReportsTheSourceError(t *testing.T) {
	client := startFake(t, &fakeServer{})
	_, err := client.RestoreLarge(context.Background(), failingSource{NewImageSource(testImage(40, 40))}, &ImageSink{}, nil)
	if !errors.Is(err, errDisk) {
		t.Fatalf("err = %v", err)
	}
}

func TestRestoreLargeStopsWhenTheContextIsCancelled(t *testing.T) {
	client := startFake(t, &fakeServer{})
	ctx, cancel := context.WithCancel(context.Background())
	sink := &countingSink{}
	_, err := client.RestoreLarge(ctx, NewImageSource(testImage(80, 80)), &cancelAfterFirst{countingSink: sink, cancel: cancel}, nil)
	if Code(err) != codes.Canceled {
		t.Fatalf("err = %v", err)
	}
}

type cancelAfterFirst struct {
	*countingSink
	cancel context.CancelFunc
}

func (s *cancelAfterFirst) Write(rect Rect, pixels []byte) error {
	s.cancel()
	return s.countingSink.Write(rect, pixels)
}
