package flow

import "fmt"

// Defaults and bounds of a flow's limits.
const (
	// DefaultStateBytes is the default budget of a run's state (vars and
	// saved values): 32 MiB.
	DefaultStateBytes int64 = 32 << 20
	// MaxStateBytes is the largest state budget a flow may ask for: 1 GiB.
	MaxStateBytes int64 = 1 << 30
)

// Limits bound what one run of a flow may use. The zero value means the defaults.
type Limits struct {
	// StateBytes bounds the size of the run's state: every variable in vars,
	// including values saved by a call's saveTo. 0 means DefaultStateBytes.
	StateBytes int64 `json:"stateBytes,omitempty"`
}

// StateBudget returns the flow's state budget in bytes.
func (f *Flow) StateBudget() int64 {
	if f == nil || f.Limits == nil || f.Limits.StateBytes == 0 {
		return DefaultStateBytes
	}
	return f.Limits.StateBytes
}

// ValidateLimits checks the flow's limits field.
func ValidateLimits(f *Flow) Problems {
	if f == nil || f.Limits == nil {
		return nil
	}
	if n := f.Limits.StateBytes; n < 0 || n > MaxStateBytes {
		return Problems{{Severity: SeverityError, Field: "limits.stateBytes",
			Message: fmt.Sprintf("%d is not a valid state budget; give a number of bytes between 1 and %d (1 GiB), or leave it out for the default %d (32 MiB)", n, MaxStateBytes, DefaultStateBytes)}}
	}
	return nil
}
