package storage

import (
	"context"
	"fmt"
	"os"

	"github.com/flowbench/flowbench/flow"
)

// Resolver resolves secret references outside a run (for mocks, connection
// tests and authenticators built by the commands and the app): a literal
// not sealed yet, an environment variable, or a secret sealed in DB. A nil
// DB has no sealed secrets.
type Resolver struct{ DB *DB }

// Resolve returns the value ref points to, or an error saying what is missing.
func (r Resolver) Resolve(ctx context.Context, ref flow.SecretRef) (string, error) {
	switch {
	case ref.Literal != "":
		return ref.Literal, nil
	case ref.Env != "":
		if v := os.Getenv(ref.Env); v != "" {
			return v, nil
		}
		return "", fmt.Errorf("environment variable %s is not set", ref.Env)
	case ref.Secret != "" && r.DB != nil:
		return r.DB.SecretValue(ctx, ref.Secret)
	}
	return "", fmt.Errorf("secret %s cannot be read without a database", ref)
}
