package canvas

import (
	"reflect"
	"testing"

	"fyne.io/fyne/v2/theme"

	"github.com/flowbench/flowbench/flow"
)

// TestRunOverlayStaysWithItsDocument: a run's state lights only the
// document it was set on. Loading another flow (its nodes share IDs like
// "start") or a new one clears it, and the late events of the old run light
// nothing there.
func TestRunOverlayStaysWithItsDocument(t *testing.T) {
	fx := newFixture(t, smallFlow())
	fx.c.SetRunOverlay(map[string]flow.Status{"start": flow.StatusSucceeded, "lookup": flow.StatusRunning}, []int{0})
	other := smallFlow()
	other.Name = "Other"
	fx.ed.Load(other)
	if status, lit := fx.c.RunOverlay(); status != nil || lit != nil {
		t.Fatalf("loading another flow kept the run overlay: %v %v", status, lit)
	}
	if got := fx.c.r.nodes["start"].card.StrokeColor; got != theme.Color(theme.ColorNameSeparator) {
		t.Fatalf("the other flow's start card has colour %v, want the plain border", got)
	}
	if got := fx.c.r.edges[0].segs[0].StrokeColor; got != theme.Color(theme.ColorNameForeground) {
		t.Fatalf("the other flow's first connector has colour %v, want the plain one", got)
	}
	fx.c.UpdateRunOverlay(map[string]flow.Status{"lookup": flow.StatusSucceeded}, []int{1})
	if status, lit := fx.c.RunOverlay(); status != nil || lit != nil {
		t.Fatalf("a late event of the old run lit the other flow: %v %v", status, lit)
	}
	fx.ed.Load(nil)
	if _, err := fx.ed.AddNode(flow.KindStart, flow.Position{X: 10, Y: 10}); err != nil {
		t.Fatal(err)
	}
	if status, _ := fx.c.RunOverlay(); status != nil {
		t.Fatalf("a new flow's start node has run state: %v", status)
	}
}

// TestRunOverlayDropsWithTheConnectors: an edit of the connectors makes
// another version, whose connector indices the run's do not match; moving
// a card keeps the overlay.
func TestRunOverlayDropsWithTheConnectors(t *testing.T) {
	fx := newFixture(t, smallFlow())
	fx.c.SetRunOverlay(map[string]flow.Status{"start": flow.StatusSucceeded}, []int{0})
	if err := fx.ed.MoveNode("done", flow.Position{X: 640, Y: 60}); err != nil {
		t.Fatal(err)
	}
	if _, lit := fx.c.RunOverlay(); !reflect.DeepEqual(lit, []int{0}) {
		t.Fatalf("moving a card dropped the overlay: lit %v", lit)
	}
	if err := fx.ed.Edit("Delete connector", func(f *flow.Flow) error { f.Edges = f.Edges[1:]; return nil }); err != nil {
		t.Fatal(err)
	}
	if status, lit := fx.c.RunOverlay(); status != nil || lit != nil {
		t.Fatalf("deleting a connector kept the run overlay: %v %v", status, lit)
	}
	if got := fx.c.r.edges[0].segs[0].StrokeColor; got == theme.Color(theme.ColorNameSuccess) {
		t.Fatal("the connector now first is lit")
	}
}

// TestRunOverlayOneBranchPerNode: two connectors out of one node are never
// lit together; the one taken last is.
func TestRunOverlayOneBranchPerNode(t *testing.T) {
	fx := newFixture(t, smallFlow())
	fx.c.SetRunOverlay(map[string]flow.Status{"lookup": flow.StatusSucceeded}, []int{0, 1, 2})
	if _, lit := fx.c.RunOverlay(); !reflect.DeepEqual(lit, []int{0, 2}) {
		t.Fatalf("lit %v, want [0 2]: one connector out of lookup, the last taken", lit)
	}
	fx.c.UpdateRunOverlay(nil, []int{1})
	if _, lit := fx.c.RunOverlay(); !reflect.DeepEqual(lit, []int{0, 1}) {
		t.Fatalf("lit %v after lookup took vip, want [0 1]", lit)
	}
	if got := fx.c.r.edges[2].segs[0].StrokeColor; got == theme.Color(theme.ColorNameSuccess) {
		t.Fatal("the failure connector is still lit after lookup took vip")
	}
	if got := fx.c.r.edges[1].segs[0].StrokeColor; got != theme.Color(theme.ColorNameSuccess) {
		t.Fatalf("the vip connector has colour %v, want success", got)
	}
}
