package ui

import (
	"github.com/flowbench/flowbench/engine/mock"
	"github.com/flowbench/flowbench/flow"
)

// MockResolver is the engine.Options.Resolve of a window with a Mocks view:
// a connection whose "use mock" switch is on calls its mock on srv, every
// other connection its own base URL. While srv is stopped such a
// connection resolves to no URL, so its calls fail instead of silently
// reaching the real endpoint the person switched away from.
func MockResolver(srv *mock.Server) func(flow.Connection) (string, bool) {
	return func(c flow.Connection) (string, bool) {
		if !c.UseMock || c.Mock == "" {
			return "", false
		}
		return srv.BaseURL(c.Mock), true
	}
}
