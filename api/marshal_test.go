package api

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

// TestMarshalMessageMatchesGen checks that the fast encoding of text messages gives the
// bytes encoding/json gives for gen.Message, escaping included, and that other messages take
// the generic path.
func TestMarshalMessageMatchesGen(t *testing.T) {
	t.Parallel()
	text := func(body string, opts ...SendOption) *gen.Message {
		typ := gen.MessageTypeText
		m := &gen.Message{To: customer, Type: &typ, Text: &gen.TextContent{Body: body}}
		for _, o := range opts {
			require.NoError(t, o(m))
		}
		return m
	}
	tests := []struct {
		name string
		msg  *gen.Message
	}{
		{"plain", text("Your order has shipped")},
		{"escaping", text("<a href=\"x\">&amp;</a> \u2028 \x00 \xff é 😀 \\ \t\n")},
		{"empty", &gen.Message{}},
		{"options", text("see https://example.com", WithPreviewURL(), ToGroup(), WithTTL(time.Hour))},
		{"image", &gen.Message{To: customer, Image: &gen.OutboundMedia{ID: ptr("m1")}}},
		{"preview and group", text("see https://example.com", WithPreviewURL(), ToGroup())},
		{"preview false", func() *gen.Message { m := text("x"); m.PreviewURL = ptr(false); return m }()},
		{"empty body", text("")},
		{"printable ASCII edges", text(" ~!#$%'()*+,-./09:;=?@AZ[]^_`az{|}")},
		{"DEL", text("a\x7fb")},
		{"quote", text(`say "hi"`)},
		{"backslash", text(`C:\\tmp`)},
		{"less than", text("1 < 2")},
		{"greater than", text("2 > 1")},
		{"ampersand", text("R&D")},
		{"control", text("a\x1fb")},
		{"non-ASCII", text("café")},
		{"escaping recipient", func() *gen.Message { m := text("hi"); m.To = `+1 "631"`; return m }()},
		{"text without type", &gen.Message{To: customer, Text: &gen.TextContent{Body: "hi"}}},
		{"text and render mentions", func() *gen.Message { m := text("@x"); m.RenderMentions = ptr(true); return m }()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want, err := json.Marshal(tc.msg)
			require.NoError(t, err)
			got, err := marshalMessage(tc.msg)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
		})
	}
}

// TestTextWireMirrorsGenMessage checks that every field of textWire is the gen.Message field
// of the same name with the same type and tag, in the same order.
func TestTextWireMirrorsGenMessage(t *testing.T) {
	t.Parallel()
	msgType := reflect.TypeFor[gen.Message]()
	wire := reflect.TypeFor[textWire]()
	last := -1
	for i := range wire.NumField() {
		f := wire.Field(i)
		g, ok := msgType.FieldByName(f.Name)
		require.True(t, ok, "gen.Message has no field %s", f.Name)
		assert.Equal(t, g.Type, f.Type, f.Name)
		assert.Equal(t, g.Tag, f.Tag, f.Name)
		assert.Greater(t, g.Index[0], last, "field order of %s", f.Name)
		last = g.Index[0]
	}
}
