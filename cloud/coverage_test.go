package cloud

import (
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/internal/opdirective"
	"github.com/wabiz/wabiz/spec"
)

// rawOnly lists the operations of spec/cloud.yaml that deliberately have no wrapper, each
// with the reason; callers reach them through Client.Raw. The list may only shrink. It is
// empty: every operation has a wrapper.
var rawOnly = map[string]string{}

// wrapperDirectives returns, for each operationId named by a `//wabiz:operation` line in the
// package's non-test files, the functions that carry it, and the directives found outside the
// doc comment of an exported function.
func wrapperDirectives(t *testing.T) (map[string][]string, []string) {
	t.Helper()
	wrapped, misplaced, err := opdirective.Scan(".")
	require.NoError(t, err)
	return wrapped, misplaced
}

// TestCoverage keeps package cloud and spec/cloud.yaml in step, both ways: every operation
// of the spec has a wrapper (or is raw-only, with a reason), and every directive names an
// operation of the spec.
func TestCoverage(t *testing.T) {
	t.Parallel()
	doc, err := spec.LoadCloud()
	require.NoError(t, err)
	inSpec := map[string]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			inSpec[op.OperationID] = true
		}
	}
	require.NotEmpty(t, inSpec)
	wrapped, misplaced := wrapperDirectives(t)

	var missing, unknown, stale []string
	for op := range inSpec {
		if len(wrapped[op]) == 0 && rawOnly[op] == "" {
			missing = append(missing, op)
		}
	}
	for op, fns := range wrapped {
		if !inSpec[op] {
			unknown = append(unknown, op+" ("+strings.Join(fns, ", ")+")")
		}
	}
	for op, reason := range rawOnly {
		if !inSpec[op] || len(wrapped[op]) > 0 || strings.TrimSpace(reason) == "" {
			stale = append(stale, op)
		}
	}
	sort.Strings(missing)
	sort.Strings(unknown)
	sort.Strings(stale)
	assert.Empty(t, missing, "operations of spec/cloud.yaml without a //wabiz:operation wrapper or a raw-only reason")
	assert.Empty(t, unknown, "directives naming an operationId spec/cloud.yaml lacks")
	assert.Empty(t, stale, "raw-only entries that are unknown, wrapped after all, or without a reason")
	assert.Empty(t, misplaced, "directives outside the doc comment of an exported function")
}
