package flow

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// BenchmarkDecodeFlow reports what strict decoding costs against plain
// encoding/json decoding of the same bytes into the same type (metric
// x-json.Unmarshal). The file with thousands of unknown fields guards against
// work per problem that grows with the file: that ratio must stay near the
// clean file's, not grow with the number of problems.
func BenchmarkDecodeFlow(b *testing.B) {
	chatbot, err := readTestdataB("chatbot.flow.json")
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
	}{
		{"chatbot", chatbot},
		{"5000 unknown fields", []byte(`{"format": "flowbench/v1", "name": "n", "nodes": [` +
			strings.Repeat(`{"id": "a", "kind": "set", "colour": "red"},`, 5000) + `{}]}`)},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			var plain, strict time.Duration
			for b.Loop() {
				t0 := time.Now()
				var f Flow
				_ = json.Unmarshal(tc.data, &f)
				t1 := time.Now()
				_, _ = DecodeFlow(tc.data)
				strict += time.Since(t1)
				plain += t1.Sub(t0)
			}
			b.ReportMetric(float64(strict)/float64(plain), "x-json.Unmarshal")
		})
	}
}

func readTestdataB(name string) ([]byte, error) {
	return os.ReadFile("testdata/" + name)
}

// genChainFlow returns an n-node flow in the shape large generated flows
// have: a long chain of set and decision nodes where every decision may
// loop back a few nodes, with one start and one end.
func genChainFlow(n int) *Flow {
	f := &Flow{Format: Format, Name: "generated"}
	f.Nodes = append(f.Nodes, Node{ID: "start", Kind: KindStart})
	prev := "start"
	for i := 1; i < n-1; i++ {
		id := fmt.Sprintf("n%d", i)
		if i%3 == 0 {
			f.Nodes = append(f.Nodes, Node{ID: id, Kind: KindDecision, Cases: []Case{{Port: "again", When: "vars.i < 3"}}})
			f.Edges = append(f.Edges, Edge{From: id, Port: "again", To: fmt.Sprintf("n%d", i-2)})
		} else {
			f.Nodes = append(f.Nodes, Node{ID: id, Kind: KindSet, Assign: []Assignment{{Name: "i", Value: "vars.i + 1"}}})
		}
		port := ""
		if strings.HasPrefix(prev, "n") && f.Nodes[len(f.Nodes)-2].Kind == KindDecision {
			port = PortDefault
		}
		f.Edges = append(f.Edges, Edge{From: prev, Port: port, To: id})
		prev = id
	}
	f.Nodes = append(f.Nodes, Node{ID: "end", Kind: KindEnd})
	port := ""
	if f.Nodes[len(f.Nodes)-2].Kind == KindDecision {
		port = PortDefault
	}
	f.Edges = append(f.Edges, Edge{From: prev, Port: port, To: "end"})
	return f
}

// BenchmarkValidateScaling validates a 1,000-node and a 10,000-node flow
// in the same run and reports the time ratio (x-10k/1k). Linear validation
// gives about 10; the acceptance bound is 12.
func BenchmarkValidateScaling(b *testing.B) {
	small, large := genChainFlow(1_000), genChainFlow(10_000)
	for _, f := range []*Flow{small, large} {
		if ps := Validate(f); ps.HasErrors() {
			b.Fatalf("generated flow is invalid: %v", ps)
		}
	}
	reportValidateScaling(b, small, large)
}

// reportValidateScaling times Validate on the large flow ÷ the small one
// (x-10k/1k), the same for validateFloor (floor-10k/1k), and the first
// ratio ÷ the second (x-of-floor).
func reportValidateScaling(b *testing.B, small, large *Flow) {
	var ts, tl, fs, fl time.Duration
	for b.Loop() {
		ts, tl = addTimes(ts, tl, small, large, func(f *Flow) { Validate(f) })
		fs, fl = addTimes(fs, fl, small, large, validateFloor)
	}
	ratio, floor := float64(tl)/float64(ts), float64(fl)/float64(fs)
	b.ReportMetric(ratio, "x-10k/1k")
	b.ReportMetric(floor, "floor-10k/1k")
	b.ReportMetric(ratio/floor, "x-of-floor")
}

// addTimes adds to ts a tenth of ten runs of fn on small, and to tl one run
// on large.
func addTimes(ts, tl time.Duration, small, large *Flow, fn func(*Flow)) (time.Duration, time.Duration) {
	t0 := time.Now()
	for range 10 {
		fn(small)
	}
	t1 := time.Now()
	fn(large)
	return ts + t1.Sub(t0)/10, tl + time.Since(t1)
}

// floorSink keeps validateFloor's work from being optimised away.
var floorSink int

// validateFloor is the least any validation of f does: index the nodes by
// id and look up both ends of every edge, in a map as Validate does. Its
// 10k/1k ratio is what the memory hierarchy alone makes of ten times the
// nodes (a 10,000-entry map no longer fits the caches a 1,000-entry one
// does), the floor BenchmarkValidateScaling's ratio is read against.
func validateFloor(f *Flow) {
	idx := make(map[string]int, len(f.Nodes))
	for i := range f.Nodes {
		idx[f.Nodes[i].ID] = i
	}
	n := 0
	for _, e := range f.Edges {
		n += idx[e.From] + idx[e.To]
	}
	floorSink += n
}

// genWideFlow returns a flow whose one decision has n cases, each with its
// own edge: the shape that made port lookups quadratic.
func genWideFlow(n int) *Flow {
	w := &Flow{Format: Format, Name: "wide", Nodes: []Node{{ID: "start", Kind: KindStart}, {ID: "d", Kind: KindDecision}, {ID: "end", Kind: KindEnd}}}
	w.Edges = append(w.Edges, Edge{From: "start", To: "d"}, Edge{From: "d", Port: PortDefault, To: "end"})
	for i := range n {
		p := fmt.Sprintf("p%d", i)
		w.Nodes[1].Cases = append(w.Nodes[1].Cases, Case{Port: p, When: "true"})
		w.Edges = append(w.Edges, Edge{From: "d", Port: p, To: "end"})
	}
	return w
}

// BenchmarkValidateWideScaling is BenchmarkValidateScaling for a decision
// with 1,000 and 10,000 cases (x-10k/1k, bound 12).
func BenchmarkValidateWideScaling(b *testing.B) {
	small, large := genWideFlow(1_000), genWideFlow(10_000)
	reportValidateScaling(b, small, large)
}

// BenchmarkDecodeScaling decodes the files of a 1,000-node and a
// 10,000-node flow in the same run and reports the time ratio (x-10k/1k);
// linear decoding gives about 10.
func BenchmarkDecodeScaling(b *testing.B) {
	small, err := EncodeFlow(genChainFlow(1_000))
	if err != nil {
		b.Fatal(err)
	}
	large, err := EncodeFlow(genChainFlow(10_000))
	if err != nil {
		b.Fatal(err)
	}
	var ts, tl time.Duration
	for b.Loop() {
		t0 := time.Now()
		for range 10 {
			if _, err := DecodeFlow(small); err != nil {
				b.Fatal(err)
			}
		}
		t1 := time.Now()
		if _, err := DecodeFlow(large); err != nil {
			b.Fatal(err)
		}
		tl += time.Since(t1)
		ts += t1.Sub(t0) / 10
	}
	b.ReportMetric(float64(tl)/float64(ts), "x-10k/1k")
}
