package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/flowbench/flowbench/storage/secret"
)

// OpenWithKey loads the master key for the database at path and opens it.
// The key file lives beside the database (its directory), so a copied
// directory keeps its key; a key file where earlier versions kept it
// (<user config dir>/flowbench) is still read when there is none beside the
// database. A new key is never made while the database holds sealed secrets
// or tokens: their key is missing, and the error names the key file to
// restore. kopts may set Getenv and Keyring (tests); its ConfigDir and
// LegacyDirs default as described.
func OpenWithKey(ctx context.Context, path string, kopts secret.KeyOptions, opts Options) (*DB, secret.KeySource, error) {
	if path == "" {
		return nil, secret.KeySource{}, errors.New("open database: no path given; use storage.DefaultPath for the usual place")
	}
	if kopts.ConfigDir == "" {
		kopts.ConfigDir = filepath.Dir(path)
	}
	if kopts.LegacyDirs == nil {
		if base, err := os.UserConfigDir(); err == nil {
			kopts.LegacyDirs = []string{filepath.Join(base, "flowbench")}
		}
	}
	if kopts.MayCreate == nil {
		kopts.MayCreate = func(keyFile string) error { return refuseNewKey(ctx, path, keyFile) }
	}
	sealer, src, err := secret.LoadKey(kopts)
	if err != nil {
		return nil, secret.KeySource{}, err
	}
	opts.Sealer, opts.KeySource = sealer, src.String()
	db, err := Open(ctx, path, opts)
	return db, src, err
}

// refuseNewKey fails when the database at path exists and holds sealed
// secrets or tokens, which a new key could never open.
func refuseNewKey(ctx context.Context, path, keyFile string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	raw, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	defer raw.Close()
	var sealed int
	err = raw.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM secrets) + (SELECT count(*) FROM tokens)`).Scan(&sealed)
	if err != nil {
		// A new or foreign file without those tables holds nothing sealed.
		var n int
		if raw.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name IN ('secrets', 'tokens')`).Scan(&n) == nil && n == 0 {
			return nil
		}
		return fmt.Errorf("database %s: check for sealed secrets before making a master key: %w", path, err)
	}
	if sealed == 0 {
		return nil
	}
	return fmt.Errorf("database %s holds %d sealed secrets and tokens, but their master key was not found: no key file %s, no OS keychain entry, no %s. "+
		"Restore the key file %s from a backup (mode 0600), or set %s to the original key; no new key was made, since it could not open them. "+
		"To start afresh instead, use a new database (--db)",
		path, sealed, keyFile, secret.EnvMasterKey, keyFile, secret.EnvMasterKey)
}
