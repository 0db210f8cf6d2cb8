package api

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/spec"
)

// TestOperationsTableMatchesSpec keeps the route table that names operations in errors equal
// to spec/openapi.yaml, listing every difference.
func TestOperationsTableMatchesSpec(t *testing.T) {
	t.Parallel()
	doc, err := spec.Load()
	require.NoError(t, err)
	want := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			want[method+" "+path] = op.OperationID
		}
	}
	got := map[string]string{}
	for _, op := range operations {
		got[op.method+" "+op.path] = op.id
	}
	var missing, extra []string
	for k, v := range want {
		if got[k] != v {
			missing = append(missing, k+" "+v)
		}
	}
	for k, v := range got {
		if want[k] != v {
			extra = append(extra, k+" "+v)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	assert.Empty(t, missing, "routes of the spec missing from api/operations.go")
	assert.Empty(t, extra, "routes of api/operations.go not in the spec")
}

func TestOperationOf(t *testing.T) {
	t.Parallel()
	tests := []struct{ method, path, want string }{
		{"POST", "/v1/messages", "sendMessage"},
		{"POST", "/v1/messages/", "sendMessage"},
		{"GET", "/v1/media/abc", "downloadMedia"},
		{"GET", "/v1/media/", "GET /v1/media"},
		{"DELETE", "/v1/stickerpacks/p/stickers/s", "deleteSticker"},
		{"GET", "/v1/nowhere", "GET /v1/nowhere"},
	}
	for _, tc := range tests {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, operationOf(tc.method, tc.path))
		})
	}
}
