package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Preference keys: the window and split sizes, and the theme, persist
// between launches through fyne's Preferences.
const (
	prefWidth        = "window.width"
	prefHeight       = "window.height"
	prefSplitSide    = "split.sidebar"
	prefSplitInspect = "split.inspector"
	prefSplitConsole = "split.console"
	prefTheme        = "theme"
)

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
	p := a.fa.Preferences()
	a.w.Resize(a.storedSize())
	a.sideSplit.SetOffset(clampOffset(p.FloatWithFallback(prefSplitSide, defaultSplitSide)))
	a.inspSplit.SetOffset(clampOffset(p.FloatWithFallback(prefSplitInspect, defaultSplitInspect)))
	a.consoleSplit.SetOffset(clampOffset(p.FloatWithFallback(prefSplitConsole, defaultSplitConsole)))
}

// saveLayout records the window and split sizes for the next launch.
func (a *App) saveLayout() {
	p := a.fa.Preferences()
	size := a.w.Canvas().Size()
	if size.Width > 0 && size.Height > 0 {
		p.SetFloat(prefWidth, float64(size.Width))
		p.SetFloat(prefHeight, float64(size.Height))
	}
	p.SetFloat(prefSplitSide, a.sideSplit.Offset)
	p.SetFloat(prefSplitInspect, a.inspSplit.Offset)
	p.SetFloat(prefSplitConsole, a.consoleSplit.Offset)
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
	switch choice {
	case themeLight:
		a.fa.Settings().SetTheme(variantTheme{Theme: theme.DefaultTheme(), variant: theme.VariantLight})
	case themeDark:
		a.fa.Settings().SetTheme(variantTheme{Theme: theme.DefaultTheme(), variant: theme.VariantDark})
	default:
		a.fa.Settings().SetTheme(theme.DefaultTheme())
	}
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
