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
		assert.NotRegexp(t, `(?m)^quickstart: `, out, "%s is not reported as an error", arg)
	}
}

func TestArgumentsAreRefused(t *testing.T) {
	t.Parallel()
	status, out := maintest.Run(t, nil, "now")
	assert.Equal(t, 2, status, out)
	assert.Contains(t, out, `quickstart: unexpected arguments ["now"]: quickstart takes no arguments, its settings are WA_* variables (see -h)`)
}
