package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mccutchen/go-httpbin/v2/httpbin"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
	"github.com/flowbench/flowbench/storage/secret"
)

func canary(tb testing.TB, kind string) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return "canary" + kind + hex.EncodeToString(b)
}

// forms are the encodings a leaked secret could take.
func forms(s string) []string {
	return []string{
		s,
		base64.StdEncoding.EncodeToString([]byte(s)),
		base64.RawURLEncoding.EncodeToString([]byte(s)),
		hex.EncodeToString([]byte(s)),
		url.QueryEscape(s),
	}
}

// TestCanarySecretsNeverLeak runs calls through connections of every auth type
// whose secrets are random canaries, against go-httpbin (which echoes every
// header and query parameter back in its response), and then scans the
// database file, its WAL, the exported connections, the run records, the
// results and the captured logs for each canary in plain, base64, hex and
// URL-encoded form.
func TestCanarySecretsNeverLeak(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(prev)

	srv := httptest.NewServer(httpbin.New())
	defer srv.Close()
	canaries := map[string]string{
		"header": canary(t, "header"), "query": canary(t, "query"), "bearer": canary(t, "bearer"),
		"basic": canary(t, "basic"), "aws": canary(t, "aws"), "signing": canary(t, "signing"),
	}
	conns := []flow.Connection{
		{Name: "hdr", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthAPIKey, In: "header", Name: "X-Api-Key", Value: &flow.SecretRef{Literal: canaries["header"]}}},
		{Name: "qry", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthAPIKey, In: "query", Name: "api_key", Value: &flow.SecretRef{Literal: canaries["query"]}}},
		{Name: "tok", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthBearer, Token: &flow.SecretRef{Literal: canaries["bearer"]}}},
		{Name: "usr", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthBasic, Username: "ada", Password: &flow.SecretRef{Literal: canaries["basic"]}}},
		{Name: "aws", Kind: flow.ConnCustom, BaseURL: srv.URL, Auth: flow.Auth{Type: flow.AuthSigV4, AccessKeyID: "AKIDEXAMPLE", Service: "execute-api", SecretAccessKey: &flow.SecretRef{Literal: canaries["aws"]}}, Region: "eu-central-1"},
	}

	dir := t.TempDir()
	key := make([]byte, 32)
	rand.Read(key)
	sealer, err := secret.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "flowbench.db")
	ctx := context.Background()
	db, err := storage.Open(ctx, dbPath, storage.Options{Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range conns {
		if err := db.SaveConnection(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutSecret(ctx, "signing", canaries["signing"]); err != nil {
		t.Fatal(err)
	}
	stored, err := db.ListConnections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	export, err := flow.EncodeConnections(&flow.ConnectionsFile{Format: flow.Format, Connections: stored})
	if err != nil {
		t.Fatal(err)
	}

	f := &flow.Flow{Format: flow.Format, Name: "canaries", Nodes: []flow.Node{{ID: "start", Kind: flow.KindStart}}}
	prevID := "start"
	for i, c := range conns {
		id := fmt.Sprintf("call%d", i)
		call := &flow.Call{Connection: c.Name, Method: "POST", URI: `"/anything/echo"`, Body: `{"hello": "world"}`}
		if i == 0 {
			call.Signing = &flow.Signing{Secret: flow.SecretRef{Secret: "signing"}}
		}
		f.Nodes = append(f.Nodes, flow.Node{ID: id, Kind: flow.KindCall, Call: call})
		f.Edges = append(f.Edges, flow.Edge{From: prevID, To: id})
		prevID = id
	}
	f.Nodes = append(f.Nodes, flow.Node{ID: "end", Kind: flow.KindEnd})
	f.Edges = append(f.Edges, flow.Edge{From: prevID, To: "end"})
	if _, err := db.SaveFlow(ctx, f); err != nil {
		t.Fatal(err)
	}

	rec := db.NewRecorder(storage.RecorderOptions{})
	r := engine.NewRunner(engine.Options{Connections: stored, Secrets: db, Tokens: db, Observers: []engine.Observer{rec}})
	plan, err := engine.Compile(f, stored)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Run(ctx, plan, engine.Input{})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if res.Run.Status != flow.StatusSucceeded {
		t.Fatalf("run %s: %s", res.Run.Status, res.Run.Error)
	}
	// httpbin echoed the credentials: prove they were sent, so the scan below
	// is a real test of redaction.
	echoed := ""
	for _, s := range res.Steps {
		for _, ex := range s.Exchanges {
			echoed += ex.ResponseBody
		}
	}
	for _, name := range []string{`"X-Api-Key"`, `"api_key"`, `"Authorization"`, `"Webhook-Signature"`} {
		if !strings.Contains(echoed, name) {
			t.Fatalf("httpbin did not echo %s; the credentials may not have been sent", name)
		}
	}
	runJSON, _ := json.Marshal(res)
	recRun, recSteps, err := db.Run(ctx, res.Run.ID)
	if err != nil {
		t.Fatal(err)
	}
	recJSON, _ := json.Marshal(struct {
		R *flow.Run
		S []flow.Step
	}{recRun, recSteps})

	// Scan the WAL while the database is open, then the main file after close.
	scan := map[string][]byte{"export": export, "result": runJSON, "run records": recJSON}
	if wal, err := os.ReadFile(dbPath + "-wal"); err == nil {
		scan["wal"] = wal
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	mainFile, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	scan["database"] = mainFile
	scan["logs"] = logs.Bytes()
	for kind, c := range canaries {
		for _, form := range forms(c) {
			for where, data := range scan {
				if bytes.Contains(data, []byte(form)) {
					t.Errorf("the %s secret appears in the %s (in the form %.12s…)", kind, where, form)
				}
			}
		}
	}
}
