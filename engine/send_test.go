package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/flowbench/flowbench/flow"
)

// Issue 14: a request is sent with no flow, through a connection or to a
// full URL, by the engine's single-step path (auth applied and redacted).
func TestSendThroughAConnectionAndToAFullURL(t *testing.T) {
	pr := newPeer(t)
	api := pr.conn("api")
	api.Auth = flow.Auth{Type: flow.AuthBearer, Token: &flow.SecretRef{Literal: "tok-canary-123"}}
	adhoc, uri, err := AdHocConnection(pr.URL + "/anything/full?x=1")
	if err != nil {
		t.Fatal(err)
	}
	if uri != "/anything/full?x=1" || adhoc.BaseURL != pr.URL || adhoc.Name != AdHocConnectionName {
		t.Fatalf("AdHocConnection: %+v %q", adhoc, uri)
	}
	r := NewRunner(Options{Connections: []flow.Connection{api, adhoc}})
	defer r.Close()

	res, err := r.Send(context.Background(), flow.Call{Connection: "api", Method: "post", URI: `"/anything/o"`, Body: `{"a": 1}`}, StepInput{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Step.Status != flow.StatusSucceeded || res.Step.Node != SendNodeID || len(res.Step.Exchanges) != 1 {
		t.Fatalf("step %+v", res.Step)
	}
	x := res.Step.Exchanges[0]
	if x.Method != "POST" || x.URL != pr.URL+"/anything/o" || x.RequestHeaders["Authorization"][0] == "Bearer tok-canary-123" {
		t.Fatalf("exchange %+v", x)
	}
	if got := lastAuth(pr); got != "Bearer tok-canary-123" {
		t.Fatalf("the server got Authorization %q", got)
	}
	if strings.Contains(x.ResponseBody, "tok-canary-123") {
		t.Fatal("the echoed token was not redacted from the recorded response")
	}

	res, err = r.Send(context.Background(), flow.Call{Connection: AdHocConnectionName, URI: `"` + uri + `"`}, StepInput{})
	if err != nil {
		t.Fatal(err)
	}
	if x := res.Step.Exchanges[0]; x.Status != 200 || x.URL != pr.URL+"/anything/full?x=1" {
		t.Fatalf("full URL: %+v", x)
	}
	if got := lastAuth(pr); got != "" {
		t.Fatalf("a full URL sent Authorization %q", got)
	}

	_, err = r.Send(context.Background(), flow.Call{Connection: "api", URI: `"/x`}, StepInput{})
	var ps flow.Problems
	if !errors.As(err, &ps) || ps[0].Field != "call.uri" {
		t.Fatalf("a broken URI: %v", err)
	}
	for _, bad := range []string{"/v1/x", "ftp://h/x", "https://u:p@h/x", "http://"} {
		if _, _, err := AdHocConnection(bad); err == nil {
			t.Errorf("AdHocConnection(%q) accepted it", bad)
		}
	}
}

func lastAuth(pr *peer) string {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.requests[len(pr.requests)-1].Header.Get("Authorization")
}
