package engine

import (
	"testing"

	"github.com/google/uuid"
)

// TestIDSourceMakesDistinctV4UUIDs draws past several batch refills.
func TestIDSourceMakesDistinctV4UUIDs(t *testing.T) {
	s := newIDSource()
	seen := map[string]bool{}
	for i := 0; i < 5000; i++ {
		id := s.NewString()
		u, err := uuid.Parse(id)
		if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 || len(id) != 36 {
			t.Fatalf("%q is not a version 4 UUID: %v", id, err)
		}
		if seen[id] {
			t.Fatalf("%q came twice", id)
		}
		seen[id] = true
	}
	// Reads that straddle a refill are whole.
	p := make([]byte, 100)
	for i := 0; i < 20; i++ {
		if n, err := s.Read(p); n != len(p) || err != nil {
			t.Fatalf("Read = %d, %v", n, err)
		}
	}
}
