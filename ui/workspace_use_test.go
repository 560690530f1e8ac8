package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// Issue 14: the workspace's response offers "Use in expression" too; the
// forms are covered while the workspace is shown, so the value's path is
// copied for the person to paste where they want it.
func TestWorkspaceUseInExpressionCopiesThePath(t *testing.T) {
	h := newWSHarness(t)
	h.shortcut(viewShortcut(6)) // Ctrl+7
	tab := h.app.work.current()
	tab.conn.SetSelected(noConnection)
	tab.uri.SetText(h.bin.URL + "/json")
	h.sendTab(tab)
	v := tab.resp
	if v.x == nil || v.x.Status != 200 {
		t.Fatalf("no answer shown: %+v", v.x)
	}
	if !v.useExpr.Visible() {
		t.Fatal("the workspace's response view hides Use in expression")
	}
	i := nodeAt(t, v, `body.slideshow.title`)
	v.tree.Select(nodeID(i))
	test.Tap(v.useExpr)
	if got := fyne.CurrentApp().Clipboard().Content(); got != "body.slideshow.title" {
		t.Fatalf("Use in expression in the workspace put %q on the clipboard", got)
	}
}
