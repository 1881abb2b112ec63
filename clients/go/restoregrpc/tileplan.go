package restoregrpc

import "fmt"

// Rect is a pixel rectangle: X, Y of its top-left corner, Width and Height.
type Rect struct {
	X, Y, Width, Height int
}

// Area is Width × Height.
func (r Rect) Area() int { return r.Width * r.Height }

// Scale multiplies every coordinate by factor (input rectangle → output rectangle).
func (r Rect) Scale(factor int) Rect {
	return Rect{r.X * factor, r.Y * factor, r.Width * factor, r.Height * factor}
}

func (r Rect) String() string { return fmt.Sprintf("(%d,%d %dx%d)", r.X, r.Y, r.Width, r.Height) }

// TilePlanOptions are the inputs of a tile plan besides the image size.
type TilePlanOptions struct {
	// TileSize is the core tile edge in input pixels (≥ 1).
	TileSize int
	// Margin is the context margin on every side of a core, in input pixels (≥ 0).
	Margin int
	// Scale is the model's upscaling factor (≥ 1).
	Scale int
	// PadToFullShape makes a single-window axis TileSize + 2·Margin long (the rest reflect-padded by the server).
	PadToFullShape bool
}

// Tile is one tile of a plan.
type Tile struct {
	Index, Column, Row int
	// Window holds the input pixels the tile reads (core plus margin); every tile's window has the same shape.
	Window Rect
	// Core holds the input pixels whose output this tile owns; the cores partition the image.
	Core Rect
	// CoreInWindow is Core relative to Window.
	CoreInWindow Rect
}

// OutputCore is the output rectangle the tile writes: its core times scale.
func (t Tile) OutputCore(scale int) Rect { return t.Core.Scale(scale) }

type axisSegment struct{ windowStart, coreStart, coreLength int }

type axisPlan struct {
	length, windowLength, contentLength int
	segments                            []axisSegment
}

// newAxisPlan is RestoreGrpc.Tiling.AxisPlan.Create: along an axis of length L with tile size T and margin m, an
// axis no longer than T + 2m is one tile whose window is the whole axis (T + 2m when padded); otherwise
// n = ceil(L / T) cores, core i = [floor(i·L/n), floor((i+1)·L/n)), window T + 2m long starting at
// clamp(core start − m, 0, L − (T + 2m)).
func newAxisPlan(length, tileSize, margin int, pad bool) (axisPlan, error) {
	if length < 1 || tileSize < 1 || margin < 0 {
		return axisPlan{}, fmt.Errorf("restoregrpc: invalid axis (length %d, tile %d, margin %d)", length, tileSize, margin)
	}
	full := tileSize + 2*margin
	if length <= full {
		window := length
		if pad {
			window = full
		}
		return axisPlan{length, window, length, []axisSegment{{0, 0, length}}}, nil
	}
	count := (length + tileSize - 1) / tileSize
	segments := make([]axisSegment, count)
	for i := 0; i < count; i++ {
		start := int(int64(i) * int64(length) / int64(count))
		end := int(int64(i+1) * int64(length) / int64(count))
		windowStart := start - margin
		if windowStart > length-full {
			windowStart = length - full
		}
		if windowStart < 0 {
			windowStart = 0
		}
		segments[i] = axisSegment{windowStart, start, end - start}
	}
	return axisPlan{length, full, full, segments}, nil
}

// TilePlan is the port of RestoreGrpc.Tiling.TilePlan, the plan the server streams by: every tile has the same
// window shape, and the cores partition the image, so every output pixel is written by exactly one tile.
type TilePlan struct {
	Options       TilePlanOptions
	columns, rows axisPlan
}

// NewTilePlan plans the tiles of a width × height image.
func NewTilePlan(width, height int, options TilePlanOptions) (*TilePlan, error) {
	if options.Scale < 1 {
		return nil, fmt.Errorf("restoregrpc: tile plan scale %d < 1", options.Scale)
	}
	columns, err := newAxisPlan(width, options.TileSize, options.Margin, options.PadToFullShape)
	if err != nil {
		return nil, err
	}
	rows, err := newAxisPlan(height, options.TileSize, options.Margin, options.PadToFullShape)
	if err != nil {
		return nil, err
	}
	return &TilePlan{options, columns, rows}, nil
}

func (p *TilePlan) ImageWidth() int   { return p.columns.length }
func (p *TilePlan) ImageHeight() int  { return p.rows.length }
func (p *TilePlan) Scale() int        { return p.Options.Scale }
func (p *TilePlan) OutputWidth() int  { return p.columns.length * p.Options.Scale }
func (p *TilePlan) OutputHeight() int { return p.rows.length * p.Options.Scale }
func (p *TilePlan) WindowWidth() int  { return p.columns.windowLength }
func (p *TilePlan) WindowHeight() int { return p.rows.windowLength }

// ContentWidth is the number of columns of each window that hold image pixels (the rest is padding).
func (p *TilePlan) ContentWidth() int { return p.columns.contentLength }

// ContentHeight is the number of rows of each window that hold image pixels (the rest is padding).
func (p *TilePlan) ContentHeight() int { return p.rows.contentLength }
func (p *TilePlan) Columns() int       { return len(p.columns.segments) }
func (p *TilePlan) Rows() int          { return len(p.rows.segments) }
func (p *TilePlan) Count() int         { return p.Columns() * p.Rows() }

// Tile returns tile index (row-major: index = row · Columns + column); it panics outside [0, Count).
func (p *TilePlan) Tile(index int) Tile {
	if index < 0 || index >= p.Count() {
		panic(fmt.Sprintf("restoregrpc: tile %d outside the plan's %d tiles", index, p.Count()))
	}
	row, column := index/p.Columns(), index%p.Columns()
	x, y := p.columns.segments[column], p.rows.segments[row]
	return Tile{
		Index:        index,
		Column:       column,
		Row:          row,
		Window:       Rect{x.windowStart, y.windowStart, p.WindowWidth(), p.WindowHeight()},
		Core:         Rect{x.coreStart, y.coreStart, x.coreLength, y.coreLength},
		CoreInWindow: Rect{x.coreStart - x.windowStart, y.coreStart - y.windowStart, x.coreLength, y.coreLength},
	}
}
