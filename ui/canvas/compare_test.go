package canvas

import (
	"image/color"
	"math"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/ui/editor"
)

// TestCompareDrawsBothPaths: a comparison lights the connector both runs
// took, each run's own connector in its colour with its mark (B's dashed),
// and the card where they part with a thick warning border; loading
// another flow clears it.
func TestCompareDrawsBothPaths(t *testing.T) {
	fx := newFixture(t, smallFlow())
	fx.c.SetRunOverlay(map[string]flow.Status{"start": flow.StatusSucceeded}, []int{0})
	fx.c.SetCompare(&Compare{EdgesA: []int{0, 1}, EdgesB: []int{0, 2}, NodesA: []string{"start", "lookup", "done"}, NodesB: []string{"start", "lookup"}, Focus: "lookup"})
	if st, _ := fx.c.RunOverlay(); st != nil {
		t.Errorf("the run overlay stays under the comparison: %v", st)
	}
	ca, cb := CompareColors()
	for _, tt := range []struct {
		edge   int
		label  string
		dashed bool
		colour color.Color
	}{
		{0, MarkBoth, false, theme.Color(theme.ColorNameSuccess)},
		{1, "vip · " + MarkA, false, ca},
		{2, "failure · " + MarkB, true, cb},
	} {
		label, dashed := fx.c.EdgeMark(tt.edge)
		if label != tt.label || dashed != tt.dashed {
			t.Errorf("connector %d reads %q (dashed %v), want %q (dashed %v)", tt.edge, label, dashed, tt.label, tt.dashed)
		}
		if got := fx.c.r.edges[tt.edge].segs[0].StrokeColor; !sameColor(got, tt.colour) {
			t.Errorf("connector %d has colour %v, want %v", tt.edge, got, tt.colour)
		}
		if !fx.c.r.edges[tt.edge].label.Visible() {
			t.Errorf("connector %d's mark is not shown", tt.edge)
		}
	}
	if c, w, _ := fx.c.CardBorder("lookup"); !sameColor(c, theme.Color(theme.ColorNameWarning)) || w != 5 {
		t.Errorf("the parting card's border is %v width %v, want the warning colour at 5", c, w)
	}
	if c, _, _ := fx.c.CardBorder("done"); !sameColor(c, ca) {
		t.Errorf("done (reached by A only) has border %v, want A's colour %v", c, ca)
	}
	if c, _, _ := fx.c.CardBorder("start"); !sameColor(c, theme.Color(theme.ColorNameSuccess)) {
		t.Errorf("start (reached by both) has border %v, want success", c)
	}

	other := smallFlow()
	other.Name = "Other"
	fx.ed.Load(other)
	if fx.c.CompareShown() != nil {
		t.Fatal("opening another flow kept the comparison")
	}
	if label, dashed := fx.c.EdgeMark(2); label != "" && label != "failure" || dashed != true {
		t.Errorf("after the load connector 2 reads %q dashed %v, want the plain failure connector", label, dashed)
	}
	if c, w, _ := fx.c.CardBorder("lookup"); w == 5 || sameColor(c, theme.Color(theme.ColorNameWarning)) {
		t.Error("the other flow's lookup card keeps the parting border")
	}
}

// TestCompareColoursReadOnBothThemes: A's and B's colours differ from each
// other and stand out from the background (WCAG contrast of at least 3, as
// for graphics), on the light and the dark theme.
func TestCompareColoursReadOnBothThemes(t *testing.T) {
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		bg := theme.DefaultTheme().Color(theme.ColorNameBackground, v)
		a, b := compareColorsOn(bg)
		if sameColor(a, b) {
			t.Errorf("variant %d: A and B have one colour", v)
		}
		if ca, cb := contrastRatio(a, bg), contrastRatio(b, bg); ca < 3 || cb < 3 {
			t.Errorf("variant %d: contrast against the background A %.1f B %.1f, want at least 3", v, ca, cb)
		}
	}
}

func contrastRatio(x, y color.Color) float64 {
	lum := func(c color.Color) float64 {
		r, g, b, _ := c.RGBA()
		ch := func(v uint32) float64 {
			f := float64(v) / 0xffff
			if f <= 0.03928 {
				return f / 12.92
			}
			return math.Pow((f+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(b)
	}
	l1, l2 := lum(x), lum(y)
	if l1 < l2 {
		l1, l2 = l2, l1
	}
	return (l1 + 0.05) / (l2 + 0.05)
}

// BenchmarkSetCompare: showing a comparison whose two paths cover a
// 300-node flow ÷ showing a run overlay of the same nodes and connectors
// (x-SetRunOverlay), each followed by clearing it. Target ≤ 1.5: the
// comparison costs what a replayed run costs.
func BenchmarkSetCompare(b *testing.B) {
	test.NewTempApp(b)
	f := gridFlow(300)
	c := New(editor.New(f))
	w := test.NewWindow(c)
	defer w.Close()
	w.Resize(fyne.NewSize(1200, 800))
	status := map[string]flow.Status{}
	var ids []string
	for _, n := range f.Nodes {
		status[n.ID] = flow.StatusSucceeded
		ids = append(ids, n.ID)
	}
	var half, all []int
	for i := range f.Edges {
		all = append(all, i)
		if i%2 == 0 {
			half = append(half, i)
		}
	}
	cmp := &Compare{EdgesA: all, EdgesB: half, NodesA: ids, NodesB: ids[:150], Focus: "n3"}
	var overlay, compare time.Duration
	for b.Loop() {
		t0 := time.Now()
		c.SetRunOverlay(status, all)
		c.SetRunOverlay(nil, nil)
		t1 := time.Now()
		c.SetCompare(cmp)
		c.SetCompare(nil)
		compare += time.Since(t1)
		overlay += t1.Sub(t0)
	}
	b.ReportMetric(float64(compare)/float64(overlay), "x-SetRunOverlay")
}
