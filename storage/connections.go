package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/flowbench/flowbench/flow"
)

// SaveConnection stores c, replacing a stored connection of the same name.
// Literal secret values are sealed at once under "conn/<name>/<field>" and
// replaced by {"secret": that name}, so the stored JSON never holds a value;
// secrets sealed for fields that no longer refer to them are deleted. The
// caller's c is not modified.
func (db *DB) SaveConnection(ctx context.Context, c flow.Connection) error {
	if c.Name == "" {
		return errors.New("save connection: give the connection a name")
	}
	ownRefs(&c.Auth)
	return db.saveDoc(ctx, "connections", "connection", c.Name, connHome(c.Name), authSecrets(c.Auth.Secrets()), &c)
}

// Connection returns the stored connection with that name, its secret
// fields as references; an unknown name is an error wrapping ErrNotFound.
func (db *DB) Connection(ctx context.Context, name string) (*flow.Connection, error) {
	return readDoc[flow.Connection](ctx, db, "connections", "connection", name)
}

// ListConnections returns every stored connection, by name.
func (db *DB) ListConnections(ctx context.Context) ([]flow.Connection, error) {
	return listDocs[flow.Connection](ctx, db, "connections", "connection")
}

// DeleteConnection removes the named connection and the secrets sealed for
// it ("conn/<name>/..."). Flows that call it are left as they are (see
// FlowsUsingConnection). An unknown name is an error wrapping ErrNotFound.
func (db *DB) DeleteConnection(ctx context.Context, name string) error {
	return db.deleteDoc(ctx, "connections", "name", "connection", name, connHome(name))
}

// RenameConnection renames a stored connection. Its sealed secrets move to
// "conn/<newName>/<field>": each is opened and sealed again, because a
// secret is sealed with its name as associated data. Flows keep calling the
// old name until they are edited. The old name must exist (else ErrNotFound)
// and the new one must be free.
func (db *DB) RenameConnection(ctx context.Context, oldName, newName string) error {
	if newName == "" {
		return fmt.Errorf("rename connection %q: give the new name", oldName)
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var body string
		err := tx.QueryRowContext(ctx, "SELECT doc FROM connections WHERE name = ?", oldName).Scan(&body)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if oldName == newName {
			return nil
		}
		var taken int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM connections WHERE name = ?", newName).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return fmt.Errorf("a connection named %q exists already; choose another name or delete that one first", newName)
		}
		c, err := decodeDoc[flow.Connection]("connection", oldName, body)
		if err != nil {
			return err
		}
		moved, err := db.moveTx(ctx, tx, connHome(oldName), connHome(newName))
		if err != nil {
			return err
		}
		for _, ref := range c.Auth.Secrets() {
			if to, ok := moved[ref.Secret]; ok {
				ref.Secret = to
			}
		}
		c.Name = newName
		if _, err := tx.ExecContext(ctx, "DELETE FROM connections WHERE name = ?", oldName); err != nil {
			return err
		}
		return putDocTx(ctx, tx, "connections", c.Name, c, db.now())
	})
	if err != nil {
		return fmt.Errorf("rename connection %q to %q: %w", oldName, newName, err)
	}
	return nil
}
