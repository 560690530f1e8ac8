package ui

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/flowbench/flowbench/flow"
)

// maxRequestRows bounds the requests the inspector holds in memory; the
// history keeps more (keepReceived) and Refresh reads its newest page.
const maxRequestRows = 5000

// keepReceived is how many received requests the history keeps: enough to
// look back over a day of demos, small enough never to matter on disk.
const keepReceived = 10000

// requestsView is the request inspector: every request a mock or a webhook
// trigger received, newest first, live, with the selected one in full
// below (headers, body, the auth and signature checks, the answer).
type requestsView struct {
	shell
	store  MockStore                       // keeps the history; nil keeps requests in memory only
	list   *itemList[flow.ReceivedRequest] // newest first
	detail *widget.Entry
	box    fyne.CanvasObject
	added  int // records written since the last prune
}

func newRequestsView(sh shell, store MockStore) *requestsView {
	v := &requestsView{shell: sh, store: store}
	v.list = newItemList(requestRow)
	v.list.danger = func(r *flow.ReceivedRequest) bool { return r.Status == 0 || r.Status >= 400 }
	v.detail = widget.NewMultiLineEntry()
	v.detail.Wrapping = fyne.TextWrapWord
	v.detail.SetPlaceHolder("Select a request to see its headers, body and checks.")
	v.detail.SetMinRowsVisible(10)
	v.list.OnSelected = func(_ int, r flow.ReceivedRequest) { v.detail.SetText(requestDetail(&r)) }
	actions, _ := actionGrid(sh.tips, 2,
		action{"Clear", theme.ContentClearIcon(), "Clear the list (the history keeps them)", func() {
			v.list.set(nil)
			v.detail.SetText("")
		}},
		action{"History", theme.HistoryIcon(), "List the newest requests of the history", v.reload},
	)
	split := container.NewVSplit(v.list.object(), v.detail)
	split.Offset = 0.55
	title := widget.NewLabelWithStyle("Requests received by mocks and webhook triggers", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	v.box = sidePane(title, split, actions)
	return v
}

func (v *requestsView) object() fyne.CanvasObject { return v.box }

// requestRow is a request's line: time, method, path, status, and the
// check that refused it, if any.
func requestRow(r *flow.ReceivedRequest) string {
	status := "no answer"
	if r.Status != 0 {
		status = fmt.Sprint(r.Status)
	}
	s := fmt.Sprintf("%s  %s %s  → %s", r.Time.Local().Format("15:04:05.000"), r.Method, r.Path, status)
	for _, check := range []string{r.Auth, r.Signature} {
		if check != "" && check != "ok" && check != "valid" && check != "not required" && check != "signature valid" {
			s += "  (" + check + ")"
		}
	}
	if r.Fault != "" {
		s += "  fault: " + r.Fault
	}
	return s
}

// requestDetail is everything kept of a request, as text a person can copy.
func requestDetail(r *flow.ReceivedRequest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Method, r.Path)
	if r.Query != "" {
		b.WriteString("?" + r.Query)
	}
	fmt.Fprintf(&b, "\nReceived %s", r.Time.Local().Format("2006-01-02 15:04:05.000"))
	if r.Mock != "" {
		fmt.Fprintf(&b, " by mock %q", r.Mock)
	}
	if r.Route != "" {
		fmt.Fprintf(&b, ", route %s", r.Route)
	}
	if r.Status != 0 {
		fmt.Fprintf(&b, "\nAnswered %d in %d ms", r.Status, r.DurationMs)
	} else {
		b.WriteString("\nNot answered")
	}
	if r.Auth != "" {
		b.WriteString("\nAuth check: " + r.Auth)
	}
	if r.Signature != "" {
		b.WriteString("\nSignature check: " + r.Signature)
	}
	if r.Fault != "" {
		b.WriteString("\nFault: " + r.Fault)
	}
	if r.Error != "" {
		b.WriteString("\nError: " + r.Error)
	}
	b.WriteString("\n\nHeaders:\n")
	names := make([]string, 0, len(r.Headers))
	for k := range r.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, val := range r.Headers[k] {
			fmt.Fprintf(&b, "  %s: %s\n", k, val)
		}
	}
	b.WriteString("\nBody")
	if r.BodyTruncated {
		fmt.Fprintf(&b, " (first part of %d bytes)", r.BodySize)
	}
	b.WriteString(":\n" + r.Body)
	return b.String()
}

// add shows requests that arrived (oldest first in rs) and keeps them in
// the history.
func (v *requestsView) add(rs []flow.ReceivedRequest) {
	if st := v.store; st != nil {
		for i := range rs {
			if _, err := st.RecordReceived(v.ctx, rs[i]); err != nil {
				v.logError("The request inspector's history could not keep a request: " + err.Error())
				break
			}
		}
		v.added += len(rs)
		if v.added >= keepReceived/10 {
			v.added = 0
			if _, err := st.PruneReceived(v.ctx, keepReceived); err != nil {
				v.logError("The request history could not be trimmed: " + err.Error())
			}
		}
	}
	fresh := slices.Clone(rs)
	slices.Reverse(fresh)
	v.list.prepend(fresh, maxRequestRows)
}

// reload lists the newest requests of the history.
func (v *requestsView) reload() {
	st := v.store
	if st == nil {
		return
	}
	rs, err := st.ListReceived(v.ctx, 500)
	if err != nil {
		v.logError("Could not read the request history: " + err.Error())
		return
	}
	v.list.set(rs)
	v.detail.SetText("")
}
