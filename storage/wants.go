package storage

import "github.com/flowbench/flowbench/flow"

// Wants reports the event kinds the recorder writes (see Recorder): the run
// snapshots, finished steps and raised events. The engine does not build or
// queue the others for it.
func (r *Recorder) Wants(kind flow.EventKind) bool {
	switch kind {
	case flow.EventRunStarted, flow.EventRunFinished, flow.EventStepFinished, flow.EventRaised:
		return true
	}
	return false
}
