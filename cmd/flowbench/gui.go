package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/flowbench/flowbench/assets"
	"github.com/flowbench/flowbench/engine"
	"github.com/flowbench/flowbench/engine/mock"
	"github.com/flowbench/flowbench/flow"
	"github.com/flowbench/flowbench/storage"
	"github.com/flowbench/flowbench/storage/secret"
	"github.com/flowbench/flowbench/ui"
)

// appID is the Fyne application id (FyneApp.toml): it names where Fyne keeps
// the preferences (window and split sizes, theme).
const appID = "dev.flowbench.app"

// runGUI opens the desktop window on the database at dbPath ("" means the
// default in the user's config directory) and returns the exit status once
// the window is closed. Drafts of unsaved edits live in a "drafts" folder
// beside the database.
func runGUI(dbPath string) int {
	ctx := context.Background()
	if dbPath == "" {
		p, err := storage.DefaultPath()
		if err != nil {
			fmt.Fprintf(os.Stderr, "flowbench: cannot find a place for the database: %v; pass --db PATH\n", err)
			return 1
		}
		dbPath = p
	}
	sealer, source, err := secret.LoadKey(secret.KeyOptions{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "flowbench: %v\n", err)
		return 1
	}
	slog.Debug("master key loaded", "source", fmt.Sprint(source))
	db, err := storage.Open(ctx, dbPath, storage.Options{Sealer: sealer})
	if err != nil {
		fmt.Fprintf(os.Stderr, "flowbench: open the database %s: %v\n", dbPath, err)
		return 1
	}
	defer db.Close()
	if err := seedExamples(ctx, db); err != nil {
		// the app is usable without the examples; say so and go on
		fmt.Fprintf(os.Stderr, "flowbench: could not add the example flows: %v\n", err)
	}

	recorder := db.NewRecorder(storage.RecorderOptions{})
	// one mock server for the whole session: the Mocks view starts and
	// stops it, and connections with "use mock" on resolve to it
	mocks := mock.New(mock.Options{Secrets: cliResolver{db: db}})
	runner := engine.NewRunner(engine.Options{Secrets: db, Tokens: db, Observers: []engine.Observer{recorder}, Resolve: ui.MockResolver(mocks)})
	defer func() {
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		mocks.Stop(shut)
		runner.Close() // delivers the last events to the recorder
		if err := recorder.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "flowbench: the last runs could not be recorded: %v\n", err)
		}
	}()

	a := app.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	win, err := ui.New(a, ui.Options{
		Store:    db,
		History:  db,
		Runner:   &ui.LocalRunner{Engine: runner, Connections: db.ListConnections, Flush: recorder.Flush},
		DraftDir: filepath.Join(filepath.Dir(dbPath), "drafts"),
		// the demo kit works offline from the first launch: its connections
		// point at mocks, served from the start
		MockStore:  db,
		Mocks:      mocks,
		StartMocks: true,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "flowbench: %v\n", err)
		return 1
	}
	win.ShowAndRun()
	return 0
}

// seedExamples stores the bundled example flows, their connections and the
// demo kit's mocks on the first launch (an empty database), so a new user
// opens a working, offline example rather than a blank canvas. Later launches leave the store alone,
// even when the examples were deleted.
func seedExamples(ctx context.Context, db *storage.DB) error {
	flows, err := db.ListFlows(ctx)
	if err != nil || len(flows) > 0 {
		return err
	}
	conns, err := db.ListConnections(ctx)
	if err != nil || len(conns) > 0 {
		return err
	}
	examples, err := assets.ExampleFlows()
	if err != nil {
		return err
	}
	cf, err := assets.ExampleConnections()
	if err != nil {
		return err
	}
	var errs []error
	for _, c := range cf.Connections {
		if err := db.SaveConnection(ctx, c); err != nil {
			errs = append(errs, fmt.Errorf("connection %q: %w", c.Name, err))
		}
	}
	if mf, err := flow.DecodeMocks(assets.DemoMocksFile()); err != nil {
		errs = append(errs, fmt.Errorf("demo mocks: %w", err))
	} else {
		for _, m := range mf.Mocks {
			if err := db.SaveMock(ctx, m); err != nil {
				errs = append(errs, fmt.Errorf("mock %q: %w", m.Name, err))
			}
		}
	}
	// the last one saved is the newest, and the window opens the newest:
	// save the chatbot example last.
	for i := len(examples) - 1; i >= 0; i-- {
		if _, err := db.SaveFlow(ctx, examples[i]); err != nil {
			errs = append(errs, fmt.Errorf("flow %q: %w", examples[i].Name, err))
		}
	}
	return errors.Join(errs...)
}
