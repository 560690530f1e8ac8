package flow

import (
	"encoding/json"
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
