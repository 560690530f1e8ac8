package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/flowbench/flowbench/assets"
	"github.com/flowbench/flowbench/storage"
	"github.com/flowbench/flowbench/storage/secret"
)

// A first launch opens the offline chatbot demo (the window opens the
// newest flow): it runs every branch against the bundled mocks, where the
// other examples need keys and fail until they are set.
func TestFirstLaunchOpensTheOfflineDemo(t *testing.T) {
	s, err := secret.NewSealer([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "flowbench.db"), storage.Options{Sealer: s})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := seedExamples(ctx, db); err != nil {
		t.Fatal(err)
	}
	flows, err := db.ListFlows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(flows) != len(assets.ExampleFlowNames()) {
		t.Fatalf("%d flows stored, want the %d examples", len(flows), len(assets.ExampleFlowNames()))
	}
	newest := flows[0]
	for _, f := range flows[1:] {
		if f.UpdatedAt.After(newest.UpdatedAt) {
			newest = f
		}
	}
	demo, err := assets.ExampleFlow(assets.FirstFlowName)
	if err != nil {
		t.Fatal(err)
	}
	want := demo.Name
	if newest.Name != want || want == "" {
		t.Fatalf("the newest flow (opened first) is %q, want %q from %s", newest.Name, want, assets.FirstFlowName)
	}
	for _, f := range flows {
		if f.ID != newest.ID && !f.UpdatedAt.Before(newest.UpdatedAt) {
			t.Fatalf("%q is as new as the demo: which one opens is left to chance", f.Name)
		}
	}
}
