package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// serverSwitch is a view's control of a local server (the mock server,
// the webhook listener): the address it listens on, the switch that
// starts and stops it, and, under the switch, why it could not start.
type serverSwitch struct {
	addr  *widget.Entry
	check *widget.Check
	errL  *widget.Label
	box   *fyne.Container

	start func(addr string) error
	stop  func(ctx context.Context) error
	url   func() string // where it listens, "" while stopped
	// toggled is what the person's use of the switch does; the view
	// calls set from it, and says what happened.
	toggled func(on bool)
	syncing bool
}

func newServerSwitch(label, addr string, start func(string) error, stop func(context.Context) error, url func() string) *serverSwitch {
	s := &serverSwitch{start: start, stop: stop, url: url}
	s.addr = widget.NewEntry()
	s.addr.SetText(addr)
	s.check = widget.NewCheck(label, func(on bool) {
		if !s.syncing && s.toggled != nil {
			s.toggled(on)
		}
	})
	s.errL = errorLabel()
	s.box = container.NewVBox(container.NewBorder(nil, nil, widget.NewLabel("Address"), nil, s.addr), s.check, s.errL)
	return s
}

// set starts the server at the address typed, or stops it (waiting at
// most five seconds for the requests in flight); why it could not start
// shows under the switch, which then shows it off.
func (s *serverSwitch) set(on bool) error {
	setError(s.errL, "")
	defer s.sync()
	if !on {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return s.stop(ctx)
	}
	addr := strings.TrimSpace(s.addr.Text)
	if err := s.start(addr); err != nil {
		setError(s.errL, "Could not listen on "+addr+": "+err.Error())
		return err
	}
	return nil
}

// sync shows whether the server runs, without starting or stopping it.
func (s *serverSwitch) sync() {
	s.syncing = true
	defer func() { s.syncing = false }()
	s.check.SetChecked(s.url() != "")
}
