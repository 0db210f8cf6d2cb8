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
		assert.NotRegexp(t, `(?m)^media-roundtrip: `, out, "%s is not reported as an error", arg)
	}
}
