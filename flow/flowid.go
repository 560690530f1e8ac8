package flow

import (
	"path/filepath"

	"github.com/google/uuid"
)

// FileFlowID returns the id of a flow file that has none: a name-based UUID
// (version 5) of the file's canonical name (absolute and cleaned), so each
// run of the same file has the same flow.id (and the chatbot contract's
// chatBotId), and another file another one. A path that cannot be made
// absolute is used as given.
func FileFlowID(path string) string {
	canonical := filepath.Clean(path)
	if abs, err := filepath.Abs(path); err == nil {
		canonical = abs
	}
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("file://"+filepath.ToSlash(canonical))).String()
}
