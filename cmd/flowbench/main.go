// Command flowbench is the Flowbench desktop app. With no arguments it opens the
// GUI; its subcommands run, validate and test flows headless through the same
// engine (see docs/flow-format.md).
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `Flowbench: design, test and demonstrate flows of HTTP cloud-function calls.

Usage:
  flowbench                          open the app (the program flowbench-gui beside this one)
  flowbench gui [--db PATH]          open the app on the database at PATH
  flowbench run FLOW.json [--connections FILE] [--input JSON|@file] [--env NAME] [--json] [--db PATH]
                     [--mocks FILE]... [--use-mock CONNECTION=MOCK]...
  flowbench validate FLOW.json [--connections FILE]
  flowbench emit EVENT [--payload JSON|@file] [--flows FILE|DIR]... [--connections FILE] [--json] [--db PATH]
  flowbench serve [--addr 127.0.0.1:8089] [--flows FILE|DIR]... [--connections FILE] [--mocks FILE]... [--db PATH]
  flowbench test-connection NAME [--connections FILE] [--db PATH]
  flowbench send [CONNECTION] [--connections FILE] [--db PATH] [--environments FILE --env NAME] [--json]
                 (--curl 'curl …' | METHOD URI [--header 'K: V']... [--query K=V]... [--body JSON|@file])
  flowbench runs [--flow NAME|ID] [--status STATE] [--limit N] [--json] [--db PATH]
  flowbench runs show RUN_ID|last [--json] [--db PATH]
  flowbench runs compare RUN_A RUN_B [--json] [--db PATH]
  flowbench worker --temporal HOST:PORT --flows FILE|DIR... [--namespace NS] [--task-queue Q] [--connections FILE]
                   [--environments FILE --env NAME] [--mocks FILE]... [--use-mock CONNECTION=MOCK]...
  flowbench start FLOW --temporal HOST:PORT [--namespace NS] [--task-queue Q] [--input JSON|@file] [--wait] [--json]

Exit status of run and validate: 0 done, 1 the run failed, 2 the files are invalid,
3 the run ended but its record could not be written to the database (run and emit;
the runs are named on stderr; 3 wins over 1).
`

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return runGUI(nil, stderr)
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "validate":
		return cmdValidate(args[1:], stdout, stderr)
	case "emit":
		return cmdEmit(args[1:], stdout, stderr)
	case "serve":
		return cmdServe(args[1:], stdout, stderr)
	case "test-connection":
		return cmdTestConnection(args[1:], stdout, stderr)
	case "send":
		return cmdSend(args[1:], stdout, stderr)
	case "runs":
		return cmdRuns(args[1:], stdout, stderr)
	case "worker":
		return cmdWorker(args[1:], stdout, stderr)
	case "start":
		return cmdStart(args[1:], stdout, stderr)
	case "gui":
		return runGUI(args[1:], stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "flowbench: unknown command %q\n\n%s", args[0], usage)
	return 2
}
