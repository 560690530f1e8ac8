package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	fbcanvas "github.com/flowbench/flowbench/ui/canvas"

	"github.com/flowbench/flowbench/flow"
)

// kindForm builds the part of a node's form that its kind needs, under the
// title and id rows every node has.
type kindForm func(in *inspector, n *flow.Node) []fyne.CanvasObject

// kindForms is the form of every node kind (TestKindFormsComplete); the
// kind's icon, colour and summary are in ui/canvas (fbcanvas.Look), its name,
// fields and defaults in flow (flow.Spec). It is filled by init because the
// forms rebuild themselves through it.
var kindForms map[flow.NodeKind]kindForm

func init() {
	kindForms = map[flow.NodeKind]kindForm{
		flow.KindStart:    (*inspector).startForm,
		flow.KindCall:     (*inspector).callForm,
		flow.KindDecision: (*inspector).decisionForm,
		flow.KindSet:      (*inspector).setForm,
		flow.KindEmit:     (*inspector).emitForm,
		flow.KindDelay:    (*inspector).delayForm,
		flow.KindEnd:      (*inspector).endForm,
	}
}

// kindTitle is the name of a kind for people (flow.KindSpec.Title).
func kindTitle(k flow.NodeKind) string {
	if s, ok := flow.Spec(k); ok {
		return s.Title
	}
	return string(k)
}

// kindTip is the tooltip of a kind's palette button: what adding it does
// and what the kind does.
func kindTip(k flow.NodeKind) string {
	if s, ok := flow.Spec(k); ok {
		return fbcanvas.AddLabel(k) + ": " + s.Help
	}
	return fbcanvas.AddLabel(k)
}

// delayForm: the duration to wait, as CEL.
func (in *inspector) delayForm(n *flow.Node) []fyne.CanvasObject {
	id := n.ID
	dur := in.exprField("duration", n.Duration, false, false, func(s string) {
		in.editNode(id, "Edit duration", func(n *flow.Node) { n.Duration = s })
	})
	hint := widget.NewLabel(`A CEL duration such as duration("1.5s") or a string such as "1.5s" (ms, s, m, h), at most ` + flow.MaxDelay.String() + `. Stopping the run ends the wait.`)
	hint.Wrapping = fyne.TextWrapWord
	return []fyne.CanvasObject{panelRow("Wait for (CEL)", dur.box), hint}
}
