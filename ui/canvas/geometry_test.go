package canvas

import (
	"math"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/flowbench/flowbench/flow"
)

func near(a, b float32) bool { return math.Abs(float64(a-b)) < 1e-3 }

func nearPos(a, b fyne.Position) bool { return near(a.X, b.X) && near(a.Y, b.Y) }

func TestViewTransform(t *testing.T) {
	tests := []struct {
		name string
		v    View
		in   flow.Position
		want fyne.Position
	}{
		{"identity", View{Scale: 1}, flow.Position{X: 10, Y: 20}, fyne.NewPos(10, 20)},
		{"offset", View{OffsetX: 5, OffsetY: -5, Scale: 1}, flow.Position{X: 10, Y: 20}, fyne.NewPos(15, 15)},
		{"scale", View{Scale: 2}, flow.Position{X: 10, Y: 20}, fyne.NewPos(20, 40)},
		{"both", View{OffsetX: 100, OffsetY: 50, Scale: 0.5}, flow.Position{X: -40, Y: 60}, fyne.NewPos(80, 80)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.v.ToScreen(tt.in)
			if !nearPos(got, tt.want) {
				t.Fatalf("ToScreen = %v, want %v", got, tt.want)
			}
			back := tt.v.ToFlow(got)
			if !near(float32(back.X), float32(tt.in.X)) || !near(float32(back.Y), float32(tt.in.Y)) {
				t.Fatalf("ToFlow(ToScreen(p)) = %v, want %v", back, tt.in)
			}
		})
	}
}

func TestZoomAt(t *testing.T) {
	tests := []struct {
		name      string
		v         View
		at        fyne.Position
		factor    float32
		wantScale float32
	}{
		{"in", View{Scale: 1}, fyne.NewPos(100, 100), 2, 2},
		{"out around an offset point", View{OffsetX: 30, OffsetY: -20, Scale: 1.5}, fyne.NewPos(250, 40), 0.5, 0.75},
		{"clamped high", View{Scale: 2}, fyne.NewPos(0, 0), 10, MaxScale},
		{"clamped low", View{Scale: 0.3}, fyne.NewPos(400, 300), 0.1, MinScale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			under := tt.v.ToFlow(tt.at)
			got := tt.v.ZoomAt(tt.at, tt.factor)
			if !near(got.Scale, tt.wantScale) {
				t.Fatalf("scale %v, want %v", got.Scale, tt.wantScale)
			}
			if p := got.ToScreen(under); !nearPos(p, tt.at) {
				t.Fatalf("the point under the pointer moved from %v to %v", tt.at, p)
			}
		})
	}
}

func TestFit(t *testing.T) {
	tests := []struct {
		name      string
		r         Rect
		size      fyne.Size
		wantScale float32
	}{
		{"shrinks a wide flow", Rect{0, 0, 2000, 200}, fyne.NewSize(1048, 600), 0.5},
		{"never magnifies past max", Rect{100, 100, 100, 50}, fyne.NewSize(1000, 800), 1},
		{"clamps to MinScale", Rect{0, 0, 100000, 100}, fyne.NewSize(1048, 600), MinScale},
		{"empty rect is identity", Rect{}, fyne.NewSize(800, 600), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Fit(tt.r, tt.size, 24, 1)
			if !near(v.Scale, tt.wantScale) {
				t.Fatalf("scale %v, want %v", v.Scale, tt.wantScale)
			}
			if tt.r.W == 0 || v.Scale == MinScale {
				return
			}
			c := v.ToScreen(flow.Position{X: float64(tt.r.X + tt.r.W/2), Y: float64(tt.r.Y + tt.r.H/2)})
			if !nearPos(c, fyne.NewPos(tt.size.Width/2, tt.size.Height/2)) {
				t.Fatalf("rect centre drawn at %v, want the middle of %v", c, tt.size)
			}
			tl := v.ToScreen(flow.Position{X: float64(tt.r.X), Y: float64(tt.r.Y)})
			if tl.X < 24-1e-3 || tl.Y < 24-1e-3 {
				t.Fatalf("top-left %v inside the margin", tl)
			}
		})
	}
}

func TestRect(t *testing.T) {
	r := Rect{10, 10, 100, 50}
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"contains inside", r.Contains(fyne.NewPos(50, 30)), true},
		{"contains edge", r.Contains(fyne.NewPos(110, 60)), true},
		{"contains outside", r.Contains(fyne.NewPos(111, 30)), false},
		{"intersects overlap", r.Intersects(Rect{100, 50, 50, 50}), true},
		{"intersects inside", r.Intersects(Rect{20, 20, 5, 5}), true},
		{"intersects apart", r.Intersects(Rect{200, 0, 5, 5}), false},
		{"intersects below", r.Intersects(Rect{10, 61, 5, 5}), false},
		{"union", r.Union(Rect{0, 100, 5, 5}) == Rect{0, 10, 110, 95}, true},
		{"union with empty", Rect{}.Union(r) == r, true},
		{"grow", r.Grow(5) == Rect{5, 5, 110, 60}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestBezier(t *testing.T) {
	tests := []struct {
		name     string
		a, b     fyne.Position
		scale    float32
		wantSegs int
	}{
		{"short forward", fyne.NewPos(0, 0), fyne.NewPos(60, 0), 1, 8},
		{"long diagonal", fyne.NewPos(0, 0), fyne.NewPos(300, 200), 1, 31},
		{"very long is capped", fyne.NewPos(0, 0), fyne.NewPos(3000, 900), 1, 32},
		{"backwards loop", fyne.NewPos(300, 0), fyne.NewPos(0, 100), 1, 32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := connectorCurve(tt.a, tt.b, tt.scale)
			if !nearPos(c.At(0), tt.a) || !nearPos(c.At(1), tt.b) {
				t.Fatalf("curve ends at %v..%v, want %v..%v", c.At(0), c.At(1), tt.a, tt.b)
			}
			if c[1].Y != tt.a.Y || c[2].Y != tt.b.Y || c[1].X <= tt.a.X || c[2].X >= tt.b.X {
				t.Fatalf("tangents are not horizontal and outward: %v", c)
			}
			n := c.Segments(8, maxSegs)
			if n != tt.wantSegs {
				t.Fatalf("Segments = %d, want %d", n, tt.wantSegs)
			}
			pts := c.Flatten(n, nil)
			if len(pts) != n+1 || pts[0] != c.At(0) || !nearPos(pts[n], tt.b) {
				t.Fatalf("Flatten gave %d points from %v to %v", len(pts), pts[0], pts[len(pts)-1])
			}
			b := c.Bounds().Grow(1e-3)
			for _, p := range pts {
				if !b.Contains(p) {
					t.Fatalf("point %v outside bounds %v", p, b)
				}
			}
			// the flattened line stays within a pixel of the true curve
			for i := 0; i <= 100; i++ {
				if d := DistanceToPolyline(c.At(float32(i)/100), pts); d > 1 {
					t.Fatalf("curve point %d is %.2f px from its flattening", i, d)
				}
			}
		})
	}
}

func TestDistance(t *testing.T) {
	line := []fyne.Position{{X: 0, Y: 0}, {X: 10, Y: 0}, {X: 10, Y: 10}}
	tests := []struct {
		name string
		got  float32
		want float32
	}{
		{"segment perpendicular", DistanceToSegment(fyne.NewPos(5, 3), fyne.NewPos(0, 0), fyne.NewPos(10, 0)), 3},
		{"segment beyond end", DistanceToSegment(fyne.NewPos(13, 4), fyne.NewPos(0, 0), fyne.NewPos(10, 0)), 5},
		{"segment before start", DistanceToSegment(fyne.NewPos(-3, -4), fyne.NewPos(0, 0), fyne.NewPos(10, 0)), 5},
		{"degenerate segment", DistanceToSegment(fyne.NewPos(3, 4), fyne.NewPos(0, 0), fyne.NewPos(0, 0)), 5},
		{"polyline nearest leg", DistanceToPolyline(fyne.NewPos(12, 6), line), 2},
		{"polyline on it", DistanceToPolyline(fyne.NewPos(10, 5), line), 0},
		{"single point", DistanceToPolyline(fyne.NewPos(3, 4), line[:1]), 5},
		{"empty", DistanceToPolyline(fyne.NewPos(3, 4), nil), float32(math.Inf(1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !(near(tt.got, tt.want) || tt.got == tt.want) {
				t.Fatalf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestCardGeometry(t *testing.T) {
	tests := []struct {
		name   string
		node   flow.Node
		wantH  float32
		nPorts int
	}{
		{"end has no ports", flow.Node{Kind: flow.KindEnd}, headerH + cardPadB, 0},
		{"start has next", flow.Node{Kind: flow.KindStart}, headerH + portRowH + cardPadB, 1},
		{"call with branches", flow.Node{Kind: flow.KindCall, Call: &flow.Call{Branches: []string{"a", "b"}}}, headerH + 4*portRowH + cardPadB, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.node.Position = flow.Position{X: 7, Y: 9}
			r := nodeRect(&tt.node)
			if r != (Rect{7, 9, cardWidth, tt.wantH}) {
				t.Fatalf("nodeRect = %v", r)
			}
			for i := 0; i < tt.nPorts; i++ {
				p := portOffset(i)
				if p.X != cardWidth || p.Y <= headerH || p.Y >= r.H {
					t.Fatalf("port %d at %v is not on the right edge below the header", i, p)
				}
			}
		})
	}
}
