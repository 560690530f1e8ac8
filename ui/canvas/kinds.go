package canvas

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/flowbench/flowbench/flow"
)

// KindLook is how a node kind looks on a card and in the palette. Every kind
// of flow.Kinds has one (TestKindLooksComplete); its name is the kind's
// flow.KindSpec.Title.
type KindLook struct {
	// Icon is the kind's icon (a theme icon, so it follows the theme).
	Icon func() fyne.Resource
	// Color tints the disc behind the icon; translucent so it reads on
	// light and dark themes alike.
	Color color.Color
	// Summary is the one line a card shows under its title.
	Summary func(n *flow.Node) string
}

// kindLooks is the look of every node kind.
var kindLooks = map[flow.NodeKind]KindLook{
	flow.KindStart: {Icon: theme.MediaPlayIcon, Color: color.NRGBA{R: 0x2e, G: 0xa0, B: 0x43, A: 0x70},
		Summary: func(n *flow.Node) string {
			if n.Trigger == nil {
				return "manual"
			}
			switch n.Trigger.Type {
			case flow.TriggerEvent:
				return "on " + strings.Join(n.Trigger.Events, ", ")
			case flow.TriggerWebhook:
				return "webhook " + n.Trigger.Path
			}
			return string(n.Trigger.Type)
		}},
	flow.KindCall: {Icon: theme.UploadIcon, Color: color.NRGBA{R: 0x21, G: 0x76, B: 0xd2, A: 0x70},
		Summary: func(n *flow.Node) string {
			if n.Call == nil {
				return "not configured"
			}
			m := n.Call.Method
			if m == "" {
				m = "GET"
			}
			if n.Call.URI == "" {
				return m + " (no URI)"
			}
			return m + " " + n.Call.URI
		}},
	flow.KindDecision: {Icon: theme.QuestionIcon, Color: color.NRGBA{R: 0xf5, G: 0x8c, B: 0x1a, A: 0x70},
		Summary: func(n *flow.Node) string {
			if len(n.Cases) == 0 {
				return "no cases"
			}
			return n.Cases[0].Port + ": " + n.Cases[0].When
		}},
	flow.KindSet: {Icon: theme.DocumentCreateIcon, Color: color.NRGBA{R: 0x8e, G: 0x44, B: 0xad, A: 0x70},
		Summary: func(n *flow.Node) string {
			switch len(n.Assign) {
			case 0:
				return "nothing to set"
			case 1:
				return n.Assign[0].Name + " = " + n.Assign[0].Value
			}
			return fmt.Sprintf("%d variables", len(n.Assign))
		}},
	flow.KindEmit: {Icon: theme.MailSendIcon, Color: color.NRGBA{R: 0x00, G: 0x96, B: 0x88, A: 0x70},
		Summary: func(n *flow.Node) string {
			if n.Event == "" {
				return "no event"
			}
			return n.Event
		}},
	flow.KindDelay: {Icon: theme.MediaPauseIcon, Color: color.NRGBA{R: 0x5c, G: 0x6b, B: 0xc0, A: 0x70},
		Summary: func(n *flow.Node) string {
			if strings.TrimSpace(n.Duration) == "" {
				return "no duration"
			}
			return "wait " + n.Duration
		}},
	flow.KindEnd: {Icon: theme.MediaStopIcon, Color: unknownKindColor,
		Summary: func(n *flow.Node) string {
			if n.Outcome == "" {
				return "end"
			}
			return "outcome: " + n.Outcome
		}},
}

// unknownKindColor tints a kind with no look of its own (and the end).
var unknownKindColor = color.NRGBA{R: 0x80, G: 0x80, B: 0x80, A: 0x70}

// Look returns the look of a node kind; false for an unknown kind.
func Look(k flow.NodeKind) (KindLook, bool) {
	l, ok := kindLooks[k]
	return l, ok
}

// Summary is the one line a card shows under its title: the method and URI
// of a call (POST "/v1/tier"), the first case of a decision, the trigger of a
// start, and so on; the kind itself for an unknown kind.
func Summary(n *flow.Node) string {
	if l, ok := kindLooks[n.Kind]; ok {
		return l.Summary(n)
	}
	return string(n.Kind)
}

// KindIcon is the icon of a node kind, on cards and in the palette; a
// question mark for an unknown kind.
func KindIcon(k flow.NodeKind) fyne.Resource {
	if l, ok := kindLooks[k]; ok {
		return l.Icon()
	}
	return theme.QuestionIcon()
}

// kindColor tints the disc behind a kind's icon.
func kindColor(k flow.NodeKind) color.Color {
	if l, ok := kindLooks[k]; ok {
		return l.Color
	}
	return unknownKindColor
}

// AddLabel is the menu entry that adds a node of kind k: "Add " and the
// kind's title (flow.KindSpec.Title) in sentence case, "Add set variables".
func AddLabel(k flow.NodeKind) string {
	t := string(k)
	if s, ok := flow.Spec(k); ok {
		t = s.Title
	}
	if t != "" {
		t = strings.ToLower(t[:1]) + t[1:]
	}
	return "Add " + t
}
