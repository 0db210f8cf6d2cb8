package api

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ctxRecorder is a request editor that records the context of every attempt.
type ctxRecorder struct{ seen []context.Context }

func (r *ctxRecorder) edit(ctx context.Context, _ *http.Request) error {
	r.seen = append(r.seen, ctx)
	return nil
}

// sendClient returns a client whose server accepts every send, and its context recorder.
func sendClient(t *testing.T) (*Client, *ctxRecorder) {
	t.Helper()
	var rec ctxRecorder
	c, mux := setup(t, WithRequestEditor(rec.edit))
	mux.HandleFunc("POST /v1/messages", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusCreated, sentResp)
	})
	return c, &rec
}

// uncomparableCtx is a caller's context type that == cannot compare (it panics).
type uncomparableCtx struct {
	context.Context
	tags []string
}

// TestSendTextReusesTheAttemptContextOfTheSameCaller proves that sequential sends under one
// context share one per-attempt context (the five allocations of a new one were the cost of
// the per-attempt timeout in BenchmarkSendText), and that reuse never crosses contexts.
func TestSendTextReusesTheAttemptContextOfTheSameCaller(t *testing.T) {
	t.Parallel()
	type key struct{}
	tests := []struct {
		name       string
		first, sec func(base context.Context) context.Context
		reused     bool
	}{
		{"same context", func(b context.Context) context.Context { return b }, nil, true},
		{"background", func(context.Context) context.Context { return context.Background() }, nil, true},
		{"other values", func(b context.Context) context.Context { return context.WithValue(b, key{}, 1) },
			func(b context.Context) context.Context { return context.WithValue(b, key{}, 2) }, false},
		{"uncomparable type", func(b context.Context) context.Context { return uncomparableCtx{Context: b} }, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, rec := sendClient(t)
			first := tc.first(t.Context())
			second := first
			if tc.sec != nil {
				second = tc.sec(t.Context())
			}
			for _, ctx := range []context.Context{first, second} {
				id, err := c.SendText(ctx, customer, "hi")
				require.NoError(t, err)
				require.Equal(t, sentID, id)
			}
			require.Len(t, rec.seen, 2)
			assert.Equal(t, tc.reused, rec.seen[0] == rec.seen[1], "attempt context reused")
			if tc.sec != nil {
				assert.Equal(t, 2, rec.seen[1].Value(key{}), "the second send sees its own context's values")
			}
			require.NoError(t, rec.seen[1].Err(), "the kept context is live")
			require.NoError(t, c.Close())
			assert.Error(t, rec.seen[1].Err(), "Close cancels the kept context")
		})
	}
}

// TestAttemptContextIsNotReusedAfterItsCallerGaveUp checks that a state whose parent was
// canceled is not handed to the next send.
func TestAttemptContextIsNotReusedAfterItsCallerGaveUp(t *testing.T) {
	t.Parallel()
	c, rec := sendClient(t)
	ctx, cancel := context.WithCancel(t.Context())
	_, err := c.SendText(ctx, customer, "hi")
	require.NoError(t, err)
	cancel()
	_, err = c.SendText(ctx, customer, "hi")
	require.ErrorIs(t, err, context.Canceled)
	_, err = c.SendText(t.Context(), customer, "hi")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(rec.seen), 2)
	assert.NotSame(t, rec.seen[0], rec.seen[len(rec.seen)-1])
	assert.NoError(t, rec.seen[len(rec.seen)-1].Err())
}
