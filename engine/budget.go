package engine

import (
	"fmt"
	"math"

	"github.com/flowbench/flowbench/flow"
)

// stateBudget bounds the size of a run's state (vars, including values saved
// by saveTo). It keeps the size of each variable, so an assignment measures
// only the value assigned, never the whole state.
type stateBudget struct {
	limit int64
	total int64
	sizes map[string]int64
}

// setVar stores v as vars[name] if the state stays within the budget; otherwise
// it leaves vars as they were and returns an error naming the variable, the
// size the state would have had and the limit.
func (x *execution) setVar(name string, v any) error {
	b := &x.state
	if b.limit <= 0 {
		b.limit = flow.DefaultStateBytes
	}
	// Measuring walks only the value assigned (already in memory, and no
	// larger than twice the budget when an expression doubles it).
	size := sizeOf(v, math.MaxInt64/2)
	next := b.total - b.sizes[name] + size
	if next > b.limit {
		sizes := []string{humanBytes(next), humanBytes(size), humanBytes(b.limit)}
		if sizes[0] == sizes[2] {
			// Just over the limit: rounding would show the same size twice.
			sizes = []string{fmt.Sprintf("%d bytes", next), fmt.Sprintf("%d bytes", size), fmt.Sprintf("%s (%d bytes)", sizes[2], b.limit)}
		}
		return fmt.Errorf("vars.%s: the run's state would be %s (this value %s), over the flow's %s limit (limits.stateBytes); keep less in vars, or raise limits.stateBytes in the flow file", name, sizes[0], sizes[1], sizes[2])
	}
	if b.sizes == nil {
		b.sizes = map[string]int64{}
	}
	b.sizes[name] = size
	b.total = next
	x.act.Vars[name] = v
	return nil
}

// sizeOf estimates the memory a plain value (as expressions and decoded JSON
// give them) holds: the bytes of strings and keys, 8 per scalar, 16 per list
// or object element for its slot. It stops counting past max.
func sizeOf(v any, max int64) int64 {
	var n int64
	var walk func(v any)
	walk = func(v any) {
		if n > max {
			return
		}
		switch x := v.(type) {
		case string:
			n += int64(len(x)) + 16
		case []byte:
			n += int64(len(x)) + 24
		case map[string]any:
			n += 48
			for k, e := range x {
				n += int64(len(k)) + 16
				walk(e)
				if n > max {
					return
				}
			}
		case []any:
			n += 24
			for _, e := range x {
				n += 16
				walk(e)
				if n > max {
					return
				}
			}
		default:
			n += 8
		}
	}
	walk(v)
	return n
}

// humanBytes writes a size as people read it: 512 bytes, 3.5 KiB, 40.1 MiB.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<30))) + " GiB"
	case n >= 1<<20:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<20))) + " MiB"
	case n >= 1<<10:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<10))) + " KiB"
	}
	return fmt.Sprintf("%d bytes", n)
}

func trimZero(s string) string {
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		return s[:len(s)-2]
	}
	return s
}
