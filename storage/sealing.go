package storage

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/flowbench/flowbench/flow"
)

// Connections, mocks and flows hold secret references (flow.SecretRef) in
// known fields. A literal value (from an import or a form) never reaches the
// stored document: saving seals it under a name made from the document and
// the field's path, "<kind>/<document>/<path>", and replaces it by
// {"secret": that name}. This file is the one place that does so for all
// three.

// secretHome is where one document's own sealed secrets live: names made of
// prefix and a path of depth+1 segments, so that no document's home holds
// another's, even when one document's name extends another's ("a" and
// "a/b").
type secretHome struct {
	prefix string // "conn/<name>/", "mock/<name>/", "flow/<id>/"
	depth  int    // the "/" in a path below prefix: 0 for "<field>", 1 for "<node>/<field>"
}

// connHome holds a connection's secrets: "conn/<name>/<field>", field being
// the auth field's JSON name.
func connHome(name string) secretHome { return secretHome{prefix: "conn/" + name + "/"} }

// mockHome holds a mock's secrets: "mock/<name>/<field>", field being the
// auth field's JSON name.
func mockHome(name string) secretHome { return secretHome{prefix: "mock/" + name + "/"} }

// flowHome holds a flow's secrets: "flow/<id>/<node>/<field>", field being
// the node's field path (flow.NodeSecrets: "trigger.secret", ...).
func flowHome(id string) secretHome { return secretHome{prefix: "flow/" + id + "/", depth: 1} }

// docSecret is one secret field of a document.
type docSecret struct {
	path  string // below the home's prefix: "value", "start/trigger.secret"
	where string // the field in errors: "field auth.value", `node "start", field trigger.secret`
	ref   *flow.SecretRef
}

// authSecrets lists the secret fields of a connection's or a mock's auth
// (flow.Auth.Secrets, flow.MockAuth.Secrets), each under its JSON name.
func authSecrets(refs map[string]*flow.SecretRef) []docSecret {
	out := make([]docSecret, 0, len(refs))
	for field, ref := range refs {
		out = append(out, docSecret{path: field, where: "field auth." + field, ref: ref})
	}
	return out
}

// ownRefs gives the struct v points to its own copies of every *SecretRef
// field, so sealing can rewrite them without touching the caller's value. It
// walks the struct, so a secret field added to flow.Auth or flow.MockAuth
// later is covered too.
func ownRefs(v any) {
	s := reflect.ValueOf(v).Elem()
	refType := reflect.TypeFor[*flow.SecretRef]()
	for i := range s.NumField() {
		f := s.Field(i)
		if f.Type() == refType && !f.IsNil() {
			cp := *(f.Interface().(*flow.SecretRef))
			f.Set(reflect.ValueOf(&cp))
		}
	}
}

// isLiteral reports whether ref holds a value still to be sealed.
func isLiteral(ref flow.SecretRef) bool {
	return ref.Literal != "" && ref.Secret == "" && ref.Env == ""
}

// sealTx seals, within tx, every literal among secrets under its name in
// home and replaces it by a reference to that name, in path order. With
// prune, the secrets in home that no field refers to any more are deleted
// (a document with one version; a flow's older versions may still refer to
// theirs).
func (db *DB) sealTx(ctx context.Context, tx *sql.Tx, home secretHome, secrets []docSecret, prune bool) error {
	slices.SortFunc(secrets, func(a, b docSecret) int { return strings.Compare(a.path, b.path) })
	keep := map[string]bool{}
	for _, s := range secrets {
		if isLiteral(*s.ref) {
			if strings.Count(s.path, "/") != home.depth {
				return fmt.Errorf("%s: a secret cannot be sealed under %q; use only letters, digits, _ and - in the id", s.where, s.path)
			}
			name := home.prefix + s.path
			if err := db.putSecretTx(ctx, tx, name, s.ref.Literal); err != nil {
				return fmt.Errorf("%s: %w", s.where, err)
			}
			*s.ref = flow.SecretRef{Secret: name}
		}
		if s.ref.Secret != "" {
			keep[s.ref.Secret] = true
		}
	}
	if !prune {
		return nil
	}
	old, err := home.secretsTx(ctx, tx)
	if err != nil {
		return err
	}
	for name := range old {
		if !keep[name] {
			if err := deleteSecretTx(ctx, tx, name); err != nil {
				return err
			}
		}
	}
	return nil
}

// homeSecrets selects the secrets named ?1 + a path holding ?2 "/"; length,
// substr and replace count characters alike, so any name works (LIKE would
// treat _ and % in a name as wildcards).
const homeSecrets = `SELECT name, sealed FROM secrets
	WHERE substr(name, 1, length(?1)) = ?1
	AND length(substr(name, length(?1) + 1)) - length(replace(substr(name, length(?1) + 1), '/', '')) = ?2
	ORDER BY name`

// secretsTx returns the sealed secrets in h, by name.
func (h secretHome) secretsTx(ctx context.Context, tx *sql.Tx) (map[string][]byte, error) {
	rows, err := tx.QueryContext(ctx, homeSecrets, h.prefix, h.depth)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var name string
		var sealed []byte
		if err := rows.Scan(&name, &sealed); err != nil {
			return nil, err
		}
		out[name] = sealed
	}
	return out, rows.Err()
}

func deleteSecretTx(ctx context.Context, tx *sql.Tx, name string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM secrets WHERE name = ?", name); err != nil {
		return fmt.Errorf("delete secret %q: %w", name, err)
	}
	return nil
}

// deleteTx deletes every secret in h (the document is being deleted).
func (h secretHome) deleteTx(ctx context.Context, tx *sql.Tx) error {
	old, err := h.secretsTx(ctx, tx)
	if err != nil {
		return err
	}
	for name := range old {
		if err := deleteSecretTx(ctx, tx, name); err != nil {
			return err
		}
	}
	return nil
}

// moveTx moves every secret in from to the same path in to (the document is
// being renamed) and returns the new name of each old one. Each is opened
// and sealed again, because a secret is sealed with its name as associated
// data.
func (db *DB) moveTx(ctx context.Context, tx *sql.Tx, from, to secretHome) (map[string]string, error) {
	old, err := from.secretsTx(ctx, tx)
	if err != nil {
		return nil, err
	}
	moved := make(map[string]string, len(old))
	for name, sealed := range old {
		plain, err := db.open(name, sealed)
		if err != nil {
			return nil, err
		}
		dst := to.prefix + name[len(from.prefix):]
		if err := db.putSecretTx(ctx, tx, dst, string(plain)); err != nil {
			return nil, err
		}
		if err := deleteSecretTx(ctx, tx, name); err != nil {
			return nil, err
		}
		moved[name] = dst
	}
	return moved, nil
}
