package envflag

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEnvDefaultsAndParseErrors(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"S": "x", "B": "1", "D": "2s", "N": "7", "BADB": "maybe", "BADD": "soon", "BADN": "many"}
	e := New(func(k string) string { return vars[k] })
	assert.Equal(t, "x", e.String("S", "def"))
	assert.Equal(t, "def", e.String("UNSET", "def"))
	assert.True(t, e.Bool("B"))
	assert.False(t, e.Bool("UNSET"))
	assert.Equal(t, 2*time.Second, e.Duration("D", time.Second))
	assert.Equal(t, time.Second, e.Duration("UNSET", time.Second))
	assert.Equal(t, 7, e.Int("N", 1))
	require.NoError(t, e.Err())

	e.Bool("BADB")
	assert.Equal(t, time.Minute, e.Duration("BADD", time.Minute), "a bad value keeps the default")
	assert.Equal(t, 3, e.Int("BADN", 3))
	err := e.Err()
	require.Error(t, err)
	for _, want := range []string{`BADB="maybe"`, `BADD="soon"`, `BADN="many"`} {
		assert.Contains(t, err.Error(), want)
	}
}
