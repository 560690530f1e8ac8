package canvas

import (
	"math"

	"fyne.io/fyne/v2"

	"github.com/flowbench/flowbench/flow"
)

// Zoom limits: below MinScale cards are specks, above MaxScale they no longer fit.
const (
	MinScale float32 = 0.2
	MaxScale float32 = 3
)

// View maps flow coordinates to widget coordinates:
// screen = flow*Scale + (OffsetX, OffsetY).
// Panning changes the offset, zooming the scale; the document never changes.
type View struct {
	OffsetX, OffsetY float32
	Scale            float32
}

// identityView shows flow coordinates as they are.
var identityView = View{Scale: 1}

// ToScreen maps a flow position to widget coordinates.
func (v View) ToScreen(p flow.Position) fyne.Position {
	return fyne.NewPos(float32(p.X)*v.Scale+v.OffsetX, float32(p.Y)*v.Scale+v.OffsetY)
}

// ToFlow maps a widget position back to flow coordinates.
func (v View) ToFlow(p fyne.Position) flow.Position {
	return flow.Position{X: float64((p.X - v.OffsetX) / v.Scale), Y: float64((p.Y - v.OffsetY) / v.Scale)}
}

// ZoomAt multiplies the scale by factor (clamped to MinScale..MaxScale) while
// keeping the flow point under p where it is on screen, so zooming follows
// the pointer.
func (v View) ZoomAt(p fyne.Position, factor float32) View {
	s := clamp(v.Scale*factor, MinScale, MaxScale)
	k := s / v.Scale
	return View{
		OffsetX: p.X - (p.X-v.OffsetX)*k,
		OffsetY: p.Y - (p.Y-v.OffsetY)*k,
		Scale:   s,
	}
}

// Fit returns the view that shows the flow rectangle r centred in a widget of
// that size with margin pixels around it, never magnifying beyond maxScale.
func Fit(r Rect, size fyne.Size, margin, maxScale float32) View {
	if r.W <= 0 || r.H <= 0 || size.Width <= 2*margin || size.Height <= 2*margin {
		return identityView
	}
	s := min((size.Width-2*margin)/r.W, (size.Height-2*margin)/r.H, maxScale)
	s = clamp(s, MinScale, MaxScale)
	return View{
		OffsetX: (size.Width-r.W*s)/2 - r.X*s,
		OffsetY: (size.Height-r.H*s)/2 - r.Y*s,
		Scale:   s,
	}
}

func clamp(x, lo, hi float32) float32 { return max(lo, min(hi, x)) }

// Rect is an axis-aligned rectangle.
type Rect struct{ X, Y, W, H float32 }

// Contains reports whether p lies inside r (edges included).
func (r Rect) Contains(p fyne.Position) bool {
	return p.X >= r.X && p.X <= r.X+r.W && p.Y >= r.Y && p.Y <= r.Y+r.H
}

// Intersects reports whether r and o overlap.
func (r Rect) Intersects(o Rect) bool {
	return r.X <= o.X+o.W && o.X <= r.X+r.W && r.Y <= o.Y+o.H && o.Y <= r.Y+r.H
}

// Union returns the smallest rectangle holding r and o; a zero r is empty.
func (r Rect) Union(o Rect) Rect {
	if r == (Rect{}) {
		return o
	}
	x0, y0 := min(r.X, o.X), min(r.Y, o.Y)
	x1, y1 := max(r.X+r.W, o.X+o.W), max(r.Y+r.H, o.Y+o.H)
	return Rect{x0, y0, x1 - x0, y1 - y0}
}

// Grow returns r enlarged by d on every side.
func (r Rect) Grow(d float32) Rect { return Rect{r.X - d, r.Y - d, r.W + 2*d, r.H + 2*d} }

// Card layout, in flow units (multiplied by the view scale on screen).
const (
	cardWidth   = 200
	headerH     = 52 // icon, title and summary rows
	portRowH    = 20 // one output port per row below the header
	cardPadB    = 6
	minCardH    = 56
	portRadius  = 5
	inputY      = 20 // the input dot's height on the left edge
	portHitPx   = 9  // how close (screen pixels) a press must be to a port
	edgeHitPx   = 6  // how close (screen pixels) a tap must be to a connector
	arrowLenPx  = 9  // arrowhead size at scale 1
	problemTxtH = 16
)

// cardSize returns a node card's size in flow units: wide enough for a title,
// tall enough for one row per output port.
func cardSize(nPorts int) (w, h float32) {
	h = headerH + float32(nPorts)*portRowH + cardPadB
	return cardWidth, max(h, minCardH)
}

// nodeRect returns the card's rectangle in flow units.
func nodeRect(n *flow.Node) Rect {
	w, h := cardSize(len(n.Ports()))
	return Rect{float32(n.Position.X), float32(n.Position.Y), w, h}
}

// portOffset is the centre of output port i relative to the card's corner,
// in flow units: on the right edge, one row each.
func portOffset(i int) fyne.Position {
	return fyne.NewPos(cardWidth, headerH+float32(i)*portRowH+portRowH/2)
}

// inputOffset is the centre of the input dot relative to the card's corner.
func inputOffset() fyne.Position { return fyne.NewPos(0, inputY) }

// Bezier is a cubic Bézier curve by its four control points.
type Bezier [4]fyne.Position

// connectorCurve returns the curve of a connector from an output port at a to
// an input at b (screen coordinates): it leaves and arrives horizontally, and
// bends further when the target lies behind the source.
func connectorCurve(a, b fyne.Position, scale float32) Bezier {
	dx := abs(b.X-a.X) / 2
	dx = max(dx, 40*scale)
	if b.X < a.X { // a loop back: swing out wide so it does not cross the cards
		dx = max(dx, 80*scale)
	}
	return Bezier{a, fyne.NewPos(a.X+dx, a.Y), fyne.NewPos(b.X-dx, b.Y), b}
}

// At returns the point at parameter t in [0, 1].
func (c Bezier) At(t float32) fyne.Position {
	u := 1 - t
	a, b, cc, d := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
	return fyne.NewPos(
		a*c[0].X+b*c[1].X+cc*c[2].X+d*c[3].X,
		a*c[0].Y+b*c[1].Y+cc*c[2].Y+d*c[3].Y,
	)
}

// Bounds returns a rectangle holding the whole curve (the control polygon's
// bounding box, which always contains a Bézier curve).
func (c Bezier) Bounds() Rect {
	x0, y0, x1, y1 := c[0].X, c[0].Y, c[0].X, c[0].Y
	for _, p := range c[1:] {
		x0, y0, x1, y1 = min(x0, p.X), min(y0, p.Y), max(x1, p.X), max(y1, p.Y)
	}
	return Rect{x0, y0, x1 - x0, y1 - y0}
}

// Segments chooses how many straight segments draw the curve smoothly on
// screen: about one per 16 pixels of control polygon, between lo and hi.
func (c Bezier) Segments(lo, hi int) int {
	l := dist(c[0], c[1]) + dist(c[1], c[2]) + dist(c[2], c[3])
	n := int(l / 16)
	return max(lo, min(hi, n))
}

// Flatten appends n+1 points along the curve to dst and returns it; drawing
// lines between consecutive points approximates the curve.
func (c Bezier) Flatten(n int, dst []fyne.Position) []fyne.Position {
	if n < 1 {
		n = 1
	}
	for i := 0; i <= n; i++ {
		dst = append(dst, c.At(float32(i)/float32(n)))
	}
	return dst
}

// DistanceToPolyline returns the distance from p to the nearest point of the
// polyline through pts (infinity when pts is empty).
func DistanceToPolyline(p fyne.Position, pts []fyne.Position) float32 {
	best := float32(math.Inf(1))
	if len(pts) == 1 {
		return dist(p, pts[0])
	}
	for i := 1; i < len(pts); i++ {
		best = min(best, DistanceToSegment(p, pts[i-1], pts[i]))
	}
	return best
}

// DistanceToSegment returns the distance from p to the segment ab.
func DistanceToSegment(p, a, b fyne.Position) float32 {
	dx, dy := b.X-a.X, b.Y-a.Y
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return dist(p, a)
	}
	t := clamp(((p.X-a.X)*dx+(p.Y-a.Y)*dy)/l2, 0, 1)
	return dist(p, fyne.NewPos(a.X+t*dx, a.Y+t*dy))
}

func dist(a, b fyne.Position) float32 {
	return float32(math.Hypot(float64(a.X-b.X), float64(a.Y-b.Y)))
}

func abs(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}
