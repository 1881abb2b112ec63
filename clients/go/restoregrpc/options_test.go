package restoregrpc

import "testing"

// The zero value leaves every optional field unset (the server's default); what the caller gives is sent.
func TestRestoreOptionsPresence(t *testing.T) {
	unset := (&RestoreOptions{}).Proto()
	if unset.Scale != nil || unset.GetTiling().TileSize != nil || unset.GetTiling().TileMargin != nil || unset.GetOutput().Quality != nil {
		t.Fatalf("zero options set optional fields: %v", unset)
	}
	given := (&RestoreOptions{Scale: 2.5, TileSize: 128, TileMargin: 8, Quality: 90, Lossless: true, Background: "#ffffff"}).Proto()
	if given.GetScale() != 2.5 || given.GetTiling().GetTileSize() != 128 || given.GetTiling().GetTileMargin() != 8 ||
		given.GetOutput().GetQuality() != 90 || !given.GetOutput().GetLossless() || given.GetOutput().GetBackground() != "#ffffff" {
		t.Fatalf("given options not sent: %v", given)
	}
}
