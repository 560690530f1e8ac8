package canvas

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/flowbench/flowbench/flow"
)

// TestKindLooksComplete walks flow.Kinds: every kind has an icon, a colour
// and a summary of its own (an unknown kind gets the question mark).
func TestKindLooksComplete(t *testing.T) {
	for _, k := range flow.Kinds {
		l, ok := Look(k)
		if !ok || l.Icon == nil || l.Color == nil || l.Summary == nil {
			t.Errorf("kind %q has no complete look: %+v", k, l)
			continue
		}
		spec, _ := flow.Spec(k)
		n := spec.NewNode("n", flow.Position{})
		if Summary(&n) == "" || KindIcon(k) == nil {
			t.Errorf("kind %q: empty summary or icon", k)
		}
	}
	if len(kindLooks) != len(flow.Kinds) {
		t.Errorf("%d looks for %d kinds", len(kindLooks), len(flow.Kinds))
	}
	if KindIcon("loop") == nil || Summary(&flow.Node{Kind: "loop"}) != "loop" {
		t.Error("an unknown kind has no fallback look")
	}
}

func TestDelaySummary(t *testing.T) {
	for _, c := range []struct{ dur, want string }{{`"1.5s"`, `wait "1.5s"`}, {"", "no duration"}, {"vars.pace", "wait vars.pace"}} {
		if got := Summary(&flow.Node{Kind: flow.KindDelay, Duration: c.dur}); got != c.want {
			t.Errorf("Summary(%q) = %q, want %q", c.dur, got, c.want)
		}
	}
}

// TestContextMenuNamesKindsByTitle: the canvas menu adds each kind under
// its one title (the drift "Set" / "Add set variables" is gone), the delay
// included, and adds a delay with its default duration where asked.
func TestContextMenuNamesKindsByTitle(t *testing.T) {
	fx := newFixture(t, smallFlow())
	fx.c.SetView(View{OffsetX: 10, OffsetY: 10, Scale: 1})
	test.TapSecondaryAt(fx.c, fyne.NewPos(410, 310))
	if fx.menu == nil {
		t.Fatal("no menu shown")
	}
	var labels []string
	var delay *fyne.MenuItem
	for _, it := range fx.menu.Items {
		if strings.HasPrefix(it.Label, "Add ") {
			labels = append(labels, it.Label)
		}
		if it.Label == "Add delay" {
			delay = it
		}
	}
	want := "Add start|Add call|Add decision|Add set variables|Add emit event|Add delay|Add end"
	if got := strings.Join(labels, "|"); got != want {
		t.Errorf("menu adds %q, want %q", got, want)
	}
	if delay == nil {
		t.Fatal("no Add delay")
	}
	delay.Action()
	f := fx.ed.Flow()
	n := f.Nodes[len(f.Nodes)-1]
	if n.Kind != flow.KindDelay || n.Title != "Delay" || n.Duration != `"1s"` || n.Position != (flow.Position{X: 400, Y: 300}) {
		t.Errorf("added %+v", n)
	}
}
