package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// keyCheckMeta is the meta row holding the Sealer's check value, written by
// the first open with a key, so a later open with another key is refused
// before it seals anything the right key could not read.
const keyCheckMeta = "key_check"

// tokenPrefix is the associated-data prefix tokens are sealed under.
const tokenPrefix = "token/"

// verifyKey refuses a Sealer whose key differs from the one the file was
// first opened with. It runs before migrations and writes nothing.
func (db *DB) verifyKey(ctx context.Context) error {
	if db.sealer == nil {
		return nil
	}
	v, err := schemaVersion(ctx, db.w)
	if err != nil {
		return fmt.Errorf("database %s: read schema version: %w", db.path, err)
	}
	if v == 0 {
		return nil // a new file: nothing sealed yet
	}
	var check []byte
	err = db.w.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", keyCheckMeta).Scan(&check)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // opened only without a key so far
	}
	if err != nil {
		return fmt.Errorf("database %s: read the key check value: %w", db.path, err)
	}
	return db.checkKey(check)
}

func (db *DB) checkKey(check []byte) error {
	if err := db.sealer.Verify(check); err != nil {
		return fmt.Errorf("database %s: %w%s", db.path, err, db.keyInUse())
	}
	return nil
}

// storeKeyCheck records the Sealer's check value on the first keyed open.
func (db *DB) storeKeyCheck(ctx context.Context) error {
	if db.sealer == nil {
		return nil
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		var check []byte
		err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", keyCheckMeta).Scan(&check)
		switch {
		case err == nil:
			// Another process may have stored it since verifyKey looked.
			return db.checkKey(check)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("database %s: read the key check value: %w", db.path, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO meta(key, value) VALUES(?, ?)", keyCheckMeta, db.sealer.CheckValue()); err != nil {
			return fmt.Errorf("database %s: store the key check value: %w", db.path, err)
		}
		return nil
	})
}

// checkSecrets opens every sealed secret once, so an altered row is reported
// when the database opens rather than in the middle of a run.
func (db *DB) checkSecrets(ctx context.Context) error {
	if db.sealer == nil {
		return nil
	}
	rows, err := db.r.QueryContext(ctx, "SELECT name, sealed FROM secrets ORDER BY name")
	if err != nil {
		return fmt.Errorf("database %s: read secrets: %w", db.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var sealed []byte
		if err := rows.Scan(&name, &sealed); err != nil {
			return fmt.Errorf("database %s: read secrets: %w", db.path, err)
		}
		if _, err := db.sealer.Open(name, sealed); err != nil {
			return fmt.Errorf("database %s: %w: %w; restore the file from a backup, or delete that secret's row and enter it again%s", db.path, ErrCorruptSecret, err, db.keyInUse())
		}
	}
	return rows.Err()
}

// seal seals value under name, or fails with ErrNoKey.
func (db *DB) seal(name, value string) ([]byte, error) {
	if db.sealer == nil {
		return nil, fmt.Errorf("secret %q: %w", name, ErrNoKey)
	}
	sealed, err := db.sealer.Seal(name, []byte(value))
	if err != nil {
		return nil, fmt.Errorf("seal secret %q: %w", name, err)
	}
	return sealed, nil
}

// open opens a sealed value stored under name.
func (db *DB) open(name string, sealed []byte) ([]byte, error) {
	if db.sealer == nil {
		return nil, fmt.Errorf("secret %q: %w", name, ErrNoKey)
	}
	plain, err := db.sealer.Open(name, sealed)
	if err != nil {
		return nil, fmt.Errorf("%w: %w; enter the secret again or restore the database from a backup%s", ErrCorruptSecret, err, db.keyInUse())
	}
	return plain, nil
}

// putSecretTx seals value under name and upserts it within tx.
func (db *DB) putSecretTx(ctx context.Context, tx *sql.Tx, name, value string) error {
	sealed, err := db.seal(name, value)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO secrets(name, sealed, updated_at) VALUES(?, ?, ?)
		ON CONFLICT(name) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`,
		name, sealed, unixNano(db.now()))
	if err != nil {
		return fmt.Errorf("store secret %q: %w", name, err)
	}
	return nil
}

// PutSecret seals value and stores it under name, replacing any value the
// name had. The plaintext never reaches the file.
func (db *DB) PutSecret(ctx context.Context, name, value string) error {
	if name == "" {
		return errors.New("store secret: give the secret a name")
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error { return db.putSecretTx(ctx, tx, name, value) })
}

// SecretValue opens the secret stored under name. A missing secret is an
// error wrapping ErrNotFound that names it; the engine uses this as its
// SecretSource.
func (db *DB) SecretValue(ctx context.Context, name string) (string, error) {
	if db.sealer == nil {
		return "", fmt.Errorf("secret %q: %w", name, ErrNoKey)
	}
	var sealed []byte
	err := db.r.QueryRowContext(ctx, "SELECT sealed FROM secrets WHERE name = ?", name).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("secret %q: %w in the sealed store; add it in the Secrets view or refer to an environment variable instead", name, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("read secret %q: %w", name, err)
	}
	plain, err := db.open(name, sealed)
	if err != nil {
		return "", err
	}
	return string(plain), nil
}

// DeleteSecret removes the secret stored under name; a missing one is an
// error wrapping ErrNotFound.
func (db *DB) DeleteSecret(ctx context.Context, name string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM secrets WHERE name = ?", name)
		if err != nil {
			return fmt.Errorf("delete secret %q: %w", name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("delete secret %q: %w", name, ErrNotFound)
		}
		return nil
	})
}

// ListSecrets returns the names of the stored secrets, sorted. Values are
// never listed; cached OAuth tokens are not secrets and are not listed.
func (db *DB) ListSecrets(ctx context.Context) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT name FROM secrets ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("list secrets: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("list secrets: %w", err)
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// LoadToken returns the cached OAuth token stored under key (the engine's
// auth.TokenStore). A missing token is an error wrapping ErrNotFound.
func (db *DB) LoadToken(ctx context.Context, key string) ([]byte, error) {
	if db.sealer == nil {
		return nil, fmt.Errorf("token %q: %w", key, ErrNoKey)
	}
	var sealed []byte
	err := db.r.QueryRowContext(ctx, "SELECT sealed FROM tokens WHERE key = ?", key).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("token %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read token %q: %w", key, err)
	}
	return db.open(tokenPrefix+key, sealed)
}

// SaveToken seals token under "token/<key>" and caches it; an empty token
// removes the cached one.
func (db *DB) SaveToken(ctx context.Context, key string, token []byte) error {
	if len(token) == 0 {
		return db.writeTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "DELETE FROM tokens WHERE key = ?", key)
			return err
		})
	}
	if db.sealer == nil {
		return fmt.Errorf("token %q: %w", key, ErrNoKey)
	}
	sealed, err := db.sealer.Seal(tokenPrefix+key, token)
	if err != nil {
		return fmt.Errorf("seal token %q: %w", key, err)
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO tokens(key, sealed, updated_at) VALUES(?, ?, ?)
			ON CONFLICT(key) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`,
			key, sealed, unixNano(db.now()))
		if err != nil {
			return fmt.Errorf("store token %q: %w", key, err)
		}
		return nil
	})
}

// keyInUse names where the key in use came from, for errors about secrets
// that do not open.
func (db *DB) keyInUse() string {
	if db.keySrc == "" {
		return ""
	}
	return " (the key in use: " + db.keySrc + ")"
}
