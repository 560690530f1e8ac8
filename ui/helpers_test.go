package ui

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/storage"
	"github.com/flowbench/flowbench/storage/secret"
)

// testKey is a fixed master key: tests need a sealer, not a secret one.
var testKey = []byte("0123456789abcdef0123456789abcdef")

// openStore opens (or reopens) the SQLite database at path.
func openStore(t testing.TB, path string) *storage.DB {
	t.Helper()
	s, err := secret.NewSealer(testKey)
	if err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(context.Background(), path, storage.Options{Sealer: s})
	if err != nil {
		t.Fatalf("open the test database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// uiQueue stands in for fyne.Do: work handed to the UI goroutine waits
// here until the test drains it, on the test goroutine.
type uiQueue struct {
	mu  sync.Mutex
	fns []func()
}

func (q *uiQueue) do(fn func()) {
	q.mu.Lock()
	q.fns = append(q.fns, fn)
	q.mu.Unlock()
}

// drain runs what is queued, including what the queued work queues.
func (q *uiQueue) drain() {
	for range 1000 {
		q.mu.Lock()
		fns := q.fns
		q.fns = nil
		q.mu.Unlock()
		if len(fns) == 0 {
			return
		}
		for _, fn := range fns {
			fn()
		}
	}
}

// manualClock stands in for time.AfterFunc: timers fire when the test
// says so.
type manualClock struct {
	mu     sync.Mutex // feeds arm timers from engine and server goroutines
	timers []*manualTimer
}

type manualTimer struct {
	fn             func()
	fired, stopped bool
}

func (c *manualClock) after(_ time.Duration, fn func()) func() bool {
	t := &manualTimer{fn: fn}
	c.mu.Lock()
	c.timers = append(c.timers, t)
	c.mu.Unlock()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		live := !t.fired && !t.stopped
		t.stopped = true
		return live
	}
}

// fire runs every pending timer once and reports how many ran.
func (c *manualClock) fire() int {
	n := 0
	c.mu.Lock()
	timers := c.timers
	c.timers = nil
	var due []*manualTimer
	for _, t := range timers {
		if !t.fired && !t.stopped {
			t.fired = true
			due = append(due, t)
		}
	}
	c.mu.Unlock()
	for _, t := range due {
		t.fn()
		n++
	}
	return n
}

// harness is one window on a store, with the clock and queue it was given.
type harness struct {
	t      *testing.T
	app    *App
	w      fyne.Window
	fa     fyne.App
	db     *storage.DB
	dbPath string
	drafts string
	queue  *uiQueue
	clock  *manualClock
}

// newHarness opens a window on a new database in a temporary directory.
func newHarness(t *testing.T) *harness {
	t.Helper()
	dir := t.TempDir()
	h := &harness{t: t, fa: test.NewTempApp(t), dbPath: filepath.Join(dir, "flowbench.db"), drafts: filepath.Join(dir, "drafts")}
	h.db = openStore(t, h.dbPath)
	h.open()
	return h
}

// open (re)creates the window on h.db, as a new launch does.
func (h *harness) open() {
	h.t.Helper()
	h.queue, h.clock = &uiQueue{}, &manualClock{}
	a, err := New(h.fa, Options{Store: h.db, Do: h.queue.do, AfterFunc: h.clock.after, DraftDir: h.drafts})
	if err != nil {
		h.t.Fatal(err)
	}
	h.app, h.w = a, a.Window()
	h.w.Resize(fyne.NewSize(1400, 900))
	h.w.Show()
	h.t.Cleanup(h.w.Close)
	h.app.cv.FitToWindow()
}

// shortcut types a keyboard shortcut on the window.
func (h *harness) shortcut(s fyne.Shortcut) {
	h.w.Canvas().(fyne.Shortcutable).TypedShortcut(s)
}

// walk visits o and every object below it.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	visit(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, visit)
		}
	}
}

// tipButtonNamed finds the visible button with that label in the window.
func (h *harness) tipButtonNamed(label string) *tipButton {
	h.t.Helper()
	var found *tipButton
	walk(h.w.Content(), func(o fyne.CanvasObject) {
		if b, ok := o.(*tipButton); ok && b.Text == label && b.Visible() && found == nil {
			found = b
		}
	})
	if found == nil {
		h.t.Fatalf("no button %q in the window", label)
	}
	return found
}

// overlayText returns the text of the labels of the topmost overlay (a
// dialog), joined by newlines.
func (h *harness) overlayText() string {
	top := h.w.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	var parts []string
	walk(top, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			parts = append(parts, x.Text)
		}
	})
	return strings.Join(parts, "\n")
}

// overlayButton finds the button with that label in the topmost overlay.
func (h *harness) overlayButton(label string) *widget.Button {
	h.t.Helper()
	var found *widget.Button
	walk(h.w.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == label {
			found = b
		}
	})
	if found == nil {
		h.t.Fatalf("no button %q in the dialog; it says:\n%s", label, h.overlayText())
	}
	return found
}

// consoleText is every console line, one per line.
func (h *harness) consoleText() string {
	var b strings.Builder
	for _, l := range h.app.console.lines() {
		b.WriteString(l.text)
		b.WriteByte('\n')
	}
	return b.String()
}
