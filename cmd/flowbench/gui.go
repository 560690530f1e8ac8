package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
)

// guiProgram is the desktop app's program (cmd/flowbench-gui). It is a
// program of its own so that this one, which the headless commands run in,
// links no GUI toolkit: Go runs the init of every linked package, and
// Fyne's (translations, fonts, the user-locale check that printed "Fyne
// error: Error parsing user locale C" on every command) cost more than a
// whole one-call run. `flowbench` and `flowbench gui` still open the app:
// they start the program installed beside this one (make build, go install
// ./cmd/...), or the one on PATH.
const guiProgram = "flowbench-gui"

// runGUI replaces this process with the desktop app, given args (e.g.
// "--db PATH"); it returns only when the app cannot be started.
func runGUI(args []string, stderr io.Writer) int {
	path, err := findGUI()
	if err != nil {
		fmt.Fprintf(stderr, "flowbench: %v\n", err)
		return 1
	}
	env := guiEnv(os.Environ())
	if runtime.GOOS != "windows" {
		// exec: signals, the exit status and the terminal are the app's
		err = syscall.Exec(path, append([]string{path}, args...), env)
		fmt.Fprintf(stderr, "flowbench: start the app %s: %v\n", path, err)
		return 1
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr, cmd.Env = os.Stdin, os.Stdout, stderr, env
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		fmt.Fprintf(stderr, "flowbench: start the app %s: %v\n", path, err)
		return 1
	}
	return 0
}

// findGUI finds flowbench-gui beside this program, then on PATH.
func findGUI() (string, error) {
	name := guiProgram
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	var beside string
	if self, err := os.Executable(); err == nil {
		if resolved, err := filepath.EvalSymlinks(self); err == nil {
			self = resolved
		}
		beside = filepath.Join(filepath.Dir(self), name)
		if fi, err := os.Stat(beside); err == nil && !fi.IsDir() {
			return beside, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("the app's program %s is neither beside this one (%s) nor on PATH; build both with `make build` (into bin/) or `go install ./cmd/...`", name, beside)
}

// guiEnv is env with a locale the app's toolkit can read: Fyne cannot parse
// "C", "C.UTF-8" or "POSIX" (it logs "Error parsing user locale") and then
// uses English anyway, so such a locale, or none, becomes en_US.UTF-8.
// A real locale (de_DE.UTF-8) is left as it is.
func guiEnv(env []string) []string {
	out := make([]string, 0, len(env)+1)
	set := false
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if k == "LC_ALL" || k == "LANG" {
			if v == "" {
				continue // unset: the next one decides
			}
			if lang, _, _ := strings.Cut(v, "."); lang == "C" || lang == "POSIX" {
				v = "en_US.UTF-8"
			}
			set = true
			kv = k + "=" + v
		}
		out = append(out, kv)
	}
	if !set {
		out = append(out, "LANG=en_US.UTF-8")
	}
	return out
}
