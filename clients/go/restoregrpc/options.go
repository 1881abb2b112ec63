package restoregrpc

import (
	"time"

	pb "github.com/restoregrpc/restoregrpc/clients/go/gen/restoregrpc/v1"
)

// Format is an output container format; FormatKeep (the zero value) keeps the input's format.
type Format int

const (
	FormatKeep Format = iota
	FormatPNG
	FormatJPEG
	FormatWebP
	FormatTIFF
	FormatBMP
)

// Mode is what to restore; ModeDefault (the zero value) is super-resolution.
type Mode int

const (
	ModeDefault Mode = iota
	ModeSuperResolution
	ModeFaces
	ModeFacesAndBackground
	ModeAuto
)

// Priority is the scheduling class; PriorityDefault (the zero value) is interactive.
type Priority int

const (
	PriorityDefault Priority = iota
	PriorityInteractive
	PriorityBatch
)

// RestoreOptions say what to do with an image. The zero value leaves every choice to the server: its default
// model, the model's scale and tiling, the input's format.
type RestoreOptions struct {
	// Model is the catalog name; empty for the server's default.
	Model string
	// Scale is the final output scale (e.g. 2, 3.5, 4); 0 for the model's native scale.
	Scale float64
	// TileSize and TileMargin in input pixels; 0 for the model's defaults.
	TileSize, TileMargin int
	Format               Format
	// Quality 1..100 for JPEG and WebP; 0 for the server default.
	Quality       int
	StripMetadata bool
	Mode          Mode
	// FaceBlend is the weight of restored faces 0..1; nil for 1.
	FaceBlend     *float64
	ColorFidelity bool
	Priority      Priority
	// Timeout is this call's deadline (per stream for RestoreLarge); 0 uses Options.DefaultTimeout. A deadline on
	// the context applies as well: the earlier one wins.
	Timeout time.Duration
}

func nonNegative(v int) uint32 {
	if v < 0 {
		return 0
	}
	return uint32(v)
}

// Proto converts the options to the wire message.
func (o *RestoreOptions) Proto() *pb.RestoreOptions {
	if o == nil {
		o = &RestoreOptions{}
	}
	proto := &pb.RestoreOptions{
		Model: o.Model,
		Scale: o.Scale,
		Tiling: &pb.TileOptions{
			TileSize:   nonNegative(o.TileSize),
			TileMargin: nonNegative(o.TileMargin),
		},
		Output: &pb.OutputOptions{
			Format:        pb.ImageFormat(o.Format),
			Quality:       nonNegative(o.Quality),
			StripMetadata: o.StripMetadata,
		},
		Task:     pb.RestoreTask(o.Mode),
		Priority: pb.Priority(o.Priority),
	}
	if o.FaceBlend != nil || o.ColorFidelity {
		proto.Faces = &pb.FaceOptions{ColorFidelity: o.ColorFidelity}
		if o.FaceBlend != nil {
			blend := float32(*o.FaceBlend)
			proto.Faces.Blend = &blend
		}
	}
	return proto
}
