package ui

import (
	"context"
	"time"

	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
)

// FlowStore is what the window needs to keep flows: *storage.DB satisfies it.
// It is declared here, where it is consumed, so tests can hand in a real
// database in a temporary directory or a store that injects a fault.
type FlowStore interface {
	// SaveFlow appends a version and sets f.ID (when empty) and f.Version.
	SaveFlow(ctx context.Context, f *flow.Flow) (int, error)
	Flow(ctx context.Context, id string) (*flow.Flow, error)
	FlowVersionDoc(ctx context.Context, id string, version int) (*flow.Flow, error)
	FlowVersions(ctx context.Context, id string) ([]storage.FlowVersion, error)
	ListFlows(ctx context.Context) ([]storage.FlowSummary, error)
	DeleteFlow(ctx context.Context, id string) error
	FlowsUsingConnection(ctx context.Context, name string) ([]storage.FlowSummary, error)
}

// ConnectionStore keeps connections; SaveConnection seals literal secrets so
// the window never holds a stored secret value. *storage.DB satisfies it.
type ConnectionStore interface {
	SaveConnection(ctx context.Context, c flow.Connection) error
	Connection(ctx context.Context, name string) (*flow.Connection, error)
	ListConnections(ctx context.Context) ([]flow.Connection, error)
	DeleteConnection(ctx context.Context, name string) error
	RenameConnection(ctx context.Context, oldName, newName string) error
}

// Store is both stores; *storage.DB is one.
type Store interface {
	FlowStore
	ConnectionStore
}

// HistoryStore reads what runs left behind, for the Runs and Events views.
// *storage.DB satisfies it. It is optional: without it those views are left
// out of the sidebar.
type HistoryStore interface {
	ListRuns(ctx context.Context, q storage.RunQuery) ([]flow.Run, *storage.RunCursor, error)
	Events(ctx context.Context, limit int) ([]flow.RaisedEvent, error)
}

// HistoryEditor is what the Runs view needs beyond listing: counting a
// filtered history, opening one run with its steps, deleting. *storage.DB
// satisfies it; when the HistoryStore given is not one, the view lists
// runs but cannot open or delete them.
type HistoryEditor interface {
	CountRuns(ctx context.Context, q storage.RunQuery) (int, error)
	Run(ctx context.Context, id string) (*flow.Run, []flow.Step, error)
	DeleteRun(ctx context.Context, id string) error
	DeleteRunsBefore(ctx context.Context, t time.Time) (int, error)
}

// MockStore keeps the Mocks view's mocks and the request inspector's
// history. *storage.DB satisfies it; without one the Mocks view is left
// out and the inspector keeps requests in memory only.
type MockStore interface {
	// SaveMock validates and stores m, sealing literal secrets of its auth.
	SaveMock(ctx context.Context, m flow.Mock) error
	ListMocks(ctx context.Context) ([]flow.Mock, error)
	DeleteMock(ctx context.Context, name string) error
	// RecordReceived keeps a received request (already redacted).
	RecordReceived(ctx context.Context, r flow.ReceivedRequest) (int64, error)
	// ListReceived lists the newest received requests first.
	ListReceived(ctx context.Context, limit int) ([]flow.ReceivedRequest, error)
	// PruneReceived keeps only the newest keep requests.
	PruneReceived(ctx context.Context, keep int) (int64, error)
}
