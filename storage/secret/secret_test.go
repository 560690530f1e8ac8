package secret

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func randomKey(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func newSealer(t *testing.T) *Sealer {
	t.Helper()
	s, err := NewSealer(randomKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// canary returns a random secret and every encoding in which it must not leak.
func canary(t *testing.T) (string, []string) {
	t.Helper()
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	v := "canary-" + base64.RawURLEncoding.EncodeToString(b)
	return v, []string{v, base64.StdEncoding.EncodeToString([]byte(v)), hex.EncodeToString([]byte(v)), url.QueryEscape(v)}
}

func assertNoCanary(t *testing.T, where, text string, forms []string) {
	t.Helper()
	for _, f := range forms {
		if strings.Contains(text, f) {
			t.Fatalf("%s contains a secret (form %q)", where, f)
		}
	}
}

func TestNewSealerKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			if _, err := NewSealer(make([]byte, n)); err == nil {
				t.Fatalf("a %d-byte key was accepted", n)
			}
		})
	}
}

func TestSealOpen(t *testing.T) {
	s := newSealer(t)
	other := newSealer(t)
	value, forms := canary(t)
	sealed, err := s.Seal("conn/crm/value", []byte(value))
	if err != nil {
		t.Fatal(err)
	}
	assertNoCanary(t, "the sealed value", string(sealed), forms)

	t.Run("round trip", func(t *testing.T) {
		got, err := s.Open("conn/crm/value", sealed)
		if err != nil || string(got) != value {
			t.Fatalf("Open = %q, %v; want the sealed value back", got, err)
		}
	})
	t.Run("empty value", func(t *testing.T) {
		sv, err := s.Seal("conn/x/token", nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Open("conn/x/token", sv)
		if err != nil || len(got) != 0 {
			t.Fatalf("Open = %q, %v", got, err)
		}
	})
	t.Run("random nonce", func(t *testing.T) {
		again, err := s.Seal("conn/crm/value", []byte(value))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(again, sealed) || bytes.Equal(again[1:13], sealed[1:13]) {
			t.Fatal("sealing the same value twice gave the same nonce")
		}
	})

	fails := []struct {
		name   string
		sealer *Sealer
		secret string
		value  func() []byte
	}{
		{"flipped bit in ciphertext", s, "conn/crm/value", func() []byte { b := bytes.Clone(sealed); b[len(b)/2] ^= 0x01; return b }},
		{"flipped bit in nonce", s, "conn/crm/value", func() []byte { b := bytes.Clone(sealed); b[3] ^= 0x80; return b }},
		{"flipped bit in tag", s, "conn/crm/value", func() []byte { b := bytes.Clone(sealed); b[len(b)-1] ^= 0x01; return b }},
		{"moved to another field", s, "conn/crm/token", func() []byte { return sealed }},
		{"moved to another connection", s, "conn/billing/value", func() []byte { return sealed }},
		{"wrong key", other, "conn/crm/value", func() []byte { return sealed }},
		{"truncated", s, "conn/crm/value", func() []byte { return sealed[:10] }},
		{"unknown version", s, "conn/crm/value", func() []byte { b := bytes.Clone(sealed); b[0] = 9; return b }},
		{"empty", s, "conn/crm/value", func() []byte { return nil }},
	}
	for _, tc := range fails {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.sealer.Open(tc.secret, tc.value())
			if !errors.Is(err, ErrOpen) {
				t.Fatalf("Open = %q, %v; want ErrOpen", got, err)
			}
			if !strings.Contains(err.Error(), tc.secret) {
				t.Errorf("error %q does not name the secret %q", err, tc.secret)
			}
			assertNoCanary(t, "the error", err.Error(), forms)
		})
	}

	t.Run("swapped between rows", func(t *testing.T) {
		a, _ := s.Seal("conn/a/value", []byte("value of a"))
		b, _ := s.Seal("conn/b/value", []byte("value of b"))
		if _, err := s.Open("conn/a/value", b); !errors.Is(err, ErrOpen) {
			t.Fatalf("b's value opened as a's: %v", err)
		}
		if _, err := s.Open("conn/b/value", a); !errors.Is(err, ErrOpen) {
			t.Fatalf("a's value opened as b's: %v", err)
		}
	})
}

func TestSealConcurrent(t *testing.T) {
	s := newSealer(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				name := fmt.Sprintf("conn/%d/%d", i, j)
				v, err := s.Seal(name, []byte(name))
				if err != nil {
					t.Error(err)
					return
				}
				if got, err := s.Open(name, v); err != nil || string(got) != name {
					t.Errorf("Open(%s) = %q, %v", name, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestCheckValue(t *testing.T) {
	key := randomKey(t)
	s, _ := NewSealer(key)
	check := s.CheckValue()
	same, _ := NewSealer(key)
	if err := same.Verify(check); err != nil {
		t.Fatalf("the same key failed its own check value: %v", err)
	}
	wrong := newSealer(t)
	err := wrong.Verify(check)
	if !errors.Is(err, ErrWrongKey) {
		t.Fatalf("Verify with a wrong key = %v; want ErrWrongKey", err)
	}
	for _, want := range []string{EnvMasterKey, "keychain", "key file", "nothing was run"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the wrong-key message %q does not mention %q", err, want)
		}
	}
	if err := s.Verify(nil); !errors.Is(err, ErrWrongKey) {
		t.Errorf("Verify(nil) = %v; want ErrWrongKey", err)
	}
}

// fakeKeyring is an in-memory keychain; getErr and setErr simulate a
// keychain that is missing or locked.
type fakeKeyring struct {
	mu     sync.Mutex
	data   map[string]string
	getErr error
	setErr error
	sets   int
}

func (f *fakeKeyring) Get(service, user string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.getErr != nil {
		return "", f.getErr
	}
	v, ok := f.data[service+"/"+user]
	if !ok {
		return "", ErrKeyNotFound
	}
	return v, nil
}

func (f *fakeKeyring) Set(service, user, password string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sets++
	if f.setErr != nil {
		return f.setErr
	}
	if f.data == nil {
		f.data = map[string]string{}
	}
	f.data[service+"/"+user] = password
	return nil
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// sameKey reports whether two sealers hold the same key.
func sameKey(t *testing.T, a, b *Sealer) bool {
	t.Helper()
	return b.Verify(a.CheckValue()) == nil
}

func writeFile(t *testing.T, dir string, key []byte, perm os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, keyFileName)
	if err := os.WriteFile(p, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, perm); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadKeyPrecedence(t *testing.T) {
	envKey, chainKey, fileKey := randomKey(t), randomKey(t), randomKey(t)
	envSealer, _ := NewSealer(envKey)
	chainSealer, _ := NewSealer(chainKey)
	fileSealer, _ := NewSealer(fileKey)
	b64 := base64.StdEncoding.EncodeToString

	cases := []struct {
		name     string
		env      map[string]string
		chain    *fakeKeyring
		file     bool
		want     *Sealer
		wantKind KeySourceKind
	}{
		{"env over keychain and file", map[string]string{EnvMasterKey: b64(envKey)},
			&fakeKeyring{data: map[string]string{"flowbench/master-key": b64(chainKey)}}, true, envSealer, FromEnv},
		{"env in URL alphabet without padding", map[string]string{EnvMasterKey: base64.RawURLEncoding.EncodeToString(envKey)},
			&fakeKeyring{}, false, envSealer, FromEnv},
		{"keychain over file", nil,
			&fakeKeyring{data: map[string]string{"flowbench/master-key": b64(chainKey)}}, true, chainSealer, FromKeychain},
		{"file when the keychain is empty", nil, &fakeKeyring{}, true, fileSealer, FromKeyFile},
		{"file when the keychain is unavailable", nil,
			&fakeKeyring{getErr: errors.New("no secret service on the bus")}, true, fileSealer, FromKeyFile},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.file {
				writeFile(t, dir, fileKey, 0o600)
			}
			s, src, err := LoadKey(KeyOptions{Getenv: env(tc.env), Keyring: tc.chain, ConfigDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if src.Kind != tc.wantKind || src.Created {
				t.Fatalf("source = %v; want kind %d, not created", src, tc.wantKind)
			}
			if !sameKey(t, tc.want, s) {
				t.Fatal("LoadKey returned another key than the source it names")
			}
			if tc.chain.sets != 0 {
				t.Errorf("an existing key was written to the keychain %d times", tc.chain.sets)
			}
		})
	}
}

func TestLoadKeyCreates(t *testing.T) {
	t.Run("in the keychain when it works", func(t *testing.T) {
		dir := t.TempDir()
		kr := &fakeKeyring{}
		s, src, err := LoadKey(KeyOptions{Getenv: env(nil), Keyring: kr, ConfigDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if src.Kind != FromKeychain || !src.Created {
			t.Fatalf("source = %v; want a new keychain entry", src)
		}
		if _, err := os.Stat(filepath.Join(dir, keyFileName)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a key file was written although the keychain holds the key: %v", err)
		}
		again, src2, err := LoadKey(KeyOptions{Getenv: env(nil), Keyring: kr, ConfigDir: dir})
		if err != nil || src2.Kind != FromKeychain || src2.Created || !sameKey(t, s, again) {
			t.Fatalf("second start: %v, %v; want the same keychain key", src2, err)
		}
	})
	t.Run("in a 0600 file when the keychain cannot store", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "flowbench")
		kr := &fakeKeyring{setErr: errors.New("keychain is read-only")}
		s, src, err := LoadKey(KeyOptions{Getenv: env(nil), Keyring: kr, ConfigDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, keyFileName)
		if src.Kind != FromKeyFile || !src.Created || src.Path != path {
			t.Fatalf("source = %v; want a new key file at %s", src, path)
		}
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
			t.Fatalf("key file mode = %04o; want 0600", info.Mode().Perm())
		}
		again, src2, err := LoadKey(KeyOptions{Getenv: env(nil), Keyring: kr, ConfigDir: dir})
		if err != nil || src2.Kind != FromKeyFile || src2.Created || !sameKey(t, s, again) {
			t.Fatalf("second start: %v, %v; want the same key from the file", src2, err)
		}
	})
	t.Run("never overwrites a keychain that failed to answer", func(t *testing.T) {
		dir := t.TempDir()
		kr := &fakeKeyring{getErr: errors.New("keychain locked")}
		_, src, err := LoadKey(KeyOptions{Getenv: env(nil), Keyring: kr, ConfigDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if kr.sets != 0 || src.Kind != FromKeyFile {
			t.Fatalf("source %v after %d keychain writes; want a key file and no write", src, kr.sets)
		}
	})
}

func TestLoadKeyRefuses(t *testing.T) {
	good := randomKey(t)
	cases := []struct {
		name  string
		env   map[string]string
		chain *fakeKeyring
		setup func(t *testing.T, dir string)
		want  []string
	}{
		{"env not base64", map[string]string{EnvMasterKey: "not base64 !!"}, &fakeKeyring{}, nil,
			[]string{EnvMasterKey, "base64"}},
		{"env of 16 bytes", map[string]string{EnvMasterKey: base64.StdEncoding.EncodeToString(good[:16])}, &fakeKeyring{}, nil,
			[]string{EnvMasterKey, "16 bytes"}},
		{"keychain entry malformed", nil, &fakeKeyring{data: map[string]string{"flowbench/master-key": "short"}}, nil,
			[]string{"keychain"}},
		{"key file readable by others", nil, &fakeKeyring{}, func(t *testing.T, dir string) { writeFile(t, dir, good, 0o644) },
			[]string{"0644", "chmod 600"}},
		{"key file malformed", nil, &fakeKeyring{}, func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, keyFileName), []byte("garbage"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, []string{keyFileName, "base64"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && strings.Contains(tc.name, "readable") {
				t.Skip("file modes do not apply on Windows")
			}
			dir := t.TempDir()
			if tc.setup != nil {
				tc.setup(t, dir)
			}
			s, _, err := LoadKey(KeyOptions{Getenv: env(tc.env), Keyring: tc.chain, ConfigDir: dir})
			if err == nil {
				t.Fatalf("LoadKey accepted it (sealer %v)", s != nil)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if tc.chain.sets != 0 {
				t.Errorf("the keychain was written %d times after a refusal", tc.chain.sets)
			}
		})
	}
}

func TestErrorsNeverHoldTheKey(t *testing.T) {
	key := randomKey(t)
	forms := []string{base64.StdEncoding.EncodeToString(key), base64.RawStdEncoding.EncodeToString(key), hex.EncodeToString(key)}
	// A 33-byte value whose prefix is the key: its error must describe the
	// shape without echoing the content.
	long := base64.StdEncoding.EncodeToString(append(bytes.Clone(key), 7))
	_, _, err := LoadKey(KeyOptions{Getenv: env(map[string]string{EnvMasterKey: long}), Keyring: &fakeKeyring{}, ConfigDir: t.TempDir()})
	if err == nil {
		t.Fatal("a 33-byte key was accepted")
	}
	assertNoCanary(t, "the error", err.Error(), append(forms, long))
}

func ExampleSealer() {
	key := make([]byte, KeySize) // in the app: LoadKey
	s, _ := NewSealer(key)
	sealed, _ := s.Seal("conn/crm/value", []byte("api key"))
	_, err := s.Open("conn/billing/value", sealed)
	fmt.Println(errors.Is(err, ErrOpen))
	plain, _ := s.Open("conn/crm/value", sealed)
	fmt.Println(string(plain))
	// Output:
	// true
	// api key
}
