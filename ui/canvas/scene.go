package canvas

// CardRect is where the card of node id is drawn, in the canvas widget's
// coordinates at the current view (ok false: no such node). The journeys'
// scene file (ui.Options.SceneFile) uses it to check each card's colour in
// a screenshot against the run that was recorded.
func (c *Canvas) CardRect(id string) (Rect, bool) {
	n := c.ed.Flow().Node(id)
	if n == nil {
		return Rect{}, false
	}
	r := nodeRect(n)
	tl := c.view.ToScreen(n.Position)
	return Rect{tl.X, tl.Y, r.W * c.view.Scale, r.H * c.view.Scale}, true
}
