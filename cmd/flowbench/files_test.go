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

// TestFaultConnectionChecks: validate --connections checks what each auth
// type needs with the engine's rules (flow.CheckConnection), so a connection
// the engine would refuse at its first call is refused here, with exit 2
// naming the connection and the field.
func TestFaultConnectionChecks(t *testing.T) {
	dir := t.TempDir()
	flowPath := writeFile(t, dir, "tier.flow.json", tierFlow)
	secret := `{"env": "CRM_TEST_KEY"}`
	cases := []struct {
		name, conn, want string
	}{
		{"sigv4 without region", `"kind": "custom", "baseURL": "https://api.example.com",
			"auth": {"type": "awsSigV4", "accessKeyId": "AKID", "secretAccessKey": ` + secret + `, "service": "execute-api"}`,
			`connection "crm", field region: awsSigV4 auth (the signature is scoped to a region) needs its AWS region`},
		{"sigv4 without service", `"kind": "custom", "baseURL": "https://api.example.com", "region": "eu-west-1",
			"auth": {"type": "awsSigV4", "accessKeyId": "AKID", "secretAccessKey": ` + secret + `}`,
			`connection "crm", field auth.service: awsSigV4 auth needs the AWS service`},
		{"user:password in baseURL", `"kind": "custom", "baseURL": "https://bob:hunter2@api.example.com", "auth": {"type": "none"}`,
			`connection "crm", field baseURL: the URL carries a user name or password`},
		{"user:password in tokenURL", `"kind": "custom", "baseURL": "https://api.example.com",
			"auth": {"type": "oauth2", "clientId": "c", "clientSecret": ` + secret + `, "tokenURL": "https://bob:hunter2@auth.example.com/token"}`,
			`connection "crm", field auth.tokenURL: the URL carries a user name or password`},
		{"amazonConnect bad region", `"kind": "amazonConnect", "region": "evil.com/x", "auth": {"type": "awsSigV4", "accessKeyId": "AKID", "secretAccessKey": ` + secret + `}`,
			`connection "crm", field region: "evil.com/x" is not an AWS region name`},
		{"apiKey bad header name", `"kind": "custom", "baseURL": "https://api.example.com",
			"auth": {"type": "apiKey", "in": "header", "name": "x api key", "value": ` + secret + `}`,
			`connection "crm", field auth.name: "x api key" is not a valid HTTP header name`},
		{"apiKey without value", `"kind": "custom", "baseURL": "https://api.example.com", "auth": {"type": "apiKey", "in": "header", "name": "k"}`,
			`connection "crm", field auth.value: apiKey auth needs the key`},
		{"oauth2 without tokenURL", `"kind": "custom", "baseURL": "https://api.example.com", "auth": {"type": "oauth2", "clientId": "c", "clientSecret": ` + secret + `}`,
			`connection "crm", field auth.tokenURL: oauth2 auth needs the tokenURL`},
		{"basic user with colon", `"kind": "custom", "baseURL": "https://api.example.com", "auth": {"type": "basic", "username": "a:b", "password": ` + secret + `}`,
			`connection "crm", field auth.username: must not contain ":"`},
		{"bearer without token", `"kind": "custom", "baseURL": "https://api.example.com", "auth": {"type": "bearer"}`,
			`connection "crm", field auth.token: bearer auth needs a token`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			connPath := writeFile(t, t.TempDir(), "c.connections.json",
				`{"format": "flowbench/v1", "connections": [{"name": "crm", `+tc.conn+`}]}`)
			code, out, errOut := cli(t, "validate", flowPath, "--connections", connPath)
			if code != exitInvalid || !strings.Contains(errOut, connPath+": "+tc.want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant exit %d and %q", code, errOut, exitInvalid, tc.want)
			}
			if strings.Contains(out+errOut, "hunter2") {
				t.Fatal("the password in the URL was printed")
			}
		})
	}
}

// TestFaultConnectionErrorReadsOnce: a connection that fails at run time
// (here its key's environment variable is unset) is named once, not
// `connection "crm": connection "crm": ...`.
func TestFaultConnectionErrorReadsOnce(t *testing.T) {
	testKey(t)
	t.Setenv("CRM_TEST_KEY", "")
	os.Unsetenv("CRM_TEST_KEY")
	dir := t.TempDir()
	srv := tierServer(t, "vip")
	flowPath := writeFile(t, dir, "tier.flow.json", tierFlow)
	connPath := writeFile(t, dir, "c.connections.json", connectionsFile(srv.URL))
	code, out, errOut := cli(t, "run", flowPath, "--connections", connPath, "--db", "")
	all := out + errOut
	// The call takes its failure path, so the run itself succeeds.
	if code != exitOK || !strings.Contains(all, `failure path: connection "crm": auth.value (env:CRM_TEST_KEY) cannot be read`) {
		t.Fatalf("exit %d, output:\n%s", code, all)
	}
	if n := strings.Count(all, `connection "crm"`); n != 1 {
		t.Fatalf("the connection is named %d times, want once:\n%s", n, all)
	}
}
