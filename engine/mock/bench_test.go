package mock_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/flowbench/flowbench/engine/mock"
)

// chatbotPayload is the step-execution body the chatbot contract POSTs.
var chatbotPayload = []byte(`{"type":"CloudFunctionStepExecution","orgId":"org-1","chatId":"c-42","executionId":"3f0c2a9e-1b7d-4c55-9a43-0d6b1f7e8a21","chatBotId":"flow-1","chatBotName":"Demo: chatbot branching","chatBotType":"LiveChat","stepName":"Look up customer","stepId":"lookup","timestamp":"2026-01-01T00:00:00Z"}`)

// BenchmarkChatbotMock measures a mock serving the chatbot contract (routing,
// reading and recording the request for the inspector, the preset's answer)
// against a bare net/http handler that answers the same bytes, one request
// to each per iteration over loopback keep-alive connections. throughput-ratio
// is bare time / mock time: 1 means the mock is as fast; the target is 0.8.
func BenchmarkChatbotMock(b *testing.B) {
	s := serve(b, mock.Options{}, mock.ChatbotPreset("bot", "vip"))
	mockURL := s.BaseURL("bot") + mock.ChatbotPath

	// The bare handler answers exactly what the mock answers.
	probe := do(b, nil, "POST", mockURL, string(chatbotPayload), nil)
	want := []byte(probe.body)
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(want)
	}))
	defer bare.Close()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	post := func(url string) time.Duration {
		start := time.Now()
		resp, err := client.Post(url, "application/json", bytes.NewReader(chatbotPayload))
		if err != nil {
			b.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || !bytes.Equal(got, want) {
			b.Fatalf("%s answered %d %s, %v", url, resp.StatusCode, got, err)
		}
		return time.Since(start)
	}
	// Warm both connections so neither side pays a dial inside the loop.
	post(mockURL)
	post(bare.URL)

	var mockTime, bareTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Alternate the order so neither side always runs on a warmer cache.
		if i%2 == 0 {
			mockTime += post(mockURL)
			bareTime += post(bare.URL)
		} else {
			bareTime += post(bare.URL)
			mockTime += post(mockURL)
		}
	}
	b.StopTimer()
	if mockTime > 0 {
		b.ReportMetric(float64(bareTime)/float64(mockTime), "throughput-ratio")
		b.ReportMetric(float64(mockTime.Nanoseconds())/float64(b.N), "mock-ns/req")
		b.ReportMetric(float64(bareTime.Nanoseconds())/float64(b.N), "bare-ns/req")
	}
}
