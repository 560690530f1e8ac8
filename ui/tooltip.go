package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// tooltipLayer draws one tooltip above the window's content. Fyne 2.7 has
// no tooltips, and a pop-up would take the pointer from the button it
// describes (hiding itself at once), so the tip is plain canvas objects in
// a layer that no event ever hits.
type tooltipLayer struct {
	bg    *canvas.Rectangle
	text  *canvas.Text
	layer *fyne.Container
}

func newTooltipLayer() *tooltipLayer {
	t := &tooltipLayer{
		bg:   canvas.NewRectangle(color.NRGBA{0x30, 0x30, 0x30, 0xee}),
		text: canvas.NewText("", color.White),
	}
	t.bg.CornerRadius = 4
	t.text.TextSize = theme.CaptionTextSize()
	t.layer = container.NewWithoutLayout(t.bg, t.text)
	t.bg.Hide()
	t.text.Hide()
	return t
}

func (t *tooltipLayer) object() fyne.CanvasObject { return t.layer }

// show places the tip under the object o.
func (t *tooltipLayer) show(o fyne.CanvasObject, tip string) {
	d := fyne.CurrentApp().Driver()
	pos := d.AbsolutePositionForObject(o).Subtract(d.AbsolutePositionForObject(t.layer))
	t.text.Text = tip
	size := t.text.MinSize()
	pad := float32(6)
	at := pos.AddXY(0, o.Size().Height+4)
	// keep the tip inside the window
	if w := t.layer.Size().Width; w > 0 && at.X+size.Width+2*pad > w {
		at.X = max(0, w-size.Width-2*pad)
	}
	t.bg.Move(at)
	t.bg.Resize(size.AddWidthHeight(2*pad, pad))
	t.text.Move(at.AddXY(pad, pad/2))
	t.text.Resize(size)
	t.bg.Show()
	t.text.Show()
	t.text.Refresh()
	t.bg.Refresh()
}

func (t *tooltipLayer) hide() {
	t.bg.Hide()
	t.text.Hide()
}

// tipButton is a button that shows a tooltip while the pointer is over it.
type tipButton struct {
	widget.Button
	tips *tooltipLayer
	Tip  string
}

func newTipButton(label string, icon fyne.Resource, tips *tooltipLayer, tip string, tapped func()) *tipButton {
	b := &tipButton{tips: tips, Tip: tip}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.Importance = widget.LowImportance
	b.ExtendBaseWidget(b)
	return b
}

// MouseIn shows the tip as well as the hover highlight.
func (b *tipButton) MouseIn(e *desktop.MouseEvent) {
	b.Button.MouseIn(e)
	if b.tips != nil && b.Tip != "" {
		b.tips.show(b, b.Tip)
	}
}

// MouseOut hides the tip.
func (b *tipButton) MouseOut() {
	b.Button.MouseOut()
	if b.tips != nil {
		b.tips.hide()
	}
}

// Tapped hides the tip before acting, since the action may change it.
func (b *tipButton) Tapped(e *fyne.PointEvent) {
	if b.tips != nil {
		b.tips.hide()
	}
	b.Button.Tapped(e)
}
