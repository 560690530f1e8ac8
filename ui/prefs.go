package ui

import (
	"encoding/json"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Preference keys: the window and split sizes, and the theme, persist
// between launches through fyne's Preferences.
const (
	// prefLayout holds the window and split sizes as one JSON value, so
	// closing the window writes the preferences file once: Fyne reloads
	// the file when it changes, and a second write racing that reload on a
	// busy machine logged "Preferences load error" at exit.
	prefLayout = "layout"
	// The keys of older versions, one value each, read when there is no
	// prefLayout yet.
	prefWidth        = "window.width"
	prefHeight       = "window.height"
	prefSplitSide    = "split.sidebar"
	prefSplitInspect = "split.inspector"
	prefSplitConsole = "split.console"
	prefTheme        = "theme"
)

// windowLayout is what prefLayout holds.
type windowLayout struct {
	Width     float64 `json:"width,omitempty"`
	Height    float64 `json:"height,omitempty"`
	Sidebar   float64 `json:"sidebar"`
	Inspector float64 `json:"inspector"`
	Console   float64 `json:"console"`
}

// storedLayout is the layout of the last session: prefLayout, else the
// older keys, else the defaults.
func storedLayout(p fyne.Preferences) windowLayout {
	l := windowLayout{
		Width: p.FloatWithFallback(prefWidth, defaultWidth), Height: p.FloatWithFallback(prefHeight, defaultHeight),
		Sidebar:   p.FloatWithFallback(prefSplitSide, defaultSplitSide),
		Inspector: p.FloatWithFallback(prefSplitInspect, defaultSplitInspect),
		Console:   p.FloatWithFallback(prefSplitConsole, defaultSplitConsole),
	}
	if s := p.String(prefLayout); s != "" {
		_ = json.Unmarshal([]byte(s), &l) // a hand-edited value keeps what parses
	}
	return l
}

// Default window layout, used on the first launch.
const (
	defaultWidth        = 1400
	defaultHeight       = 860
	defaultSplitSide    = 0.20
	defaultSplitInspect = 0.66
	defaultSplitConsole = 0.80
)

// The theme choices of the toolbar and View menu.
const (
	themeSystem = "System"
	themeLight  = "Light"
	themeDark   = "Dark"
)

// restoreLayout sizes the window and its splits as they were when it last
// closed.
func (a *App) restoreLayout() {
	l := storedLayout(a.fa.Preferences())
	a.w.Resize(a.storedSize())
	a.sideSplit.SetOffset(clampOffset(l.Sidebar))
	a.inspSplit.SetOffset(clampOffset(l.Inspector))
	a.consoleSplit.SetOffset(clampOffset(l.Console))
}

// saveLayout records the window and split sizes for the next launch, in
// one write (none when they did not change).
func (a *App) saveLayout() {
	p := a.fa.Preferences()
	l := storedLayout(p)
	if size := a.w.Canvas().Size(); size.Width > 0 && size.Height > 0 {
		l.Width, l.Height = float64(size.Width), float64(size.Height)
	}
	l.Sidebar, l.Inspector, l.Console = a.sideSplit.Offset, a.inspSplit.Offset, a.consoleSplit.Offset
	b, _ := json.Marshal(l)
	if string(b) != p.String(prefLayout) {
		p.SetString(prefLayout, string(b))
	}
}

// clampOffset keeps a stored split offset usable even if the file was
// edited by hand: no pane shrinks to nothing.
func clampOffset(o float64) float64 { return min(0.95, max(0.05, o)) }

func (a *App) themeChoice() string {
	switch s := a.fa.Preferences().StringWithFallback(prefTheme, themeSystem); s {
	case themeLight, themeDark:
		return s
	}
	return themeSystem
}

// SetTheme switches to the light or dark theme, or back to following the
// system, and remembers the choice.
func (a *App) SetTheme(choice string) {
	switch choice {
	case themeLight, themeDark:
	default:
		choice = themeSystem
	}
	a.fa.Preferences().SetString(prefTheme, choice)
	a.applyTheme(choice)
	if a.bar != nil && a.bar.themeSel.Selected != choice {
		a.bar.syncing = true
		a.bar.themeSel.SetSelected(choice)
		a.bar.syncing = false
	}
}

func (a *App) applyTheme(choice string) {
	base := contrastTheme{theme.DefaultTheme()}
	switch choice {
	case themeLight:
		a.fa.Settings().SetTheme(variantTheme{Theme: base, variant: theme.VariantLight})
	case themeDark:
		a.fa.Settings().SetTheme(variantTheme{Theme: base, variant: theme.VariantDark})
	default:
		a.fa.Settings().SetTheme(base)
	}
}

// contrastTheme is the default theme with the light variant's faint colours
// darkened until text in them reads against the white background (WCAG's
// 4.5:1 for text): the default placeholder grey (a card's summary, a
// default connector), success green (the lit path's port labels), warning
// orange and error red measure 1.5–3.7:1 on white. The dark variant is unchanged.
type contrastTheme struct{ fyne.Theme }

// lightText are the light variant's replacements, each at least 4.5:1 on
// white.
var lightText = map[fyne.ThemeColorName]color.Color{
	theme.ColorNamePlaceHolder: color.NRGBA{R: 0x5f, G: 0x63, B: 0x68, A: 0xff}, // 6.0:1
	theme.ColorNameSuccess:     color.NRGBA{R: 0x13, G: 0x73, B: 0x33, A: 0xff}, // 5.9:1
	theme.ColorNameWarning:     color.NRGBA{R: 0xa8, G: 0x5a, B: 0x00, A: 0xff}, // 4.9:1
	theme.ColorNameError:       color.NRGBA{R: 0xc5, G: 0x22, B: 0x1f, A: 0xff}, // 5.6:1
}

// Color darkens lightText's colours in the light variant.
func (t contrastTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if v == theme.VariantLight {
		if c, ok := lightText[n]; ok {
			return c
		}
	}
	return t.Theme.Color(n, v)
}

// variantTheme is the default theme pinned to one variant, whatever the
// system prefers.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

// Color answers with the pinned variant's colour.
func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}
