package mock_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/flowbench/flowbench/engine/mock"
	"github.com/flowbench/flowbench/flow"
)

// A mock answering the chatbot contract with a rule over the payload, as a
// connection switched to "use mock" would call it.
func Example() {
	s := mock.New(mock.Options{})
	s.SetMocks([]flow.Mock{mock.ChatbotRulePreset("bot", `request.body.chatId.startsWith("vip") ? "vip" : "standard"`)})
	if err := s.Start(context.Background(), "127.0.0.1:0"); err != nil {
		fmt.Println(err)
		return
	}
	defer s.Stop(context.Background())

	resp, err := http.Post(s.BaseURL("bot")+mock.ChatbotPath, "application/json",
		strings.NewReader(`{"type": "CloudFunctionStepExecution", "chatId": "vip-42"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))
	r := s.Requests()[0]
	fmt.Println(r.Mock, r.Route, r.Status)
	// Output:
	// 200 {"returnValue":"vip"}
	// bot POST /chatbot/step 200
}
