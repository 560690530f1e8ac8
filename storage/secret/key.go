package secret

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/zalando/go-keyring"
)

// EnvMasterKey names the environment variable that holds the master key as
// base64 of 32 bytes. It wins over the keychain and the key file, so CI and
// headless runs can pass a key without either.
const EnvMasterKey = "FLOWBENCH_MASTER_KEY"

const (
	keyringService = "flowbench"
	keyringUser    = "master-key"
	keyFileName    = "master.key"
)

// Keyring is the part of an OS keychain LoadKey uses. Get returns an error
// wrapping keyring.ErrNotFound (see ErrKeyNotFound) when there is no entry.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
}

// ErrKeyNotFound is what a Keyring's Get returns (or wraps) when it holds no
// entry; it is go-keyring's own sentinel, so the OS keychain and fakes agree.
var ErrKeyNotFound = keyring.ErrNotFound

// osKeyring is the OS keychain through go-keyring.
type osKeyring struct{}

func (osKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (osKeyring) Set(service, user, password string) error {
	return keyring.Set(service, user, password)
}

// KeyOptions says where LoadKey looks. The zero value uses the real
// environment, the OS keychain and the user's config directory.
type KeyOptions struct {
	// Getenv reads an environment variable; nil means os.Getenv.
	Getenv func(string) string
	// Keyring is the keychain; nil means the OS keychain.
	Keyring Keyring
	// ConfigDir is the directory of the key file: the database's own
	// directory, so a copied directory is self-contained; "" means
	// <user config dir>/flowbench.
	ConfigDir string
	// LegacyDirs are read, in order, when ConfigDir holds no key file:
	// where earlier versions kept it. A key found there is used as it is;
	// a new key is only ever created in ConfigDir.
	LegacyDirs []string
	// MayCreate, when set, is asked before a new key is made, with the
	// path of the key file it would be; an error stops LoadKey, which then
	// returns it. It lets a database refuse a new key while it holds
	// secrets sealed with a key that is missing.
	MayCreate func(keyFile string) error
}

// KeySourceKind says where the master key came from.
type KeySourceKind int

// The places a master key comes from, in the order LoadKey tries them.
const (
	FromEnv KeySourceKind = iota + 1
	FromKeychain
	FromKeyFile
)

// KeySource says where the master key came from and whether LoadKey created it.
type KeySource struct {
	Kind KeySourceKind
	// Path is the key file's path when Kind is FromKeyFile.
	Path string
	// Created is true when no key existed and LoadKey made a new one.
	Created bool
}

// String describes the source for a log line or the about box; it never
// includes the key.
func (s KeySource) String() string {
	var d string
	switch s.Kind {
	case FromEnv:
		d = "environment variable " + EnvMasterKey
	case FromKeychain:
		d = fmt.Sprintf("OS keychain entry %s/%s", keyringService, keyringUser)
	case FromKeyFile:
		d = "key file " + s.Path
	default:
		return "no key"
	}
	if s.Created {
		d += " (created now)"
	}
	return d
}

// LoadKey finds the master key and returns a Sealer for it. The order is:
// FLOWBENCH_MASTER_KEY (base64 of 32 bytes); else the OS keychain; else a key
// file with mode 0600 in the config directory. When none holds a key, a new
// random key is stored in the keychain, or, when the keychain cannot store it
// (common on Linux servers and CI), in a new key file. A key that is present
// but malformed, or a key file others can read, is an error: there is never a
// silent fallback to another key or to plaintext.
func LoadKey(opts KeyOptions) (*Sealer, KeySource, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	kr := opts.Keyring
	if kr == nil {
		kr = osKeyring{}
	}
	dir := opts.ConfigDir
	if dir == "" {
		base, err := os.UserConfigDir()
		if err != nil {
			return nil, KeySource{}, fmt.Errorf("no place for the master key file: %v; set %s to a base64 key of 32 bytes (for example `openssl rand -base64 32`)", err, EnvMasterKey)
		}
		dir = filepath.Join(base, "flowbench")
	}
	path := filepath.Join(dir, keyFileName)

	if v := strings.TrimSpace(getenv(EnvMasterKey)); v != "" {
		key, err := decodeKey(v)
		if err != nil {
			return nil, KeySource{}, fmt.Errorf("%s is set but %v; set it to base64 of 32 random bytes (for example `openssl rand -base64 32`) or unset it to use the keychain or key file", EnvMasterKey, err)
		}
		s, err := NewSealer(key)
		return s, KeySource{Kind: FromEnv}, err
	}

	stored, kerr := kr.Get(keyringService, keyringUser)
	if kerr == nil {
		key, err := decodeKey(strings.TrimSpace(stored))
		if err != nil {
			return nil, KeySource{}, fmt.Errorf("the OS keychain entry %s/%s %v; restore the original key there, or set %s", keyringService, keyringUser, err, EnvMasterKey)
		}
		s, err := NewSealer(key)
		return s, KeySource{Kind: FromKeychain}, err
	}

	for _, p := range append([]string{path}, legacyPaths(opts.LegacyDirs, path)...) {
		if key, err := readKeyFile(p); err == nil {
			s, err := NewSealer(key)
			return s, KeySource{Kind: FromKeyFile, Path: p}, err
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, KeySource{}, err
		}
	}
	if opts.MayCreate != nil {
		if err := opts.MayCreate(path); err != nil {
			return nil, KeySource{}, err
		}
	}

	// No key anywhere: make one. Only a keychain that answered "not found"
	// is asked to store it; one that failed otherwise (locked, no service)
	// might hold a key we could not read, which must not be overwritten.
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, KeySource{}, fmt.Errorf("cannot make a master key: %v", err)
	}
	enc := base64.StdEncoding.EncodeToString(key)
	if errors.Is(kerr, ErrKeyNotFound) {
		if err := kr.Set(keyringService, keyringUser, enc); err == nil {
			// Read it back: some keychains accept a Set they do not keep.
			if back, err := kr.Get(keyringService, keyringUser); err == nil && strings.TrimSpace(back) == enc {
				s, err := NewSealer(key)
				return s, KeySource{Kind: FromKeychain, Created: true}, err
			}
		}
	}
	if err := writeKeyFile(dir, path, enc); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another Flowbench created it first: use that one.
			key, err := readKeyFile(path)
			if err != nil {
				return nil, KeySource{}, err
			}
			s, err := NewSealer(key)
			return s, KeySource{Kind: FromKeyFile, Path: path}, err
		}
		return nil, KeySource{}, fmt.Errorf("no OS keychain is available and the key file %s cannot be created: %v; set %s to a base64 key of 32 bytes instead", path, err, EnvMasterKey)
	}
	s, err := NewSealer(key)
	return s, KeySource{Kind: FromKeyFile, Path: path, Created: true}, err
}

// legacyPaths are the key files in dirs other than the one at path.
func legacyPaths(dirs []string, path string) []string {
	var out []string
	for _, d := range dirs {
		if d == "" {
			continue
		}
		if p := filepath.Join(d, keyFileName); filepath.Clean(p) != filepath.Clean(path) {
			out = append(out, p)
		}
	}
	return out
}

// KeyFileName is the name of the master key file in its directory.
const KeyFileName = keyFileName

// decodeKey reads base64 (standard or URL alphabet, padded or not) of exactly
// 32 bytes. Its errors describe the shape, never the content.
func decodeKey(v string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil {
			if len(b) != KeySize {
				return nil, fmt.Errorf("holds %d bytes once base64-decoded, not %d", len(b), KeySize)
			}
			return b, nil
		}
	}
	return nil, errors.New("is not valid base64")
}

// readKeyFile reads the key file, refusing one that other users can read or
// write: a key anyone on the machine can read protects nothing.
func readKeyFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("the master key file %s is not a regular file; remove it or set %s", path, EnvMasterKey)
	}
	if perm := info.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fmt.Errorf("the master key file %s has permissions %04o, so other users can read it; run `chmod 600 %s` and consider the key exposed if others could log in", path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the master key file %s: %v", path, err)
	}
	key, err := decodeKey(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("the master key file %s %v; restore the original file or set %s", path, err, EnvMasterKey)
	}
	return key, nil
}

// writeKeyFile creates the key file with mode 0600, failing with fs.ErrExist
// if it already exists so two starting processes never make two keys.
func writeKeyFile(dir, path, enc string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(enc + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}
