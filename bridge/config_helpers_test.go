package bridge

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/bridge/store"
	"github.com/wabiz/wabiz/cloud"
)

// newConfigBridge returns a Bridge over an in-memory store, for calling the settings,
// certificate, backup and refusal methods directly.
func newConfigBridge(t *testing.T) (*Bridge, store.Store) {
	t.Helper()
	st, err := store.NewMemory()
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	cc, err := cloud.NewClient("106540352242922", cloud.WithToken("test-token"), cloud.WithBaseURL("http://127.0.0.1:1"))
	require.NoError(t, err)
	b, err := New(t.Context(), Config{Cloud: cc, Store: st})
	require.NoError(t, err)
	return b, st
}
