// Package assets holds what Flowbench ships inside its binary: the example
// flows and their connections file.
package assets

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/flowbench/flowbench/flow"
)

//go:embed flows/*.json
var files embed.FS

// Icon is the app icon (PNG, 256×256).
//
//go:embed icon.png
var Icon []byte

// ExampleFlowNames lists the bundled flow files, sorted.
func ExampleFlowNames() []string {
	entries, _ := fs.ReadDir(files, "flows")
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".flow.json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// FirstFlowName is the bundled flow the window opens on a first launch: the
// offline chatbot demo, whose every branch runs against the bundled mocks
// with no key or network (the other examples call live endpoints that need
// keys, and fail on their failure path until they are set).
const FirstFlowName = "demo-chatbot.flow.json"

// ExampleFlowFile returns the bytes of a bundled flow file.
func ExampleFlowFile(name string) ([]byte, error) {
	return files.ReadFile(path.Join("flows", name))
}

// ExampleFlow decodes one bundled flow.
func ExampleFlow(name string) (*flow.Flow, error) {
	data, err := ExampleFlowFile(name)
	if err != nil {
		return nil, err
	}
	f, err := flow.DecodeFlow(data)
	if err != nil {
		return nil, fmt.Errorf("bundled flow %s: %w", name, err)
	}
	return f, nil
}

// ExampleFlows decodes every bundled flow.
func ExampleFlows() ([]*flow.Flow, error) {
	var out []*flow.Flow
	for _, name := range ExampleFlowNames() {
		f, err := ExampleFlow(name)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// ExampleConnectionsFile returns the bytes of the bundled connections file.
func ExampleConnectionsFile() []byte {
	data, _ := files.ReadFile("flows/examples.connections.json")
	return data
}

// ExampleConnections decodes the bundled connections file.
func ExampleConnections() (*flow.ConnectionsFile, error) {
	return flow.DecodeConnections(ExampleConnectionsFile())
}

// DemoMocksFile returns the bytes of the bundled demo mocks file: the mock
// endpoints the demo flows' connections point at when useMock is on.
func DemoMocksFile() []byte {
	data, _ := files.ReadFile("flows/demo.mocks.json")
	return data
}
