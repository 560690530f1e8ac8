package storage

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/flowbench/flowbench/flow"
)

// sentSample is a request sent through connection crm that was retried
// once: a 503 and then a 200.
func sentSample(at time.Time) SentRequest {
	return SentRequest{
		At: at, Source: "workspace", Connection: "crm", DurationMs: 42,
		Attempts: []flow.Exchange{
			{Attempt: 1, Method: "POST", URL: "https://crm.test/v1/orders?x=1", Status: 503, DurationMs: 10,
				RequestHeaders: map[string][]string{"Authorization": {"[redacted]"}}, RequestBody: `{"sku":"A-1"}`, ResponseBody: "busy"},
			{Attempt: 2, Method: "POST", URL: "https://crm.test/v1/orders?x=1", Status: 201, DurationMs: 20, WaitMs: 5,
				RequestHeaders:  map[string][]string{"Authorization": {"[redacted]"}, "Content-Type": {"application/json"}},
				RequestBody:     `{"sku":"A-1"}`,
				ResponseHeaders: map[string][]string{"Content-Type": {"application/json"}},
				ResponseBody:    `{"id":"ord_77","state":"created"}`, ResponseSize: 33},
		},
		Call: &flow.Call{Connection: "crm", Method: "POST", URI: `"/v1/orders"`, Query: []flow.Pair{{Key: `"x"`, Value: `"1"`}}, Body: `{"sku": "A-1"}`},
	}
}

func TestRequestHistoryRecordsAndReads(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	in := sentSample(baseTime)
	id, err := db.RecordRequest(ctx, in)
	if err != nil || id <= 0 {
		t.Fatalf("RecordRequest = %d, %v", id, err)
	}
	got, err := db.GetRequest(ctx, id)
	if err != nil {
		t.Fatalf("GetRequest(%d): %v", id, err)
	}
	want := in
	want.ID, want.Method, want.URL, want.Status = id, "POST", "https://crm.test/v1/orders?x=1", 201
	if !got.At.Equal(want.At) {
		t.Fatalf("At = %v; want %v", got.At, want.At)
	}
	got.At = want.At
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("read back\n%+v\nwant\n%+v", *got, want)
	}
	if r := got.Response(); r == nil || r.Attempt != 2 || r.ResponseBody != `{"id":"ord_77","state":"created"}` {
		t.Fatalf("Response() = %+v; want the second attempt", r)
	}
	if _, err := db.GetRequest(ctx, id+1); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("GetRequest of a missing id: %v; want not found", err)
	}
}

func TestRequestHistorySurvivesReopening(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "flowbench.db")
	db, err := Open(ctx, path, Options{Sealer: testSealer(t, 1)})
	if err != nil {
		t.Fatal(err)
	}
	id, err := db.RecordRequest(ctx, sentSample(baseTime))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2 := openAt(t, path, testSealer(t, 1))
	list, err := db2.ListRequests(ctx, RequestQuery{})
	if err != nil || len(list) != 1 || list[0].ID != id || list[0].Status != 201 || len(list[0].Attempts) != 2 {
		t.Fatalf("after reopening: %+v, %v; want the one request %d", list, err, id)
	}
}

// The request history is not the run history: neither ListRuns nor
// CountRuns sees a sent request.
func TestSentRequestsAreNotRuns(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	if _, err := db.RecordRequest(ctx, sentSample(baseTime)); err != nil {
		t.Fatal(err)
	}
	runs, _, err := db.ListRuns(ctx, RunQuery{})
	if err != nil || len(runs) != 0 {
		t.Fatalf("ListRuns = %+v, %v; want no runs", runs, err)
	}
	if n, err := db.CountRuns(ctx, RunQuery{}); err != nil || n != 0 {
		t.Fatalf("CountRuns = %d, %v; want 0", n, err)
	}
}

func TestRequestHistorySearch(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	ids := map[string]int64{}
	add := func(name string, r SentRequest) {
		t.Helper()
		id, err := db.RecordRequest(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = id
	}
	add("order", sentSample(baseTime))
	add("missing", SentRequest{At: baseTime.Add(time.Second), Attempts: []flow.Exchange{
		{Attempt: 1, Method: "GET", URL: "https://api.github.test/repos/x/y", Status: 404, ResponseBody: `{"message":"Not Found"}`}}})
	add("refused", SentRequest{At: baseTime.Add(2 * time.Second), Connection: "billing", Attempts: []flow.Exchange{
		{Attempt: 1, Method: "DELETE", URL: "http://127.0.0.1:9/v1/invoices/in_1", Error: "connection refused"}}})
	add("percent", SentRequest{At: baseTime.Add(3 * time.Second), Attempts: []flow.Exchange{
		{Attempt: 1, Method: "PUT", URL: "https://x.test/discount", Status: 200, RequestBody: `{"off":"50%"}`}}})

	for _, c := range []struct {
		q    RequestQuery
		want []string
	}{
		{RequestQuery{}, []string{"percent", "refused", "missing", "order"}},
		{RequestQuery{Text: "github"}, []string{"missing"}},
		{RequestQuery{Text: "delete"}, []string{"refused"}},
		{RequestQuery{Text: "404"}, []string{"missing"}},
		{RequestQuery{Text: "2xx"}, []string{"percent", "order"}},
		{RequestQuery{Text: "ord_77"}, []string{"order"}},      // the response body
		{RequestQuery{Text: `"sku"`}, []string{"order"}},       // the request body, quotes and all
		{RequestQuery{Text: "not found"}, []string{"missing"}}, // two words, both in one body
		{RequestQuery{Text: "post github"}, nil},               // two words in different requests
		{RequestQuery{Text: "refused"}, []string{"refused"}},   // the error
		{RequestQuery{Text: "billing"}, []string{"refused"}},   // the connection
		{RequestQuery{Text: "50%"}, []string{"percent"}},
		{RequestQuery{Text: "%"}, []string{"percent"}}, // a wildcard is a character here
		{RequestQuery{Text: "o_d"}, nil},               // as a wildcard "_" would match "ord"
		{RequestQuery{Method: "post"}, []string{"order"}},
		{RequestQuery{Connection: "crm"}, []string{"order"}},
		{RequestQuery{Status: 404}, []string{"missing"}},
		{RequestQuery{Limit: 2}, []string{"percent", "refused"}},
		{RequestQuery{BeforeID: ids["refused"]}, []string{"missing", "order"}},
	} {
		got, err := db.ListRequests(ctx, c.q)
		if err != nil {
			t.Fatalf("ListRequests(%+v): %v", c.q, err)
		}
		var names []string
		for _, r := range got {
			for name, id := range ids {
				if id == r.ID {
					names = append(names, name)
				}
			}
		}
		if !reflect.DeepEqual(names, c.want) {
			t.Errorf("ListRequests(%+v) = %v; want %v", c.q, names, c.want)
		}
	}
}

// The history keeps the newest requests and deletes the rest as new ones
// arrive.
func TestRequestHistoryIsBounded(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	var ids []int64
	for i := range 7 {
		r := sentSample(baseTime.Add(time.Duration(i) * time.Second))
		id, err := db.recordRequest(ctx, r, 3)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	got, err := db.ListRequests(ctx, RequestQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var have []int64
	for _, r := range got {
		have = append(have, r.ID)
	}
	if want := []int64{ids[6], ids[5], ids[4]}; !reflect.DeepEqual(have, want) {
		t.Fatalf("kept %v; want the newest three %v", have, want)
	}
	if _, err := db.GetRequest(ctx, ids[0]); err == nil {
		t.Fatal("the oldest request is still there")
	}
	if err := db.DeleteRequest(ctx, ids[5]); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.ListRequests(ctx, RequestQuery{}); len(got) != 2 {
		t.Fatalf("after DeleteRequest: %d requests; want 2", len(got))
	}
	if err := db.ClearRequests(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.ListRequests(ctx, RequestQuery{}); len(got) != 0 {
		t.Fatalf("after ClearRequests: %d requests; want 0", len(got))
	}
}

// Bodies are cut as run records cut them, at a character boundary.
func TestRequestHistoryCapsBodies(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	// "é" is two bytes: the cap falls inside the last one of them.
	big := strings.Repeat("a", SentBodyBytes-1) + "é" + "tail"
	id, err := db.RecordRequest(ctx, SentRequest{At: baseTime, Attempts: []flow.Exchange{
		{Attempt: 1, Method: "POST", URL: "https://x.test/", Status: 200, RequestBody: big, ResponseBody: big}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.GetRequest(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	x := got.Attempts[0]
	want := strings.Repeat("a", SentBodyBytes-1)
	if x.ResponseBody != want || !x.Truncated || x.RequestBody != want || !utf8.ValidString(x.ResponseBody) {
		t.Fatalf("response body %d bytes (truncated %v), request body %d bytes; want both %d bytes, truncated",
			len(x.ResponseBody), x.Truncated, len(x.RequestBody), len(want))
	}
}
