package restoregrpc

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// The rule worked by hand for one axis (the proto's StreamPlan comment): L = 1000, T = 256, m = 16 gives
// n = 4 cores [0,250) [250,500) [500,750) [750,1000) and windows of 288 starting at 0, 234, 484, 712.
func TestTilePlanByHand(t *testing.T) {
	plan, err := NewTilePlan(1000, 200, TilePlanOptions{TileSize: 256, Margin: 16, Scale: 4})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Columns() != 4 || plan.Rows() != 1 || plan.WindowWidth() != 288 || plan.WindowHeight() != 200 {
		t.Fatalf("got %dx%d tiles of %dx%d", plan.Columns(), plan.Rows(), plan.WindowWidth(), plan.WindowHeight())
	}
	wantStarts := []int{0, 234, 484, 712}
	for i, start := range wantStarts {
		tile := plan.Tile(i)
		if tile.Window.X != start || tile.Core != (Rect{250 * i, 0, 250, 200}) {
			t.Errorf("tile %d: window %v core %v", i, tile.Window, tile.Core)
		}
		if tile.CoreInWindow.X != 250*i-start || tile.OutputCore(4) != (Rect{1000 * i, 0, 1000, 800}) {
			t.Errorf("tile %d: core in window %v output %v", i, tile.CoreInWindow, tile.OutputCore(4))
		}
	}
	if _, err := NewTilePlan(0, 10, TilePlanOptions{TileSize: 8, Scale: 1}); err == nil {
		t.Error("an empty axis must be refused")
	}
}

type goldenPlan struct {
	Input struct {
		Width, Height int
		TileSize      int `json:"tile_size"`
		Margin, Scale int
		Pad           bool `json:"pad_to_full_shape"`
	}
	Plan struct {
		Columns, Rows int
		TileCount     int `json:"tile_count"`
		WindowWidth   int `json:"window_width"`
		WindowHeight  int `json:"window_height"`
		ContentWidth  int `json:"content_width"`
		ContentHeight int `json:"content_height"`
		OutputWidth   int `json:"output_width"`
		OutputHeight  int `json:"output_height"`
	}
	Tiles []struct {
		Index, Column, Row int
		Window             [4]int
		Core               [4]int
		CoreInWindow       [4]int `json:"core_in_window"`
		OutputCore         [4]int `json:"output_core"`
	}
}

func rectOf(r [4]int) Rect { return Rect{r[0], r[1], r[2], r[3]} }

// conformanceDir is clients/conformance (RESTOREGRPC_CONFORMANCE when set).
func conformanceDir() string {
	if dir := os.Getenv("RESTOREGRPC_CONFORMANCE"); dir != "" {
		return dir
	}
	return filepath.Join("..", "..", "conformance")
}

// TestTilePlanGoldenFiles checks this port against the plans the C# TilePlan wrote (clients/conformance/tileplan).
func TestTilePlanGoldenFiles(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(conformanceDir(), "tileplan", "*.json"))
	if len(files) == 0 {
		missing(t, "no tile-plan golden files under "+filepath.Join(conformanceDir(), "tileplan"))
	}
	for _, file := range files {
		file := file
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var golden goldenPlan
			if err := json.Unmarshal(data, &golden); err != nil {
				t.Fatal(err)
			}
			in := golden.Input
			plan, err := NewTilePlan(in.Width, in.Height, TilePlanOptions{TileSize: in.TileSize, Margin: in.Margin, Scale: in.Scale, PadToFullShape: in.Pad})
			if err != nil {
				t.Fatal(err)
			}
			got := [...]int{plan.Columns(), plan.Rows(), plan.Count(), plan.WindowWidth(), plan.WindowHeight(),
				plan.ContentWidth(), plan.ContentHeight(), plan.OutputWidth(), plan.OutputHeight()}
			p := golden.Plan
			want := [...]int{p.Columns, p.Rows, p.TileCount, p.WindowWidth, p.WindowHeight, p.ContentWidth, p.ContentHeight, p.OutputWidth, p.OutputHeight}
			if got != want {
				t.Fatalf("plan %v, golden %v", got, want)
			}
			if len(golden.Tiles) != plan.Count() {
				t.Fatalf("%d golden tiles, plan has %d", len(golden.Tiles), plan.Count())
			}
			for _, g := range golden.Tiles {
				tile := plan.Tile(g.Index)
				if tile.Column != g.Column || tile.Row != g.Row || tile.Window != rectOf(g.Window) || tile.Core != rectOf(g.Core) ||
					tile.CoreInWindow != rectOf(g.CoreInWindow) || tile.OutputCore(plan.Scale()) != rectOf(g.OutputCore) {
					t.Fatalf("tile %d: %+v output %v, golden %+v", g.Index, tile, tile.OutputCore(plan.Scale()), g)
				}
			}
		})
	}
}

// missing skips a test whose shared inputs are absent, with the reason, and fails it under CI=true.
func missing(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true)", reason)
	}
	t.Skip(reason)
}
