package storage

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbench/flowbench/storage/secret"
)

// noKeychain is a keychain that holds nothing and stores nothing, as on a
// Linux server.
type noKeychain struct{}

func (noKeychain) Get(string, string) (string, error) { return "", secret.ErrKeyNotFound }
func (noKeychain) Set(string, string, string) error   { return errors.New("no keychain service") }

func keyOpts(legacy string) secret.KeyOptions {
	return secret.KeyOptions{Getenv: func(string) string { return "" }, Keyring: noKeychain{}, LegacyDirs: []string{legacy}}
}

// TestFaultKeyFileBesideDatabase: the key file is made 0600 beside the
// database; when it is deleted while sealed secrets exist, no new key is
// made and the error names the key file's path and what to do.
func TestFaultKeyFileBesideDatabase(t *testing.T) {
	ctx := context.Background()
	dir, legacy := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "runs.db")
	keyFile := filepath.Join(dir, secret.KeyFileName)

	db, src, err := OpenWithKey(ctx, path, keyOpts(legacy), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if src.Kind != secret.FromKeyFile || src.Path != keyFile || !src.Created {
		t.Fatalf("key source %v, want a new key file %s", src, keyFile)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file %s: %v, mode %v; want 0600", keyFile, err, fi)
	}
	if err := db.PutSecret(ctx, "crm", "s3cr3t-value"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// A copy of the directory is self-contained.
	db, _, err = OpenWithKey(ctx, path, keyOpts(legacy), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := db.SecretValue(ctx, "crm"); err != nil || v != "s3cr3t-value" {
		t.Fatalf("secret after reopen: %q, %v", v, err)
	}
	db.Close()

	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	_, _, err = OpenWithKey(ctx, path, keyOpts(legacy), Options{})
	if err == nil {
		t.Fatal("opened a database holding sealed secrets with a new key")
	}
	for _, want := range []string{"holds 1 sealed secrets", "no key file " + keyFile, "Restore the key file " + keyFile, "FLOWBENCH_MASTER_KEY", "no new key was made"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Fatal("error shows the secret")
	}
	if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a key file was written anyway: %v", err)
	}
}

// TestFaultKeyFileLegacyLocationAndWrongKey: a key kept where earlier
// versions kept it is still used (nothing is lost); a wrong key file beside
// the database is refused with an error naming that file.
func TestFaultKeyFileLegacyLocationAndWrongKey(t *testing.T) {
	ctx := context.Background()
	dir, legacy := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "flowbench.db")
	oldKey := filepath.Join(legacy, secret.KeyFileName)
	if err := os.WriteFile(oldKey, []byte(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db, src, err := OpenWithKey(ctx, path, keyOpts(legacy), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if src.Path != oldKey || src.Created {
		t.Fatalf("key source %v, want the existing %s", src, oldKey)
	}
	if err := db.PutSecret(ctx, "crm", "v"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	wrong := filepath.Join(dir, secret.KeyFileName)
	if err := os.WriteFile(wrong, []byte(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32))), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err = OpenWithKey(ctx, path, keyOpts(legacy), Options{})
	if !errors.Is(err, secret.ErrWrongKey) || !strings.Contains(err.Error(), "the key in use: key file "+wrong) {
		t.Fatalf("err = %v, want a wrong-key error naming %s", err, wrong)
	}
}
