package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/spec"
)

// TestCodesFileIsFresh compares the committed api/codes.gen.go with what the generator
// writes for the embedded spec (`make check-generated` does the same through go generate).
func TestCodesFileIsFresh(t *testing.T) {
	t.Parallel()
	doc, err := spec.Load()
	require.NoError(t, err)
	fresh, err := Render(doc)
	require.NoError(t, err)
	committed, err := os.ReadFile(filepath.Join("..", "..", "api", "codes.gen.go"))
	require.NoError(t, err)
	assert.Equal(t, string(fresh), string(committed), "api/codes.gen.go is stale: run `make generate`")
}

// TestRenderFollowsTheTable changes the spec's table and checks that the output follows: a
// new code gets a constant, a withdrawn one is marked Deprecated.
func TestRenderFollowsTheTable(t *testing.T) {
	t.Parallel()
	doc, err := spec.Load()
	require.NoError(t, err)
	s := doc.Components.Schemas["ErrorEnvelope"].Value
	s.Description = strings.Replace(s.Description, "| 1021 | Bad user | 400 | |", "| 1021 | Bad user (withdrawn) | 400 | |", 1)
	s.Description = strings.Replace(s.Description, "| 2013 |", "| 2099 | Template is paused | 400 | |\n| 2013 |", 1)
	src, err := Render(doc)
	require.NoError(t, err)
	out := string(src)
	assert.Contains(t, out, "\t// CodeTemplatePaused is 2099, \"Template is paused\": HTTP 400.\n\tCodeTemplatePaused = 2099\n")
	assert.Contains(t, out, "\t// CodeBadUser is 1021, \"Bad user\": HTTP 400.\n\t//\n\t// Deprecated: the spec marks this code withdrawn: Bad user (withdrawn).\n\tCodeBadUser = 1021\n")
	assert.Contains(t, out, "\t// CodeBadGroup is 1020, \"Bad group\": HTTP 400.\n\t//\n\t// Deprecated: the spec marks this code withdrawn.\n\tCodeBadGroup = 1020\n")
}
