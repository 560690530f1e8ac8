package ui

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// luminance is WCAG's relative luminance of c.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// Issue 13 (smaller): low contrast in the light theme. Text drawn in the
// placeholder, success and warning colours (card summaries, the lit path's
// labels, warnings) reads at WCAG's 4.5:1 on the light background.
func TestLightThemeTextContrast(t *testing.T) {
	h := newHarness(t)
	h.app.SetTheme(themeLight)
	th := h.fa.Settings().Theme()
	bg := th.Color(theme.ColorNameBackground, theme.VariantLight)
	for _, n := range []fyne.ThemeColorName{theme.ColorNamePlaceHolder, theme.ColorNameSuccess, theme.ColorNameWarning, theme.ColorNameForeground, theme.ColorNameError} {
		if c := contrast(th.Color(n, theme.VariantLight), bg); c < 4.5 {
			t.Errorf("light theme: %s on the background is %.1f:1, want at least 4.5:1", n, c)
		}
	}
	// the dark variant keeps the default colours
	h.app.SetTheme(themeDark)
	th = h.fa.Settings().Theme()
	if got, want := th.Color(theme.ColorNameSuccess, theme.VariantDark), theme.DefaultTheme().Color(theme.ColorNameSuccess, theme.VariantDark); got != want {
		t.Errorf("dark theme success colour changed: %v, want the default %v", got, want)
	}
}
