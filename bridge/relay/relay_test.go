package relay

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewValidatesConfigAndOptions(t *testing.T) {
	t.Parallel()
	st := newMemory(t)
	box := &settingsBox{}
	good := Config{AppSecret: "s", VerifyToken: "v", Settings: box.get}
	tests := []struct {
		name string
		cfg  Config
		opts []Option
	}{
		{"no secret", Config{VerifyToken: "v", Settings: box.get}, nil},
		{"no token", Config{AppSecret: "s", Settings: box.get}, nil},
		{"no settings", Config{AppSecret: "s", VerifyToken: "v"}, nil},
		{"nil option", good, []Option{nil}},
		{"nil logger", good, []Option{WithLogger(nil)}},
		{"nil clock", good, []Option{WithClock(nil)}},
		{"nil transport", good, []Option{WithTransport(nil)}},
		{"zero capacity", good, []Option{WithQueueCapacity(0)}},
		{"zero TTL", good, []Option{WithDedupeTTL(0)}},
		{"zero timeout", good, []Option{WithDeliveryTimeout(0)}},
		{"negative drain", good, []Option{WithDrainTimeout(-1)}},
		{"zero body limit", good, []Option{WithMaxBodyBytes(0)}},
		{"zero recheck", good, []Option{WithRecheck(0)}},
		{"empty user agent", good, []Option{WithUserAgent("")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(st, tt.cfg, tt.opts...)
			assert.Error(t, err)
		})
	}
	_, err := New(nil, good)
	assert.Error(t, err)
	r, err := New(st, good)
	require.NoError(t, err)
	assert.NoError(t, r.Close())
	assert.ErrorIs(t, r.Run(t.Context()), ErrClosed)
}
