package api

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/internal/opdirective"
	"github.com/wabiz/wabiz/spec"
)

// rawOnly lists the spec operations that deliberately have no wrapper, each with the reason;
// callers reach them through Client.Raw. The list may only shrink. It is empty: every
// operation has a wrapper.
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

// TestCoverage keeps package api and the spec in step, both ways: every operation of the spec
// has a wrapper (or is raw-only, with a reason), and every directive names an operation of
// the spec.
func TestCoverage(t *testing.T) {
	t.Parallel()
	doc, err := spec.Load()
	require.NoError(t, err)
	inSpec := map[string]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			inSpec[op.OperationID] = true
		}
	}
	require.NotEmpty(t, inSpec)
	wrapped, misplaced := wrapperDirectives(t)

	t.Run("every_operation_has_a_wrapper", func(t *testing.T) {
		t.Parallel()
		var missing []string
		for op := range inSpec {
			if len(wrapped[op]) == 0 && rawOnly[op] == "" {
				missing = append(missing, op)
			}
		}
		sort.Strings(missing)
		assert.Empty(t, missing, "operations without a //wabiz:operation wrapper or a raw-only reason")
	})
	t.Run("every_directive_names_a_spec_operation", func(t *testing.T) {
		t.Parallel()
		var unknown []string
		for op, fns := range wrapped {
			if !inSpec[op] {
				unknown = append(unknown, op+" ("+strings.Join(fns, ", ")+")")
			}
		}
		sort.Strings(unknown)
		assert.Empty(t, unknown, "directives naming an operationId the spec lacks")
	})
	t.Run("directives_are_on_exported_functions", func(t *testing.T) {
		t.Parallel()
		assert.Empty(t, misplaced, "directives outside the doc comment of an exported function")
	})
	t.Run("raw_only_entries_are_needed", func(t *testing.T) {
		t.Parallel()
		var stale []string
		for op, reason := range rawOnly {
			if !inSpec[op] || len(wrapped[op]) > 0 || strings.TrimSpace(reason) == "" {
				stale = append(stale, op)
			}
		}
		sort.Strings(stale)
		assert.Empty(t, stale, "raw-only entries that are unknown, wrapped after all, or without a reason")
	})
}

// TestMediaLimitsMatchSpec keeps the size constants, and MediaKindOf, equal to the
// x-wabiz-media-limits extension of uploadMedia.
func TestMediaLimitsMatchSpec(t *testing.T) {
	t.Parallel()
	doc, err := spec.Load()
	require.NoError(t, err)
	item := doc.Paths.Find("/v1/media")
	require.NotNil(t, item)
	require.NotNil(t, item.Post)
	ext, ok := item.Post.Extensions["x-wabiz-media-limits"]
	require.True(t, ok, "uploadMedia has x-wabiz-media-limits")
	raw, err := json.Marshal(ext)
	require.NoError(t, err)
	var limits []struct {
		Kind       MediaKind `json:"kind"`
		Variant    string    `json:"variant"` // "static" for stickers, the only outbound variant
		MediaTypes []string  `json:"media_types"`
		MaxBytes   int64     `json:"max_bytes"`
	}
	require.NoError(t, json.Unmarshal(raw, &limits))

	ours := map[string]int64{
		"audio": LimitAudio, "document": LimitDocument, "image": LimitImage,
		"sticker/static": LimitSticker, "video": LimitVideo,
	}
	seen := map[string]bool{}
	for _, l := range limits {
		key := string(l.Kind)
		if l.Variant != "" {
			key += "/" + l.Variant
		}
		seen[key] = true
		want, ok := ours[key]
		if assert.True(t, ok, "a limit in the spec the client does not know: %s", key) {
			assert.Equal(t, l.MaxBytes, want, "limit of %s", key)
			assert.Equal(t, want, mediaLimit(l.Kind), "mediaLimit(%s)", key)
		}
		for _, mt := range l.MediaTypes {
			if strings.HasSuffix(mt, "/*") {
				mt = strings.TrimSuffix(mt, "*") + "x-anything" // a member of the range
			}
			assert.Equal(t, l.Kind, MediaKindOf(mt), "kind of %s", mt)
		}
	}
	for key := range ours {
		assert.True(t, seen[key], "a client limit the spec does not state: %s", key)
	}
}
