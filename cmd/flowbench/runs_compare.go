package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/flowbench/flowbench/flow"
)

// jsonCompare is what `flowbench runs compare A B --json` prints: the runs
// and flow.CompareRuns's comparison, with its summary in words.
type jsonCompare struct {
	RunA    string `json:"runA"`
	RunB    string `json:"runB"`
	Flow    string `json:"flow"`
	Summary string `json:"summary"`
	*flow.Comparison
}

// cmdRunsCompare prints where two recorded runs of one flow part
// (`flowbench runs compare RUN_A RUN_B [--json]`): the common steps, the
// first differing decision with each run's port and decision in words,
// and the nodes each run took.
func cmdRunsCompare(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("runs compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var db optionalString
	fs.Var(&db, "db", "database file (default: the user's config directory)")
	asJSON := fs.Bool("json", false, "print the comparison as JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitInvalid
	}
	if len(pos) != 2 {
		fmt.Fprintln(stderr, "flowbench runs compare: give two run ids (or their first characters, or \"last\"): flowbench runs compare RUN_A RUN_B")
		return exitInvalid
	}
	ctx := context.Background()
	store, err := openExisting(ctx, db)
	if err != nil {
		fmt.Fprintf(stderr, "flowbench runs compare: %v\n", err)
		return exitInvalid
	}
	defer store.Close()
	var runs [2]*flow.Run
	var steps [2][]flow.Step
	for i, ref := range pos {
		r, s, code := loadRun(ctx, store, ref, stderr)
		if r == nil {
			return code
		}
		runs[i], steps[i] = r, s
	}
	c, err := flow.CompareRuns(runs[0], steps[0], runs[1], steps[1])
	if err != nil {
		fmt.Fprintf(stderr, "flowbench runs compare: %v\n", err)
		return exitInvalid
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(jsonCompare{RunA: runs[0].ID, RunB: runs[1].ID, Flow: runs[0].FlowName, Summary: c.Summary(), Comparison: c})
		return exitOK
	}
	for i, r := range runs {
		fmt.Fprintf(stdout, "%s: run %s of %q (v%d), %s", "AB"[i:i+1], shortRunID(r.ID), r.FlowName, r.FlowVersion, r.Status)
		if r.Outcome != "" {
			fmt.Fprintf(stdout, ", outcome %q", r.Outcome)
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintln(stdout, c.Summary())
	if c.Parting == flow.PartDecision || c.Parting == flow.PartEnded {
		for i := range runs {
			if c.Index < len(steps[i]) {
				s := steps[i][c.Index]
				line := fmt.Sprintf("  %s step %d at %s: %s", "AB"[i:i+1], s.Seq, s.Node, s.Status)
				if s.Port != "" {
					line += ", took " + s.Port
				}
				if s.Decision != "" {
					line += " — " + s.Decision
				}
				if s.Error != "" {
					line += " — " + s.Error
				}
				fmt.Fprintln(stdout, line)
			}
		}
	}
	for i, p := range []flow.RunPath{c.PathA, c.PathB} {
		fmt.Fprintf(stdout, "%s took: %v\n", "AB"[i:i+1], p.Nodes)
	}
	return exitOK
}
