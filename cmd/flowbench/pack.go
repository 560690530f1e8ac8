package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/flowbench/flowbench/flow"
)

// packFlags let run take a demo pack (*.flowbench-demo.json) in place of
// the flow, connections, mocks and environments files: --flow NAME chooses
// its flow (default: the first).
type packFlags struct {
	flow string
	path string // the pack read, or ""
	pack *flow.DemoPack
}

func (p *packFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.flow, "flow", "", "with a demo pack (*"+flow.DemoPackSuffix+"): the name of the flow to run (default: its first)")
}

// load reads the flow to run: from path when it is a demo pack (then the
// pack's connections are the ones used; --connections is refused), else
// as loadFiles does.
func (p *packFlags) load(path, connPath string) (*flow.Flow, []flow.Connection, []string) {
	if !flow.IsDemoPackFile(path) {
		if p.flow != "" {
			return nil, nil, []string{fmt.Sprintf("--flow %q: --flow chooses a flow of a demo pack (*%s); %s is a flow file", p.flow, flow.DemoPackSuffix, path)}
		}
		return loadFiles(path, connPath)
	}
	var problems []string
	if connPath != "" {
		problems = append(problems, fmt.Sprintf("--connections %s: the demo pack %s brings its own connections; drop --connections", connPath, path))
	}
	data, err := flow.ReadFileLimit(path, flow.MaxDemoPackFileBytes)
	if err != nil {
		return nil, nil, append(problems, fileProblem(path, err))
	}
	pack, err := flow.DecodeDemoPack(data)
	if err != nil {
		return nil, nil, append(problems, problemLines(path, err)...)
	}
	f, err := pack.Flow(p.flow)
	if err != nil {
		return nil, nil, append(problems, fmt.Sprintf("%s: %v", path, err))
	}
	if f.ID == "" {
		// The same id every run, and one of its own for each flow of the pack.
		f.ID = flow.FileFlowID(path + "#" + f.Name)
	}
	p.path, p.pack = path, pack
	// An empty list, not nil: the pack's connections are all there are.
	return f, append([]flow.Connection{}, pack.Connections...), problems
}

// add gives a loaded pack's mocks to mocks and chooses its environment
// --env names (unless --environments gave a file). It sets rf.connections
// to the pack, so the pack's connections are used rather than the stored
// ones.
func (p *packFlags) add(mocks []flow.Mock, rf *runFlags) ([]flow.Mock, []string) {
	if p.pack == nil {
		return mocks, nil
	}
	rf.connections = p.path
	mocks = append(mocks, p.pack.Mocks...)
	e := &rf.env
	if e.file != "" || e.name == "" || len(p.pack.Environments) == 0 {
		return mocks, nil
	}
	env := &flow.EnvironmentsFile{Format: flow.Format, Environments: p.pack.Environments}
	if e.env = env.Environment(e.name); e.env == nil {
		return mocks, []string{fmt.Sprintf("%s: --env %q: the demo pack has no such environment; it defines %s", p.path, e.name, strings.Join(env.Names(), ", "))}
	}
	e.file = p.path
	return mocks, nil
}
