package canvas

import (
	"iter"
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

func (r Rect) pos() fyne.Position { return fyne.NewPos(r.X, r.Y) }
func (r Rect) size() fyne.Size    { return fyne.NewSize(r.W, r.H) }

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

// Path is a connector's shape: cubic Bézier pieces, end to end.
type Path []Bezier

// Connector routing, in flow units.
const (
	loopOut = 48 // how far a connector going backwards swings out of its port and into its target
	laneGap = 28 // how far its lane passes from the cards it goes around
)

// straight returns the Bézier of the segment ab.
func straight(a, b fyne.Position) Bezier {
	d := b.Subtract(a)
	return Bezier{a, a.AddXY(d.X/3, d.Y/3), a.AddXY(2*d.X/3, 2*d.Y/3), b}
}

// connectorPath returns the shape of a connector from the output port at a
// to the input at b, in flow units. A connector going forwards (its
// target's input right of its port) is one curve. One going backwards
// would cross its own cards as a curve; it leaves its port rightwards,
// turns into a lane, runs along it and turns into the target from the
// left. The lane is the gap between its two cards when one is above the
// other with room between, else below (or above, when that is shorter)
// its two cards and every card the lane would cross (others).
func connectorPath(a, b fyne.Position, src, dst Rect, others []Rect) Path {
	if b.X >= a.X {
		return Path{connectorCurve(a, b, 1)}
	}
	x0, x1 := min(src.X, dst.X)-loopOut, max(src.X+src.W, dst.X+dst.W)+loopOut
	crosses := func(r Rect, y float32) bool {
		return r.X <= x1 && r.X+r.W >= x0 && y > r.Y-laneGap && y < r.Y+r.H+laneGap
	}
	cost := func(y float32) float32 { return abs(y-a.Y) + abs(y-b.Y) }
	lane, best := float32(0), float32(math.Inf(1))
	upper, lower := src, dst
	if dst.Y < src.Y {
		upper, lower = dst, src
	}
	if gap := lower.Y - (upper.Y + upper.H); gap >= 2*laneGap {
		y := upper.Y + upper.H + gap/2
		free := true
		for _, r := range others {
			if r.X <= x1 && r.X+r.W >= x0 && y > r.Y-laneGap/2 && y < r.Y+r.H+laneGap/2 {
				free = false
				break
			}
		}
		if free {
			lane, best = y, cost(y)
		}
	}
	below := max(src.Y+src.H, dst.Y+dst.H) + laneGap
	above := min(src.Y, dst.Y) - laneGap
	for range len(others) + 1 {
		moved := false
		for _, r := range others {
			if crosses(r, below) {
				below, moved = r.Y+r.H+laneGap, true
			}
			if crosses(r, above) {
				above, moved = r.Y-laneGap, true
			}
		}
		if !moved {
			break
		}
	}
	if c := cost(below); c < best {
		lane, best = below, c
	}
	if c := cost(above); c < best {
		lane = above
	}
	out := Bezier{a, fyne.NewPos(a.X+loopOut, a.Y), fyne.NewPos(a.X+loopOut, lane), fyne.NewPos(a.X, lane)}
	in := Bezier{fyne.NewPos(b.X, lane), fyne.NewPos(b.X-loopOut, lane), fyne.NewPos(b.X-loopOut, b.Y), b}
	return Path{out, straight(out[3], in[0]), in}
}

// routeConnector is connectorPath from output port i of the card at src
// to the input of the card at dst (flow units); others are the rest of the
// cards, read only for a connector going backwards.
func routeConnector(src, dst Rect, i int, others iter.Seq[Rect]) Path {
	off, in := portOffset(i), inputOffset()
	a := fyne.NewPos(src.X+off.X, src.Y+off.Y)
	b := fyne.NewPos(dst.X+in.X, dst.Y+in.Y)
	if b.X >= a.X {
		return Path{connectorCurve(a, b, 1)}
	}
	var rs []Rect
	for r := range others {
		rs = append(rs, r)
	}
	return connectorPath(a, b, src, dst, rs)
}

// ToScreen maps a path in flow units to widget coordinates.
func (p Path) ToScreen(v View) Path {
	out := make(Path, len(p))
	for i, c := range p {
		for j, q := range c {
			out[i][j] = v.ToScreen(flow.Position{X: float64(q.X), Y: float64(q.Y)})
		}
	}
	return out
}

// Bounds returns a rectangle holding the whole path.
func (p Path) Bounds() Rect {
	var r Rect
	for i, c := range p {
		if i == 0 {
			r = c.Bounds()
			continue
		}
		b := c.Bounds()
		x0, y0 := min(r.X, b.X), min(r.Y, b.Y)
		x1, y1 := max(r.X+r.W, b.X+b.W), max(r.Y+r.H, b.Y+b.H)
		r = Rect{x0, y0, x1 - x0, y1 - y0}
	}
	return r
}

func (c Bezier) polyLen() float32 { return dist(c[0], c[1]) + dist(c[1], c[2]) + dist(c[2], c[3]) }

// Segments chooses how many straight segments draw the path smoothly on
// screen: about one per 16 pixels of control polygon, between lo and hi,
// and at least one per piece.
func (p Path) Segments(lo, hi int) int {
	var l float32
	for _, c := range p {
		l += c.polyLen()
	}
	return max(lo, len(p), min(hi, int(l/16)))
}

// Flatten appends n+1 points along the path to dst and returns it,
// sharing the n segments among the pieces by length (one at least each).
func (p Path) Flatten(n int, dst []fyne.Position) []fyne.Position {
	if len(p) == 1 {
		return p[0].Flatten(n, dst)
	}
	n = max(n, len(p))
	var total float32
	for _, c := range p {
		total += c.polyLen()
	}
	left := n
	for i, c := range p {
		k := left - (len(p) - 1 - i) // what is left, one kept for each piece after
		if i < len(p)-1 && total > 0 {
			k = min(k, max(1, int(float32(n)*c.polyLen()/total+0.5)))
		}
		left -= k
		pts := c.Flatten(k, nil)
		if i > 0 {
			pts = pts[1:]
		}
		dst = append(dst, pts...)
	}
	return dst
}

// PointAt returns the point at fraction f of the path's pieces: for one
// curve its point at parameter f, for a loop around cards a point of its
// lane.
func (p Path) PointAt(f float32) fyne.Position {
	if len(p) == 1 {
		return p[0].At(f)
	}
	return p[len(p)/2].At(0.5)
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
