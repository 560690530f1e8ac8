package flow

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Caps on what the program reads, so a wrong path (/dev/zero, a FIFO that
// never ends, a huge file) fails at once with a clear error instead of
// exhausting memory. Every file is read through ReadFileLimit.
const (
	// MaxFlowFileBytes caps a flow file (16 MiB).
	MaxFlowFileBytes = 16 << 20
	// MaxFlowNodes caps the nodes of one flow.
	MaxFlowNodes = 20_000
	// MaxConnectionsFileBytes caps a connections file (4 MiB).
	MaxConnectionsFileBytes = 4 << 20
	// MaxMocksFileBytes caps a mocks file (16 MiB).
	MaxMocksFileBytes = 16 << 20
	// MaxInputBytes caps a trigger payload given on the command line or as a
	// file (--input @file, --payload @file): 10 MiB.
	MaxInputBytes = 10 << 20
	// MaxCAFileBytes caps a connection's caFile (1 MiB; a bundle of every
	// public root is about 220 KiB).
	MaxCAFileBytes = 1 << 20
)

// FileTooLargeError says a file is larger than the cap for its kind.
type FileTooLargeError struct {
	Path string
	Max  int64
}

func (e *FileTooLargeError) Error() string {
	return fmt.Sprintf("%s: larger than the %s this kind of file may be; check that the path names the right file, or split it", e.Path, FormatBytes(e.Max))
}

// FormatBytes writes a size as people read it: 16 MiB, 512 KiB, 100 bytes.
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ReadFileLimit reads the file at path, refusing one larger than max bytes
// with a *FileTooLargeError. It stops reading at max+1 bytes, so a device
// such as /dev/zero or a FIFO that never ends fails at once, and it refuses
// directories. Special files are read (a FIFO or /dev/stdin is a legitimate
// way to pass generated input) but never more than the cap. "-" reads
// standard input with the same cap.
func ReadFileLimit(path string, max int64) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		r = os.Stdin
		path = "standard input"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return nil, err
		}
		if st.IsDir() {
			return nil, fmt.Errorf("%s is a directory; give a file", path)
		}
		if st.Mode().IsRegular() && st.Size() > max {
			return nil, &FileTooLargeError{Path: path, Max: max}
		}
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, &FileTooLargeError{Path: path, Max: max}
	}
	return data, nil
}

// IsFileTooLarge reports whether err is (or wraps) a *FileTooLargeError.
func IsFileTooLarge(err error) bool {
	var e *FileTooLargeError
	return errors.As(err, &e)
}
