package integration

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"testing"

	"github.com/flowbench/flowbench/storage"
	"github.com/flowbench/flowbench/storage/secret"
)

func openTestDB(tb testing.TB) *storage.DB {
	tb.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		tb.Fatal(err)
	}
	sealer, err := secret.NewSealer(key)
	if err != nil {
		tb.Fatal(err)
	}
	db, err := storage.Open(context.Background(), filepath.Join(tb.TempDir(), "flowbench.db"), storage.Options{Sealer: sealer})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
