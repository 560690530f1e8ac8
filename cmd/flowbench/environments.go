package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/flow"
)

// envFlags are --environments FILE and --env NAME of run, emit and serve.
type envFlags struct {
	file string
	name string
	env  *flow.Environment // the chosen environment, once loaded
}

func (e *envFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&e.file, "environments", "", "environments file (*.environments.json): variables as env.<name>, per-environment connection overrides")
	fs.StringVar(&e.name, "env", "", "environment name: env.name in expressions, and with --environments the environment to use")
}

// load reads the environments file, if any, and chooses the environment
// --env names. Problems name the file; nothing is opened or run.
func (e *envFlags) load() []string {
	if e.file == "" {
		return nil
	}
	data, err := flow.ReadFileLimit(e.file, flow.MaxEnvironmentsFileBytes)
	if err != nil {
		return []string{fileProblem(e.file, err)}
	}
	f, err := flow.DecodeEnvironments(data)
	if err != nil {
		return problemLines(e.file, err)
	}
	names := strings.Join(f.Names(), ", ")
	if len(f.Environments) == 0 {
		names = "none"
	}
	if e.name == "" {
		return []string{fmt.Sprintf("%s: choose an environment with --env NAME: %s", e.file, names)}
	}
	if e.env = f.Environment(e.name); e.env == nil {
		return []string{fmt.Sprintf("%s: no environment %q; the file defines %s", e.file, e.name, names)}
	}
	return nil
}

// apply returns conns with the chosen environment's overrides (base URLs,
// auth); problems name the file.
func (e *envFlags) apply(conns []flow.Connection) ([]flow.Connection, []string) {
	if e.env == nil {
		return conns, nil
	}
	out, ps := e.env.Apply(conns)
	if len(ps) > 0 {
		return conns, problemLines(e.file, ps)
	}
	return out, nil
}

// input returns env in expressions and the environment's name: the chosen
// environment's variables, else env.name alone from --env.
func (e *envFlags) input() (map[string]any, string) {
	if e.env != nil {
		return e.env.Context(), e.name
	}
	return envMap(e.name), e.name
}

// setOptions gives the runs the runner starts (events, webhooks) the
// environment.
func (e *envFlags) setOptions(opts *engine.Options) {
	opts.Env, opts.EnvName = e.input()
}
