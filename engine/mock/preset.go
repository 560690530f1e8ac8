package mock

import (
	"bytes"
	"encoding/json"

	"github.com/flowbench/flowbench/flow"
)

// ChatbotPath is the path of the chatbot presets' route; the demo flows'
// chatbot calls POST there.
const ChatbotPath = "/chatbot/step"

// ChatbotPreset returns a mock that answers the chatbot cloud-function
// contract's step-execution POST (type CloudFunctionStepExecution, orgId,
// chatId, ...) at ChatbotPath with {"returnValue": returnValue}, the value a
// chatbot call branches on.
func ChatbotPreset(name, returnValue string) flow.Mock {
	return ChatbotRulePreset(name, celString(returnValue))
}

// ChatbotRulePreset is ChatbotPreset with the return value chosen by a CEL
// rule over the payload, such as
// `request.body.chatId.startsWith("vip") ? "vip" : "standard"`.
func ChatbotRulePreset(name, rule string) flow.Mock {
	return flow.Mock{Name: name, Routes: []flow.MockRoute{{
		Method:  "POST",
		Path:    ChatbotPath,
		Status:  200,
		Headers: map[string]string{"Content-Type": "application/json"},
		Body:    `{"returnValue": ` + rule + `}`,
	}}}
}

// celString quotes s as a CEL string literal: a JSON string is one, and
// keeping < > & unescaped keeps the body readable in the Mocks view.
func celString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return string(bytes.TrimSpace(buf.Bytes()))
}
