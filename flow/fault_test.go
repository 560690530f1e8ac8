package flow

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestFaultReadFileLimit(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.json")
	if err := os.WriteFile(small, []byte(`{"a": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFileLimit(small, 8); err != nil || string(b) != `{"a": 1}` {
		t.Fatalf("a file of exactly the cap: %q, %v", b, err)
	}
	_, err := ReadFileLimit(small, 7)
	var tl *FileTooLargeError
	if !errors.As(err, &tl) || tl.Path != small || tl.Max != 7 {
		t.Fatalf("a file one byte over the cap: got %v", err)
	}
	if want := small + ": larger than the 7 bytes this kind of file may be"; !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("error %q does not start with %q", err, want)
	}

	// /dev/zero never ends: the read must stop at the cap, not at memory.
	if _, err := os.Stat("/dev/zero"); err == nil {
		_, err := ReadFileLimit("/dev/zero", MaxCAFileBytes)
		if !errors.As(err, &tl) || tl.Path != "/dev/zero" || tl.Max != MaxCAFileBytes {
			t.Fatalf("/dev/zero: got %v, want a *FileTooLargeError", err)
		}
		if got, want := err.Error(), "/dev/zero: larger than the 1 MiB"; !strings.HasPrefix(got, want) {
			t.Fatalf("error %q does not start with %q", got, want)
		}
	}

	// A FIFO whose writer sends more than the cap and never closes.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		chunk := bytes.Repeat([]byte{' '}, 4096)
		for range 1024 { // 4 MiB at most, well past the cap
			select {
			case <-stop:
				return
			default:
			}
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		<-stop
	}()
	_, err = ReadFileLimit(fifo, 64<<10)
	close(stop)
	if !errors.As(err, &tl) {
		t.Fatalf("FIFO: got %v, want a *FileTooLargeError", err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the FIFO writer did not finish")
	}

	if _, err := ReadFileLimit(dir, 10); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("directory: got %v", err)
	}
}

func TestFaultDecodeFileTooLarge(t *testing.T) {
	for _, tc := range []struct {
		what   string
		max    int
		decode func([]byte) error
	}{
		{"flow", MaxFlowFileBytes, func(b []byte) error { _, err := DecodeFlow(b); return err }},
		{"connections", MaxConnectionsFileBytes, func(b []byte) error { _, err := DecodeConnections(b); return err }},
		{"mocks", MaxMocksFileBytes, func(b []byte) error { _, err := DecodeMocks(b); return err }},
	} {
		data := append([]byte(`{"format": "flowbench/v1", "x": "`), bytes.Repeat([]byte{'a'}, tc.max)...)
		data = append(data, `"}`...)
		err := tc.decode(data)
		var de *DecodeError
		if !errors.As(err, &de) || len(de.Problems) != 1 {
			t.Fatalf("%s: got %v, want one problem", tc.what, err)
		}
		want := fmt.Sprintf("more than the %s a %s file may be", FormatBytes(int64(tc.max)), tc.what)
		if !strings.Contains(de.Problems[0].Message, want) {
			t.Fatalf("%s: %q does not say %q", tc.what, de.Problems[0].Message, want)
		}
	}
}

func TestFaultTooManyNodes(t *testing.T) {
	f := genChainFlow(MaxFlowNodes + 1)
	ps := Validate(f)
	want := fmt.Sprintf("the flow has %d nodes, more than the %d a flow may have", MaxFlowNodes+1, MaxFlowNodes)
	if len(ps) != 1 || ps[0].Field != "nodes" || !strings.Contains(ps[0].Message, want) {
		t.Fatalf("Validate: got %v, want one problem on nodes saying %q", ps, want)
	}
	data, err := EncodeFlow(f)
	if err != nil {
		t.Fatal(err)
	}
	_, err = DecodeFlow(data)
	var de *DecodeError
	if !errors.As(err, &de) || len(de.Problems) != 1 || !strings.Contains(de.Problems[0].Message, want) {
		t.Fatalf("DecodeFlow: got %v", err)
	}
	// The largest flow allowed still validates.
	if ps := Validate(genChainFlow(MaxFlowNodes)); ps.HasErrors() {
		t.Fatalf("a flow of exactly %d nodes: %v", MaxFlowNodes, ps)
	}
}

func TestFaultInvalidUTF8(t *testing.T) {
	for _, tc := range []struct {
		what   string
		data   string
		decode func([]byte) error
	}{
		{"flow", "{\"format\": \"flowbench/v1\",\n  \"name\": \"caf\xe9\",\n  \"nodes\": []}", func(b []byte) error { _, err := DecodeFlow(b); return err }},
		{"connections", "{\"format\": \"flowbench/v1\",\n  \"name\": \"caf\xe9\",\n  \"connections\": []}", func(b []byte) error { _, err := DecodeConnections(b); return err }},
		{"mocks", "{\"format\": \"flowbench/v1\",\n  \"name\": \"caf\xe9\",\n  \"mocks\": []}", func(b []byte) error { _, err := DecodeMocks(b); return err }},
	} {
		err := tc.decode([]byte(tc.data))
		var de *DecodeError
		if !errors.As(err, &de) || len(de.Problems) != 1 {
			t.Fatalf("%s: got %v, want one problem", tc.what, err)
		}
		p := de.Problems[0]
		// "  \"name\": \"caf" is 14 bytes, so the bad byte is column 15 of line 2.
		if p.Line != 2 || p.Column != 15 || !strings.Contains(p.Message, "0xe9 is not valid UTF-8") {
			t.Fatalf("%s: got %+v, want line 2, column 15, naming byte 0xe9", tc.what, p)
		}
		if want := "line 2, column 15: the byte 0xe9 is not valid UTF-8"; !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: %q does not contain %q", tc.what, err, want)
		}
	}
	// Valid multi-byte text before the bad byte counts as one column each.
	_, err := DecodeFlow([]byte("{\"name\": \"é€\xff\"}"))
	var de *DecodeError
	if !errors.As(err, &de) || de.Problems[0].Line != 1 || de.Problems[0].Column != 13 {
		t.Fatalf("got %v, want line 1, column 13", err)
	}
}
