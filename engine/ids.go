package engine

import (
	"crypto/rand"
	"sync"

	"github.com/google/uuid"
)

// idSource makes the random (version 4) UUIDs of run IDs, task GUIDs and
// idempotency keys. It reads crypto/rand in batches, as uuid's process-wide
// EnableRandPool does, but for this runner only: a step then takes 16 bytes
// from memory instead of asking the kernel. The bytes are as random as
// crypto/rand's; they identify, they are not secrets.
type idSource struct {
	mu  sync.Mutex
	buf [16 * 32]byte
	off int // next unread byte of buf; len(buf) when empty
}

func newIDSource() *idSource { return &idSource{off: len(idSource{}.buf)} }

// Read fills p from the batch, refilling it from crypto/rand when it runs out.
func (s *idSource) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for n < len(p) {
		if s.off == len(s.buf) {
			if _, err := rand.Read(s.buf[:]); err != nil {
				return n, err
			}
			s.off = 0
		}
		k := copy(p[n:], s.buf[s.off:])
		s.off += k
		n += k
	}
	return n, nil
}

// NewString returns a new random UUID in its canonical text form. The
// bytes are read straight from the batch (uuid.NewRandomFromReader would take
// them through an io.Reader, which moves its array to the heap), then marked
// as version 4, RFC 4122 variant, as uuid does.
func (s *idSource) NewString() string {
	var u uuid.UUID
	if _, err := s.Read(u[:]); err != nil {
		return uuid.NewString() // crypto/rand failed: let uuid report it as it does
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u.String()
}
