package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFlowAgainstTheEmbeddedFake runs the example as `go run` does without WA_CLOUD_TOKEN.
func TestFlowAgainstTheEmbeddedFake(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), func(string) string { return "" }, &out))
	for _, step := range []string{"1/7 upload", "2/7 image", "3/7 text", "4/7 template", "5/7 refused", "6/7 read", "7/7 download", "All 7 steps passed"} {
		assert.Contains(t, out.String(), step)
	}
	assert.NotContains(t, out.String(), "skipped", "the fake's customer wrote first: the read step ran")
}

// TestRealModeNeedsTheNumberAndTheCustomer checks the configuration error of the real mode.
func TestRealModeNeedsTheNumberAndTheCustomer(t *testing.T) {
	t.Parallel()
	env := map[string]string{"WA_CLOUD_TOKEN": "EAAG-secret-token"}
	err := run(t.Context(), func(k string) string { return env[k] }, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WA_PHONE_NUMBER_ID")
	assert.False(t, strings.Contains(err.Error(), "EAAG-secret-token"))
}
