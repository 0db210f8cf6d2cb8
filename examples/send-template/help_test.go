package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wabiz/wabiz/examples/internal/maintest"
)

func TestMain(m *testing.M) { maintest.Main(m, main) }

// TestHelpExitsZero runs main with -h: the usage is printed and the exit status is 0 (it
// used to be 1, reported as an error).
func TestHelpExitsZero(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"-h", "-help", "--help"} {
		status, out := maintest.Run(t, nil, arg)
		assert.Equal(t, 0, status, "%s: %s", arg, out)
		assert.Contains(t, out, "Usage", arg)
		assert.NotRegexp(t, `(?m)^send-template: `, out, "%s is not reported as an error", arg)
	}
}

// TestDryRunWithoutRecipient: -dry-run needs no -to (the message shows a placeholder), and
// without -dry-run the error says that -dry-run is the way to go without one.
func TestDryRunWithoutRecipient(t *testing.T) {
	t.Parallel()
	status, out := maintest.Run(t, []string{"WA_TO="}, "-dry-run")
	assert.Equal(t, 0, status, out)
	assert.Contains(t, out, `"to": "<recipient, -to>"`)

	status, out = maintest.Run(t, []string{"WA_TO="})
	assert.Equal(t, 1, status, out)
	assert.Contains(t, out, "send-template: -to (or WA_TO) is required to send (or use -dry-run)")

	_, out = maintest.Run(t, nil, "-h")
	assert.Contains(t, out, "required unless -dry-run", "the usage line of -to says when it is needed")
}
