package restoregrpc

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"

	pb "github.com/restoregrpc/restoregrpc/clients/go/gen/restoregrpc/v1"
	"google.golang.org/grpc"
)

// fakeServer is an in-process RestoreService on a loopback port that speaks the RestoreStream protocol with a
// nearest-neighbour ×2 "model", so the SDK's streaming (credit, bands, reconnect, resume) is tested against
// known output. Unary methods answer what the test sets.
type fakeServer struct {
	pb.UnimplementedRestoreServiceServer
	restore func(context.Context, *pb.RestoreRequest) (*pb.RestoreResponse, error)

	mu sync.Mutex
	// cutAfter ends the first stream with this error after that many output tiles.
	cutAfter int
	cutErr   error
	streams  int
	headers  []*pb.StreamHeader
	jobs     map[string]*pb.StreamHeader
	computed map[int]int
}

const fakeScale, fakeTile, fakeMargin, fakeCredit = 2, 16, 4, 2

func startFake(t *testing.T, fake *fakeServer) *Client {
	t.Helper()
	return serveOnLoopback(t, func(server *grpc.Server) { pb.RegisterRestoreServiceServer(server, fake) })
}

// serveOnLoopback starts a gRPC server with what register adds on a loopback port and dials it.
func serveOnLoopback(t *testing.T, register func(*grpc.Server)) *Client {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := grpc.NewServer()
	register(server)
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(server.Stop)
	client, err := Dial(context.Background(), listener.Addr().String(), &Options{InitialBackoff: 1, MaxBackoff: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return client
}

func (f *fakeServer) Restore(ctx context.Context, request *pb.RestoreRequest) (*pb.RestoreResponse, error) {
	return f.restore(ctx, request)
}

func (f *fakeServer) RestoreStream(stream pb.RestoreService_RestoreStreamServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	header := first.GetHeader()
	f.mu.Lock()
	f.streams++
	streamNumber := f.streams
	f.headers = append(f.headers, header)
	if f.jobs == nil {
		f.jobs, f.computed = map[string]*pb.StreamHeader{}, map[int]int{}
	}
	job := header
	if header.GetJobId() != "" {
		job = f.jobs[header.GetJobId()]
	} else {
		header.JobId = fmt.Sprintf("job-%d", streamNumber)
		f.jobs[header.JobId] = header
	}
	f.mu.Unlock()

	width, height := int(job.GetWidth()), int(job.GetHeight())
	bpp := int(job.GetPixelFormat().GetBitDepth()/8) * int(job.GetPixelFormat().GetChannelCount())
	plan, err := NewTilePlan(width, height, TilePlanOptions{TileSize: fakeTile, Margin: fakeMargin, Scale: fakeScale})
	if err != nil {
		return err
	}
	pending := plan.Count() - len(header.GetHeldTiles())
	if err := stream.Send(&pb.RestoreStreamResponse{Kind: &pb.RestoreStreamResponse_Plan{Plan: &pb.StreamPlan{
		JobId: job.GetJobId(), Model: "fake-x2", ModelScale: fakeScale, TileSize: fakeTile, TileMargin: fakeMargin,
		ColumnCount: int32(plan.Columns()), RowCount: int32(plan.Rows()), TileCount: int32(plan.Count()),
		WindowWidth: int32(plan.WindowWidth()), WindowHeight: int32(plan.WindowHeight()),
		OutputWidth: int32(plan.OutputWidth()), OutputHeight: int32(plan.OutputHeight()),
		InitialCredit: fakeCredit, PendingTileCount: int32(pending),
	}}}); err != nil {
		return err
	}
	computed := 0
	for computed < pending {
		request, err := stream.Recv()
		if err == io.EOF {
			return fmt.Errorf("client half-closed after %d of %d tiles", computed, pending)
		}
		if err != nil {
			return err
		}
		in := request.GetTile()
		tile := plan.Tile(int(in.GetIndex()))
		out := tile.OutputCore(fakeScale)
		pixels := make([]byte, out.Area()*bpp)
		for y := 0; y < out.Height; y++ {
			for x := 0; x < out.Width; x++ {
				sx, sy := tile.CoreInWindow.X+x/fakeScale, tile.CoreInWindow.Y+y/fakeScale
				copy(pixels[(y*out.Width+x)*bpp:], in.GetPixels()[(sy*tile.Window.Width+sx)*bpp:(sy*tile.Window.Width+sx+1)*bpp])
			}
		}
		// Two bands per tile, as the server sends large tiles.
		half := out.Height / 2
		for _, band := range [][2]int{{0, half}, {half, out.Height}} {
			if err := stream.Send(&pb.RestoreStreamResponse{Kind: &pb.RestoreStreamResponse_Tile{Tile: &pb.OutputTile{
				Index: in.GetIndex(), X: int32(out.X), Y: int32(out.Y + band[0]), Width: int32(out.Width), Height: int32(band[1] - band[0]),
				Pixels: pixels[band[0]*out.Width*bpp : band[1]*out.Width*bpp], Last: band[1] == out.Height,
			}}}); err != nil {
				return err
			}
		}
		computed++
		f.mu.Lock()
		f.computed[int(in.GetIndex())]++
		cut := streamNumber == 1 && f.cutAfter > 0 && computed == f.cutAfter
		f.mu.Unlock()
		if cut {
			return f.cutErr
		}
		if err := stream.Send(&pb.RestoreStreamResponse{Kind: &pb.RestoreStreamResponse_Credit{Credit: &pb.CreditGrant{TileCount: 1}}}); err != nil {
			return err
		}
	}
	return stream.Send(&pb.RestoreStreamResponse{Kind: &pb.RestoreStreamResponse_Summary{Summary: &pb.StreamSummary{
		JobId: job.GetJobId(), TileCount: int32(plan.Count()), ComputedTileCount: int32(computed),
		OutputWidth: int32(plan.OutputWidth()), OutputHeight: int32(plan.OutputHeight()),
	}}})
}
