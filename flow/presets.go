package flow

import (
	"fmt"
	"strconv"
)

// Chatbot bot types of the cloud-function contract.
const (
	ChatBotLiveChat = "LiveChat"
	ChatBotSmsChat  = "SmsChat"
	ChatBotJourney  = "Journey"
)

// ChatbotCall returns a call configured for the chatbot cloud-function
// contract of the contact-center platforms: it POSTs the step-execution
// payload (type CloudFunctionStepExecution with orgId, chatId, executionId,
// chatBotId, chatBotName, chatBotType, stepName, stepId and timestamp), reads
// returnValue from the response to choose among branches, and leaves by the
// failure port on any non-2xx answer (as every call does). A value that is
// missing or not among the branches takes the default path.
//
// In a run started by an event, the contract sends the event itself as the
// payload and records the response without branching on it: the body is the
// trigger and the return value is null, so the call takes the default path.
//
// orgId comes from env.orgId when the environment defines it; chatId from
// trigger.chatId when the trigger has it.
func ChatbotCall(nodeID, stepName, connection, uri, botType string, branches []string) *Call {
	if botType == "" {
		botType = ChatBotLiveChat
	}
	if uri == "" {
		uri = `"/"`
	}
	isEvent := `run.trigger.startsWith("event:")`
	payload := fmt.Sprintf(`{
  "type": "CloudFunctionStepExecution",
  "orgId": has(env.orgId) ? env.orgId : "",
  "chatId": has(trigger.chatId) ? trigger.chatId : "",
  "executionId": run.id,
  "chatBotId": flow.id,
  "chatBotName": flow.name,
  "chatBotType": %s,
  "stepName": %s,
  "stepId": %s,
  "timestamp": string(now())
}`, strconv.Quote(botType), strconv.Quote(stepName), strconv.Quote(nodeID))
	body := fmt.Sprintf("%s ? trigger : %s", isEvent, payload)
	ret := fmt.Sprintf(`%s ? null : (has(steps.%s.body.returnValue) ? steps.%s.body.returnValue : null)`, isEvent, nodeID, nodeID)
	return &Call{
		Connection:  connection,
		Method:      "POST",
		URI:         uri,
		Headers:     []Pair{{Key: `"Content-Type"`, Value: `"application/json"`}},
		Body:        body,
		ReturnValue: ret,
		Branches:    append([]string(nil), branches...),
	}
}
