package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"go.temporal.io/sdk/client"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/temporal"
)

func cmdStart(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runStart(ctx, args, stdout, stderr)
}

// runStart is `flowbench start FLOW`: it starts the flow as a workflow on
// the cluster; with --wait it prints the run as `flowbench run` does.
func runStart(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("start", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var tf temporalFlags
	tf.register(fs)
	input := fs.String("input", "", "trigger payload: JSON, or @file")
	wait := fs.Bool("wait", false, "wait for the run to end and print it")
	asJSON := fs.Bool("json", false, "print as one JSON object (with --wait, the run as `flowbench run --json` prints it)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitInvalid
	}
	if len(pos) != 1 || tf.hostPort == "" {
		fmt.Fprintln(stderr, "flowbench start: give one flow (a flow file, or the id of a flow the workers have) and the cluster: flowbench start FLOW --temporal HOST:PORT")
		return exitInvalid
	}
	flowID := pos[0]
	if st, err := os.Stat(pos[0]); err == nil && !st.IsDir() {
		f, _, problems := loadFiles(pos[0], "")
		if len(problems) > 0 {
			printProblems(stderr, problems)
			return exitInvalid
		}
		flowID = f.ID
	}
	var trigger json.RawMessage
	if *input != "" {
		raw, err := readInput(*input)
		if err != nil {
			fmt.Fprintf(stderr, "flowbench start: --input: %v\n", err)
			return exitInvalid
		}
		trigger = raw
	}
	c, err := tf.dial(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "flowbench start: %v\n", err)
		return exitFailed
	}
	defer c.Close()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: temporal.WorkflowID(flowID), TaskQueue: tf.taskQueue},
		temporal.WorkflowName, temporal.FlowInput{FlowID: flowID, Trigger: trigger, Source: "cli"})
	if err != nil {
		fmt.Fprintf(stderr, "flowbench start: flow %q: %v\n", flowID, err)
		return exitFailed
	}
	if !*wait {
		if *asJSON {
			_ = json.NewEncoder(stdout).Encode(map[string]string{"workflowId": run.GetID(), "runId": run.GetRunID()})
		} else {
			fmt.Fprintf(stdout, "started workflow %s (run %s)\n", run.GetID(), run.GetRunID())
		}
		return exitOK
	}
	var res engine.Result
	if err := run.Get(ctx, &res); err != nil {
		fmt.Fprintf(stderr, "flowbench start: workflow %s: %v\n", run.GetID(), err)
		return exitFailed
	}
	if *asJSON {
		writeJSONResult(stdout, &res)
	} else {
		writeTextResult(stdout, &res)
	}
	if res.Run.Status == flow.StatusSucceeded {
		return exitOK
	}
	return exitFailed
}
