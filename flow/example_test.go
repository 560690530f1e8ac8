package flow_test

import (
	"fmt"

	"github.com/flowbench/flowbench/flow"
)

// Decode a flow file, then validate it: the decoder reports every unknown
// field with its path, Validate every structural problem with its node.
func Example() {
	data := []byte(`{"format": "flowbench/v1", "name": "Ping",
	  "nodes": [{"id": "start", "kind": "start"},
	            {"id": "ping", "kind": "call", "call": {"connection": "api", "retry": {"maxAttempts": 0}}}],
	  "edges": [{"from": "start", "to": "ping"}]}`)
	f, err := flow.DecodeFlow(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range flow.Validate(f) {
		fmt.Println(p)
	}
	_, err = flow.DecodeFlow([]byte(`{"format": "flowbench/v1", "nodes": [{"id": "a", "kind": "call", "call": {"conection": "api"}}]}`))
	fmt.Println(err)
	// Output:
	// node "ping", field call.retry.maxAttempts: is 0; give 1 to 10 attempts (1 means no retry)
	// warning: node "ping": dead end: the run stops here; connect a port to the next node or to an end node
	// line 1, column 75: nodes[0].call.conection: unknown field (did you mean "connection"?)
}
