package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/storage"
	"github.com/flowbench/flowbench/temporal"
)

// temporalFlags are the flags that reach a Temporal cluster.
type temporalFlags struct {
	hostPort  string
	namespace string
	taskQueue string
}

func (t *temporalFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.hostPort, "temporal", "", "the Temporal frontend, HOST:PORT")
	fs.StringVar(&t.namespace, "namespace", "default", "the Temporal namespace")
	fs.StringVar(&t.taskQueue, "task-queue", temporal.DefaultTaskQueue, "the task queue workers poll and flows start on")
}

// dial connects to the cluster; the SDK logs warnings and errors only, to stderr.
func (t *temporalFlags) dial(stderr io.Writer) (client.Client, error) {
	logger := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	c, err := client.Dial(client.Options{HostPort: t.hostPort, Namespace: t.namespace, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("cannot reach Temporal at %s (namespace %q): %v; is the cluster running, and is --temporal its frontend address?", t.hostPort, t.namespace, err)
	}
	return c, nil
}

// webhookStarter starts each webhook's run as a workflow (serve --temporal),
// returning its workflow id once the cluster has accepted it.
func (t *temporalFlags) webhookStarter(c client.Client) func(context.Context, *engine.Plan, engine.Input) (string, error) {
	return func(ctx context.Context, p *engine.Plan, in engine.Input) (string, error) {
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: temporal.WorkflowID(p.Flow.ID), TaskQueue: t.taskQueue},
			temporal.WorkflowName, temporal.FlowInput{FlowID: p.Flow.ID, Trigger: in.Trigger, Source: in.Source})
		if err != nil {
			return "", err
		}
		return run.GetID(), nil
	}
}

func cmdWorker(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runWorker(ctx, args, stdout, stderr)
}

// runWorker is `flowbench worker` until ctx ends: it polls the task queue
// for the flows given, making calls with the connections, environment and
// mocks given, as `flowbench run` would.
func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var tf temporalFlags
	tf.register(fs)
	var flows stringList
	fs.Var(&flows, "flows", "flow file or folder of *.flow.json (repeatable; required)")
	connections := fs.String("connections", "", "connections file (*.connections.json)")
	var mf mockFlags
	mf.register(fs)
	var ef envFlags
	ef.register(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitInvalid
	}
	if len(pos) > 0 || tf.hostPort == "" || len(flows) == 0 {
		fmt.Fprintln(stderr, "flowbench worker: give the cluster and the flows: flowbench worker --temporal HOST:PORT --flows FILE|DIR")
		return exitInvalid
	}
	set := flowSet{flowArgs: flows, connPath: *connections}
	problems := set.readFiles()
	mocks, ps := mf.load()
	problems = append(problems, ps...)
	if problems = append(problems, ef.load()...); len(problems) == 0 {
		problems = set.applyEnv(&ef, true)
	}
	if len(problems) > 0 {
		printProblems(stderr, problems)
		return exitInvalid
	}
	if _, problems, err = set.compile(ctx, nil, &mf); err != nil || len(problems) > 0 {
		if err != nil {
			problems = append(problems, err.Error())
		}
		printProblems(stderr, problems)
		return exitInvalid
	}
	conns := set.conns
	opts := engine.Options{Connections: conns}
	ef.setOptions(&opts)
	mockSrv, resolve, err := startMocks(ctx, mocks, conns, storage.Resolver{})
	if err != nil {
		fmt.Fprintf(stderr, "flowbench worker: %v\n", err)
		return exitInvalid
	}
	if mockSrv != nil {
		defer mockSrv.Stop(context.Background())
		opts.Resolve = resolve
		fmt.Fprintf(stdout, "mocks on %s\n", mockSrv.URL())
	}
	runner := engine.NewRunner(opts)
	defer runner.Close()
	c, err := tf.dial(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "flowbench worker: %v\n", err)
		return exitFailed
	}
	defer c.Close()
	flowsW, err := temporal.New(set.docs, temporal.Options{Runner: runner, Connections: conns, Env: opts.Env, EnvName: opts.EnvName,
		Client: c, TaskQueue: tf.taskQueue})
	if err != nil {
		fmt.Fprintf(stderr, "flowbench worker: %v\n", err)
		return exitInvalid
	}
	w := worker.New(c, tf.taskQueue, worker.Options{})
	flowsW.Register(w)
	if err := w.Start(); err != nil {
		fmt.Fprintf(stderr, "flowbench worker: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "worker polling task queue %q of namespace %q at %s for %d flows; press Ctrl+C to stop\n", tf.taskQueue, tf.namespace, tf.hostPort, len(set.docs))
	for _, f := range set.docs {
		fmt.Fprintf(stdout, "flow %s (%s)\n", f.ID, f.Name)
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping; workflows in flight go on on the other workers, or on this one when it is back")
	w.Stop()
	return exitOK
}
