package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFaultUnboundedReads: every file the CLI reads is capped, the read
// stops at the cap (so /dev/zero fails at once), the error names the file
// and its cap, and nothing is run or written: the database is not created.
func TestFaultUnboundedReads(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	testKey(t)
	t.Setenv("CRM_TEST_KEY", "k-123")
	dir := t.TempDir()
	srv := tierServer(t, "vip")
	flowPath := writeFile(t, dir, "tier.flow.json", tierFlow)
	connPath := writeFile(t, dir, "c.connections.json", connectionsFile(srv.URL))
	caConn := writeFile(t, dir, "ca.connections.json", strings.Replace(connectionsFile(srv.URL),
		`"kind": "custom",`, `"kind": "custom", "caFile": "/dev/zero",`, 1))
	bigFlow := writeFile(t, dir, "big.flow.json", `{"format": "flowbench/v1", "name": "`+strings.Repeat("x", 16<<20)+`"}`)

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"input", []string{"run", flowPath, "--connections", connPath, "--input", "@/dev/zero"},
			"--input: /dev/zero: larger than the 10 MiB this kind of file may be"},
		{"caFile", []string{"run", flowPath, "--connections", caConn},
			`connection "crm", field caFile: /dev/zero: larger than the 1 MiB this kind of file may be`},
		{"flow", []string{"run", "/dev/zero", "--connections", connPath},
			"/dev/zero: larger than the 16 MiB this kind of file may be"},
		{"flow file on disk", []string{"run", bigFlow, "--connections", connPath},
			bigFlow + ": larger than the 16 MiB this kind of file may be"},
		{"connections", []string{"run", flowPath, "--connections", "/dev/zero"},
			"/dev/zero: larger than the 4 MiB this kind of file may be"},
		{"mocks", []string{"run", flowPath, "--connections", connPath, "--mocks", "/dev/zero"},
			"/dev/zero: larger than the 16 MiB this kind of file may be"},
		{"emit payload", []string{"emit", "e", "--payload", "@/dev/zero", "--flows", flowPath},
			"--payload: /dev/zero: larger than the 10 MiB this kind of file may be"},
		{"serve mocks", []string{"serve", "--flows", flowPath, "--mocks", "/dev/zero"},
			"/dev/zero: larger than the 16 MiB this kind of file may be"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "runs.db")
			code, _, errOut := cli(t, append(tc.args, "--db", db)...)
			if code != exitInvalid {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInvalid, errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Fatalf("stderr does not say %q:\n%s", tc.want, errOut)
			}
			if _, err := os.Stat(db); !os.IsNotExist(err) {
				t.Fatalf("the database was created (%v); files must be refused before it is opened", err)
			}
		})
	}
}

// TestFaultInvalidUTF8CLI: a flow with a Latin-1 byte is refused with its
// file, line and column, not run with U+FFFD in it.
func TestFaultInvalidUTF8CLI(t *testing.T) {
	dir := t.TempDir()
	bad := strings.Replace(tierFlow, `"name": "Tier"`, "\"name\": \"Ti\xe9r\"", 1)
	flowPath := writeFile(t, dir, "tier.flow.json", bad)
	code, _, errOut := cli(t, "validate", flowPath)
	want := flowPath + ": line 3, column 14: the byte 0xe9 is not valid UTF-8"
	if code != exitInvalid || !strings.Contains(errOut, want) {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit %d and %q", code, errOut, exitInvalid, want)
	}
}
