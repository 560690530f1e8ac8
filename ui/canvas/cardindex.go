package canvas

import (
	"cmp"
	"iter"
	"slices"
	"sort"
)

// cardIndex holds the cards' rectangles sorted by their left side, so the
// cards a backward connector's lane may cross (those overlapping its span
// from left to right) are found without looking at every card: laying out
// every connector of a large flow (a tidy, a pan) then costs per card in
// each loop's span, not per card of the flow for each loop.
type cardIndex struct {
	rects []Rect
	keys  []any // what each card is (its id or its view), to leave out a connector's own cards
	maxW  float32
}

type indexed struct {
	r   Rect
	key any
}

func newCardIndex(n int, card func(i int) (any, Rect)) *cardIndex {
	all := make([]indexed, n)
	ci := &cardIndex{rects: make([]Rect, n), keys: make([]any, n)}
	for i := range n {
		k, r := card(i)
		all[i] = indexed{r, k}
		ci.maxW = max(ci.maxW, r.W)
	}
	slices.SortStableFunc(all, func(a, b indexed) int { return cmp.Compare(a.r.X, b.r.X) })
	for i, x := range all {
		ci.rects[i], ci.keys[i] = x.r, x.key
	}
	return ci
}

// near yields the cards but a and b whose horizontal extent overlaps the
// span a connector from src to dst may run its lane along (connectorPath's
// x0..x1): all those connectorPath's tests could find in its way.
func (ci *cardIndex) near(src, dst Rect, a, b any) iter.Seq[Rect] {
	return func(yield func(Rect) bool) {
		x0 := min(src.X, dst.X) - loopOut - ci.maxW
		x1 := max(src.X+src.W, dst.X+dst.W) + loopOut
		i := sort.Search(len(ci.rects), func(i int) bool { return ci.rects[i].X >= x0 })
		for ; i < len(ci.rects) && ci.rects[i].X <= x1; i++ {
			if k := ci.keys[i]; k != a && k != b && !yield(ci.rects[i]) {
				return
			}
		}
	}
}
