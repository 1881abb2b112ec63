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
	// Lossless encodes WebP output lossless (other formats are lossless or lossy by nature).
	Lossless bool
	// Background is the colour transparent pixels are flattened onto where the output format has no alpha
	// (e.g. "#ffffff"); empty for the server default.
	Background string
	Mode       Mode
	// FaceBlend is the weight of restored faces 0..1; nil for 1.
	FaceBlend     *float64
	ColorFidelity bool
	Priority      Priority
	// Timeout is this call's deadline (per stream for RestoreLarge); 0 uses Options.DefaultTimeout. A deadline on
	// the context applies as well: the earlier one wins.
	Timeout time.Duration
}

func nonNegative(v int) int32 {
	if v < 0 {
		return 0
	}
	return int32(v)
}

// optional is the wire value of a size the SDK always knows (negative sizes become 0, which the server rejects).
func optional(v int) *int32 {
	value := nonNegative(v)
	return &value
}

// positive is the optional wire value for a count the SDK takes as "0 for the default": nil (unset) when v <= 0.
func positive(v int) *int32 {
	if v <= 0 {
		return nil
	}
	value := int32(v)
	return &value
}

// Proto converts the options to the wire message.
func (o *RestoreOptions) Proto() *pb.RestoreOptions {
	if o == nil {
		o = &RestoreOptions{}
	}
	proto := &pb.RestoreOptions{
		Model: o.Model,
		Tiling: &pb.TileOptions{
			TileSize:   positive(o.TileSize),
			TileMargin: positive(o.TileMargin),
		},
		Output: &pb.OutputOptions{
			Format:        pb.ImageFormat(o.Format),
			Quality:       positive(o.Quality),
			StripMetadata: o.StripMetadata,
			Lossless:      o.Lossless,
			Background:    o.Background,
		},
		Task:     pb.RestoreTask(o.Mode),
		Priority: pb.Priority(o.Priority),
	}
	if o.Scale > 0 {
		scale := o.Scale
		proto.Scale = &scale
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
