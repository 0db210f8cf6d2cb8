// Package maintest runs an example's main function in a child process of its own test
// binary, so that a test sees what a user sees: the exit status and the output of main,
// os.Exit included.
package maintest

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The child process is told by these variables to run main with the given arguments.
const (
	runVar  = "WABIZ_MAINTEST_RUN"
	argsVar = "WABIZ_MAINTEST_ARGS"
)

// Main is the body of an example's TestMain: in a child started by Run it runs main with
// Run's arguments and exits 0 when main returns; otherwise it runs the tests.
func Main(m *testing.M, main func()) {
	if os.Getenv(runVar) == "1" {
		os.Args = os.Args[:1]
		if a := os.Getenv(argsVar); a != "" {
			os.Args = append(os.Args, strings.Split(a, "\x00")...)
		}
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Run runs main in a child process with args and the extra environment env (NAME=value),
// and returns its exit status and its standard output and error, combined.
func Run(t *testing.T, env []string, args ...string) (status int, output string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), runVar+"=1", argsVar+"="+strings.Join(args, "\x00"))
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	}
	t.Fatalf("maintest: start %s: %v", os.Args[0], err)
	return -1, ""
}
