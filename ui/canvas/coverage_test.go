package canvas

import (
	"testing"

	"fyne.io/fyne/v2/theme"
)

// TestCoverageColoursEveryPort: each connector and port dot the coverage
// names is drawn taken (with its count) or never taken; clearing restores
// the usual look.
func TestCoverageColoursEveryPort(t *testing.T) {
	fx := newFixture(t, smallFlow())
	f := fx.ed.Flow()
	taken := map[[2]string]int{{"start", "next"}: 7, {"lookup", "vip"}: 3}
	cov := f.Coverage(func(n, p string) int { return taken[[2]string{n, p}] })
	fx.c.SetCoverage(cov)
	tk, never := CoverageColors()
	for _, tt := range []struct {
		edge   int
		label  string
		dashed bool
	}{
		{0, "7×", false},
		{1, "vip · 3×", false},
		{2, "failure · never", true},
	} {
		label, dashed := fx.c.EdgeMark(tt.edge)
		if label != tt.label || dashed != tt.dashed {
			t.Errorf("connector %d reads %q (dashed %v), want %q (dashed %v)", tt.edge, label, dashed, tt.label, tt.dashed)
		}
		want := tk
		if tt.dashed {
			want = never
		}
		if got := fx.c.r.edges[tt.edge].segs[0].StrokeColor; !sameColor(got, want) {
			t.Errorf("connector %d has colour %v, want %v", tt.edge, got, want)
		}
	}
	for _, p := range []struct {
		port string
		want bool
	}{{"vip", true}, {"default", false}, {"failure", false}} {
		got, _ := fx.c.PortDot("lookup", p.port)
		want := never
		if p.want {
			want = tk
		}
		if !sameColor(got, want) {
			t.Errorf("lookup's %s dot is %v, want %v", p.port, got, want)
		}
	}
	if sameColor(tk, never) {
		t.Fatal("taken and never taken share a colour")
	}
	if got := fx.c.CoverageShown(); len(got) != len(cov) {
		t.Errorf("CoverageShown has %d ports, want %d", len(got), len(cov))
	}

	fx.c.SetCoverage(nil)
	if label, dashed := fx.c.EdgeMark(2); label != "failure" || !dashed {
		t.Errorf("after clearing, the failure connector reads %q dashed %v; want its port as usual", label, dashed)
	}
	if got, _ := fx.c.PortDot("lookup", "vip"); sameColor(got, tk) && !sameColor(theme.Color(portColorName("vip")), tk) {
		t.Errorf("after clearing, vip's dot keeps the coverage colour")
	}
}
