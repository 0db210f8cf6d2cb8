package gen

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOrderItemKeepsMetasFormWhenReencoded decodes order items in both forms some builds send
// and re-encodes them byte for byte.
func TestOrderItemKeepsMetasFormWhenReencoded(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		qty      int64
		price    float64
	}{
		{"strings", `{"item_price":"10.5","quantity":"2"}`, 2, 10.5},
		{"numbers", `{"item_price":10.5,"quantity":2}`, 2, 10.5},
		{"mixed", `{"item_price":99,"quantity":"3"}`, 3, 99},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var it InboundOrderItem
			require.NoError(t, json.Unmarshal([]byte(tc.in), &it))
			q, err := it.Quantity.Int64()
			require.NoError(t, err)
			assert.Equal(t, tc.qty, q)
			p, err := it.ItemPrice.Float64()
			require.NoError(t, err)
			assert.InDelta(t, tc.price, p, 1e-9)
			out, err := json.Marshal(it)
			require.NoError(t, err)
			assert.JSONEq(t, tc.in, string(out))
			assert.Equal(t, tc.in, string(out), "the same bytes, quotes included")
		})
	}
	for _, bad := range []string{`{"quantity":"two"}`, `{"quantity":true}`, `{"quantity":"1e"}`} {
		var it InboundOrderItem
		assert.Error(t, json.Unmarshal([]byte(bad), &it), bad)
	}
}
