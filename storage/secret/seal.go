// Package secret keeps secret values sealed: the master key (from the
// environment, the OS keychain or a private key file) and AES-256-GCM sealing
// of each value with its name bound as associated data, so a sealed value
// copied to another row or field does not open.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
)

// KeySize is the length of the master key in bytes (AES-256).
const KeySize = 32

// sealVersion is the first byte of every sealed value, so the format can
// change later without guessing.
const sealVersion byte = 1

const nonceSize = 12

// adPrefix separates our associated data from any other use of the same key.
const adPrefix = "flowbench/secret/v1\x00"

// checkName and checkPlain make the key check value: a sealed known text
// that opens only under the key that made it.
const (
	checkName  = "flowbench/key-check"
	checkPlain = "flowbench master key check v1"
)

// ErrOpen is returned (wrapped) when a sealed value does not open: it was
// altered, it belongs to another name, or it was sealed under another key.
var ErrOpen = errors.New("the sealed value does not open")

// ErrWrongKey is returned (wrapped) by Verify when the master key is not the
// one the database was created with.
var ErrWrongKey = errors.New("the master key does not match the one this database was created with")

// Sealer seals and opens secret values with AES-256-GCM, a random 12-byte
// nonce per value and the secret's name (for example "conn/crm/value") as
// associated data. It is safe for concurrent use.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a Sealer for a 32-byte key. The key is not kept in any
// other form than the cipher's expanded key schedule.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("the master key must be %d bytes, not %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

func associatedData(name string) []byte { return []byte(adPrefix + name) }

// Seal encrypts plaintext for the secret called name. The result holds a
// version byte, the nonce and the ciphertext with its tag; it can be stored as
// is. Sealing the same value twice gives different results.
func (s *Sealer) Seal(name string, plaintext []byte) ([]byte, error) {
	if name == "" {
		return nil, errors.New("seal: a secret needs a name, which binds the sealed value to its place")
	}
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+s.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1 : 1+nonceSize]); err != nil {
		return nil, fmt.Errorf("seal %s: no randomness for the nonce: %w", name, err)
	}
	return s.aead.Seal(out, out[1:1+nonceSize], plaintext, associatedData(name)), nil
}

// Open decrypts a value sealed for name. It returns an error wrapping ErrOpen
// when the value was altered, was sealed for another name, or under another
// key; the error names the secret, never its content.
func (s *Sealer) Open(name string, sealed []byte) ([]byte, error) {
	if len(sealed) < 1+nonceSize+s.aead.Overhead() {
		return nil, fmt.Errorf("secret %q: %w: it is too short to be a sealed value", name, ErrOpen)
	}
	if sealed[0] != sealVersion {
		return nil, fmt.Errorf("secret %q: %w: unknown format version %d", name, ErrOpen, sealed[0])
	}
	plain, err := s.aead.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], associatedData(name))
	if err != nil {
		return nil, fmt.Errorf("secret %q: %w: it was altered, belongs to another secret, or was sealed under another master key", name, ErrOpen)
	}
	return plain, nil
}

// CheckValue returns a key check value: storage keeps it when the database is
// created and passes it to Verify at every start, so a wrong key is found
// before any run rather than at the first secret.
func (s *Sealer) CheckValue() []byte {
	v, err := s.Seal(checkName, []byte(checkPlain))
	if err != nil {
		// Seal fails only without randomness, and then nothing can be sealed.
		panic(err)
	}
	return v
}

// Verify reports whether check was made by CheckValue under this key. On a
// mismatch it returns an error wrapping ErrWrongKey that says what to do.
func (s *Sealer) Verify(check []byte) error {
	plain, err := s.Open(checkName, check)
	if err != nil || subtle.ConstantTimeCompare(plain, []byte(checkPlain)) != 1 {
		return fmt.Errorf("%w: sealed secrets cannot be opened. Start Flowbench with the original key "+
			"(FLOWBENCH_MASTER_KEY, the OS keychain entry %q, or the key file %s), "+
			"or use a new database; nothing was run", ErrWrongKey, keyringService+"/"+keyringUser, keyFileName)
	}
	return nil
}
