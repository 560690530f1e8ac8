package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// flowSet is what emit and serve work on: the flows and connections given as
// files, else the ones stored in the app.
type flowSet struct {
	flowArgs []string // files or folders of *.flow.json
	connPath string   // a connections file, or ""
	conns    []flow.Connection
	docs     []*flow.Flow
	names    []string // where each doc came from, for problems
}

// readFiles reads every file given, collecting every problem; it writes nothing.
func (s *flowSet) readFiles() []string {
	var problems []string
	if s.connPath != "" {
		cf, err := readConnections(s.connPath)
		if err != nil {
			problems = append(problems, problemLines(s.connPath, err)...)
		} else {
			s.conns = cf.Connections
		}
	}
	for _, p := range s.flowArgs {
		files, err := flowFiles(p)
		if err != nil {
			problems = append(problems, err.Error())
		}
		for _, file := range files {
			f, _, ps := loadFiles(file, "")
			problems = append(problems, ps...)
			if f != nil {
				s.docs, s.names = append(s.docs, f), append(s.names, file)
			}
		}
	}
	return problems
}

// errNoFlows is returned by compile when neither files nor a database give flows.
var errNoFlows = errors.New(`with --db "" give the flows with --flows`)

// compile takes from db what the files did not give, applies the --use-mock
// overrides, and compiles every flow. Problems are the files' (exit 2); the
// error is anything else.
func (s *flowSet) compile(ctx context.Context, db *storage.DB, mf *mockFlags) ([]*engine.Plan, []string, error) {
	if len(s.flowArgs) == 0 {
		if db == nil {
			return nil, nil, errNoFlows
		}
		stored, err := storedFlows(ctx, db)
		if err != nil {
			return nil, nil, err
		}
		for _, f := range stored {
			s.docs, s.names = append(s.docs, f), append(s.names, fmt.Sprintf("stored flow %q", f.Name))
		}
	}
	if s.connPath == "" && db != nil {
		stored, err := db.ListConnections(ctx)
		if err != nil {
			return nil, nil, err
		}
		s.conns = stored
	}
	var problems []string
	if mf != nil {
		s.conns, problems = mf.apply(s.conns)
	}
	var plans []*engine.Plan
	for i, f := range s.docs {
		p, err := engine.Compile(f, s.conns)
		if err != nil {
			problems = append(problems, problemLines(s.names[i], err)...)
			continue
		}
		plans = append(plans, p)
	}
	return plans, problems, nil
}

// applyEnv applies the chosen environment's connection overrides to the
// set's connections when now is true: emit and serve call it once the
// connections are known, after reading a connections file (before anything
// is opened) or after taking the stored ones.
func (s *flowSet) applyEnv(ef *envFlags, now bool) []string {
	if !now {
		return nil
	}
	var problems []string
	s.conns, problems = ef.apply(s.conns)
	return problems
}
