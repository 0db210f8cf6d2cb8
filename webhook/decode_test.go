package webhook

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

func TestDecodeMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
	}{
		{"empty", ``},
		{"blank", " \n\t"},
		{"truncated", `{"messages":[`},
		{"array", `[{"messages":[]}]`},
		{"null", `null`},
		{"string", `"messages"`},
		{"number", `42`},
		{"trailing data", `{"messages":[]} {}`},
		{"trailing garbage", `{"messages":[]}x`},
		{"single quotes", `{'messages':[]}`},
		{"invalid utf8 escape", `{"a":"\x"}`},
		{"comment", `{/* no */"messages":[]}`},
		// Without a validity pass over the whole body, the splitter must find these itself.
		{"items without a comma", `{"messages":[{"id":"A"} {"id":"B"}]}`},
		{"trailing comma in an array", `{"messages":[{"id":"A"},]}`},
		{"trailing comma in the object", `{"messages":[],}`},
		{"members without a comma", `{"messages":[] "statuses":[]}`},
		{"missing colon", `{"messages" []}`},
		{"bracket mismatch in an item", `{"messages":[{"id":"A"]]}`},
		{"bracket mismatch closing the array", `{"messages":[{"id":"A"}}}`},
		{"invalid number item", `{"messages":[01]}`},
		{"bare word item", `{"messages":[nul]}`},
		{"invalid null value", `{"messages":nul}`},
		{"invalid unknown value", `{"account":{"a":tru}}`},
		{"invalid value replaced by a repeated key", `{"messages":{"a":},"messages":[]}`},
		{"invalid array replaced by a repeated key", `{"messages":[{"a":}],"messages":[]}`},
		{"control character in a key", "{\"mess\x01ages\":[]}"},
		{"bad escape in a key", `{"m\qessages":[]}`},
		{"unterminated string after an escaped quote", `{"messages":[{"id":"A\"}]}`},
		{"type error and syntax error in one item", `{"messages":[{"timestamp":{},"id":}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, err := Decode([]byte(tt.body))
			require.ErrorIs(t, err, ErrMalformed)
			assert.Nil(t, n)

			var viaJSON Notification
			assert.Error(t, json.Unmarshal([]byte(tt.body), &viaJSON))
		})
	}
}

func TestDecodeTolerance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, n *Notification)
	}{
		{
			name: "empty object",
			body: `{}`,
			check: func(t *testing.T, n *Notification) {
				assert.Zero(t, n.Len())
				assert.NoError(t, n.Err())
			},
		},
		{
			name: "null arrays are empty",
			body: `{"messages":null,"statuses":null}`,
			check: func(t *testing.T, n *Notification) {
				assert.Zero(t, n.Len())
			},
		},
		{
			name: "unknown fields are ignored and kept in raw",
			body: `{"messages":[{"from":"16315551234","id":"ABGG1","timestamp":"1518694235","type":"text",
				"text":{"body":"hi","lang":"en"},"new_field":{"x":1}}]}`,
			check: func(t *testing.T, n *Notification) {
				require.Len(t, n.Messages, 1)
				m := n.Messages[0]
				assert.Equal(t, "hi", m.Text.Body)
				assert.Contains(t, string(m.Raw()), `"new_field":{"x":1}`)
				assert.Contains(t, string(m.Raw()), `"lang":"en"`)
				assert.NoError(t, n.Err())
			},
		},
		{
			name: "unknown message type goes to the catch-all with its raw JSON",
			body: `{"messages":[
				{"from":"16315551234","id":"ABGG1","timestamp":"1669234000","type":"reaction","reaction":{"emoji":"👍","message_id":"gBEG1"}},
				{"from":"16315551234","id":"ABGG2","timestamp":"1669234001","type":"text","text":{"body":"thanks"}}]}`,
			check: func(t *testing.T, n *Notification) {
				require.Len(t, n.Messages, 1)
				assert.Equal(t, "ABGG2", n.Messages[0].ID)
				require.Len(t, n.Unknown, 1)
				u := n.Unknown[0]
				assert.Equal(t, keyMessages, u.Key)
				assert.Equal(t, 0, u.Index)
				assert.Equal(t, "reaction", u.Type)
				assert.Equal(t, "ABGG1", u.ID)
				assert.Equal(t, "16315551234", u.From)
				assert.NoError(t, u.Err)
				assert.Equal(t, messageKey("ABGG1"), u.DedupeKey())
				assert.JSONEq(t, `{"emoji":"👍","message_id":"gBEG1"}`, rawMember(t, u.Raw, "reaction"))
			},
		},
		{
			name: "unknown status value goes to the catch-all",
			body: `{"statuses":[{"id":"gBEG1","recipient_id":"16315551234","status":"played","timestamp":"1669234100"}]}`,
			check: func(t *testing.T, n *Notification) {
				assert.Empty(t, n.Statuses)
				require.Len(t, n.Unknown, 1)
				u := n.Unknown[0]
				assert.Equal(t, keyStatuses, u.Key)
				assert.Equal(t, "played", u.Type)
				assert.Equal(t, "gBEG1", u.ID)
				assert.Equal(t, statusKey("gBEG1", "played", "16315551234"), u.DedupeKey())
			},
		},
		{
			name: "a bad item does not lose the others",
			body: `{"contacts":[{"profile":{"name":"Kerry Fisher"},"wa_id":"16315551234"}],"messages":[
				{"from":"16315551234","id":"ABGG1","timestamp":"1518694235","type":"text","text":{"body":"one"}},
				{"from":"16315551234","id":"ABGG2","timestamp":{"seconds":1518694236},"type":"text","text":{"body":"two"}},
				{"from":"16315551234","id":"ABGG3","timestamp":"1518694237","type":"text","text":{"body":"three"}}]}`,
			check: func(t *testing.T, n *Notification) {
				require.Len(t, n.Messages, 2)
				assert.Equal(t, "ABGG1", n.Messages[0].ID)
				assert.Equal(t, "ABGG3", n.Messages[1].ID)
				require.Len(t, n.Unknown, 1)
				u := n.Unknown[0]
				assert.Equal(t, 1, u.Index)
				assert.Equal(t, "ABGG2", u.ID, "the readable fields of a bad item are kept")
				assert.Empty(t, u.DedupeKey(), "a bad item is never deduplicated")
				var ie *ItemError
				require.ErrorAs(t, u.Err, &ie)
				assert.Equal(t, keyMessages, ie.Key)
				assert.Equal(t, 1, ie.Index)
				var te *json.UnmarshalTypeError
				assert.ErrorAs(t, n.Err(), &te)
				assert.Contains(t, n.Err().Error(), "webhook: messages[1]:")
			},
		},
		{
			name: "items that are not objects",
			body: `{"messages":[1,"x",null,[]],"statuses":[true]}`,
			check: func(t *testing.T, n *Notification) {
				assert.Empty(t, n.Messages)
				assert.Empty(t, n.Statuses)
				require.Len(t, n.Unknown, 5)
				for _, u := range n.Unknown {
					assert.ErrorIs(t, u.Err, errNotObject)
				}
			},
		},
		{
			name: "a known key whose value is not an array",
			body: `{"messages":{"from":"16315551234"},"statuses":[{"id":"gBEG1","status":"read","timestamp":"1"}]}`,
			check: func(t *testing.T, n *Notification) {
				require.Len(t, n.Statuses, 1)
				require.Len(t, n.Unknown, 1)
				u := n.Unknown[0]
				assert.Equal(t, keyMessages, u.Key)
				assert.Equal(t, -1, u.Index)
				assert.JSONEq(t, `{"from":"16315551234"}`, string(u.Raw))
				var ie *ItemError
				require.ErrorAs(t, u.Err, &ie)
				assert.Equal(t, -1, ie.Index)
				assert.Equal(t, "webhook: messages: not a JSON array", ie.Error())
			},
		},
		{
			name: "unknown top-level keys in sorted order",
			body: `{"zeta":1,"account_updates":[{"event":"x"}],"errors":[{"code":500,"title":"Generic error"}]}`,
			check: func(t *testing.T, n *Notification) {
				require.Len(t, n.Errors, 1)
				assert.Equal(t, 500, n.Errors[0].Code)
				require.Len(t, n.Unknown, 2)
				assert.Equal(t, "account_updates", n.Unknown[0].Key)
				assert.Equal(t, "zeta", n.Unknown[1].Key)
				assert.Equal(t, -1, n.Unknown[1].Index)
				assert.NoError(t, n.Err())
			},
		},
		{
			name: "keys are matched exactly",
			body: `{"Messages":[{"from":"1","id":"A","timestamp":"1","type":"text","text":{"body":"x"}}]}`,
			check: func(t *testing.T, n *Notification) {
				assert.Empty(t, n.Messages)
				require.Len(t, n.Unknown, 1)
				assert.Equal(t, "Messages", n.Unknown[0].Key)
			},
		},
		{
			name: "escaped keys and brackets inside strings",
			body: `{"mess\u0061ges":[{"from":"1","id":"A","timestamp":"1","type":"text","text":{"body":"a ] } \" [ { \\"}},
				{"from":"1","id":"B","timestamp":"1","type":"text","text":{"body":"[{\"x\":1}]"}}]}`,
			check: func(t *testing.T, n *Notification) {
				require.Len(t, n.Messages, 2)
				assert.Equal(t, `a ] } " [ { \`, n.Messages[0].Text.Body)
				assert.Equal(t, `[{"x":1}]`, n.Messages[1].Text.Body)
				assert.Empty(t, n.Unknown)
			},
		},
		{
			name: "repeated key: the last wins, as in encoding/json",
			body: `{"messages":[{"from":"1","id":"A","timestamp":"1","type":"text","text":{"body":"x"}}],
				"messages":[{"from":"1","id":"B","timestamp":"1","type":"text","text":{"body":"y"}}]}`,
			check: func(t *testing.T, n *Notification) {
				require.Len(t, n.Messages, 1)
				assert.Equal(t, "B", n.Messages[0].ID)
			},
		},
		{
			name: "error notice with a bad code",
			body: `{"errors":[{"code":"400","title":"Media download error"},{"code":433,"title":"Certificate signature invalid"}]}`,
			check: func(t *testing.T, n *Notification) {
				require.Len(t, n.Errors, 1)
				assert.Equal(t, 433, n.Errors[0].Code)
				require.Len(t, n.Unknown, 1)
				assert.Error(t, n.Unknown[0].Err)
			},
		},
		{
			name: "service notice of an unknown job",
			body: `{"services":[{"backup":{"status":"complete"}},{"message":{"gc":{"status":"complete","messages_deleted":5}}}]}`,
			check: func(t *testing.T, n *Notification) {
				require.Len(t, n.Services, 1)
				gc, job := n.Services[0].GC()
				require.NotNil(t, gc)
				assert.Equal(t, keyMessage, job)
				assert.Equal(t, int64(5), *gc.MessagesDeleted)
				require.Len(t, n.Unknown, 1)
				assert.Equal(t, keyServices, n.Unknown[0].Key)
				assert.NoError(t, n.Unknown[0].Err)
			},
		},
		{
			name: "senders are linked and check results are not",
			body: `{"contacts":[{"input":"+1 631 555 1234","status":"valid","wa_id":"16315551234"},
				{"profile":{"name":"Kerry Fisher"},"wa_id":"16315551234"}],
				"messages":[{"from":"16315551234","id":"A","timestamp":"1","type":"text","text":{"body":"x"}},
				{"from":"16315559999","id":"B","timestamp":"1","type":"text","text":{"body":"y"}}]}`,
			check: func(t *testing.T, n *Notification) {
				require.Len(t, n.Messages, 2)
				require.NotNil(t, n.Messages[0].Sender)
				assert.Equal(t, "Kerry Fisher", *n.Messages[0].Sender.Profile.Name)
				assert.Same(t, &n.Contacts[1], n.Messages[0].Sender)
				assert.Nil(t, n.Messages[1].Sender)
				assert.True(t, n.Contacts[0].IsCheckResult())
				assert.False(t, n.Contacts[1].IsCheckResult())
			},
		},
		{
			name: "numbers sent as strings or numbers",
			body: `{"messages":[{"from":"1","id":"A","timestamp":"1603069091","type":"order","order":{"catalog_id":"367025965434465",
				"product_items":[{"product_retailer_id":"SKU-1","quantity":"2","item_price":"10.5","currency":"USD"},
				{"product_retailer_id":"SKU-2","quantity":3,"item_price":7.25,"currency":"EUR"}]}}],
				"statuses":[{"id":"g","status":"sent","timestamp":"1","conversation":{"id":"c","expiration_timestamp":"1631023500"}}]}`,
			check: func(t *testing.T, n *Notification) {
				require.Len(t, n.Messages, 1)
				items := *n.Messages[0].Order.ProductItems
				q, err := items[0].Quantity.Int64()
				require.NoError(t, err)
				assert.Equal(t, int64(2), q)
				p, err := items[1].ItemPrice.Float64()
				require.NoError(t, err)
				assert.InDelta(t, 7.25, p, 1e-9)
				exp, err := n.Statuses[0].Conversation.ExpirationTimestamp.Int64()
				require.NoError(t, err)
				assert.Equal(t, int64(1631023500), exp)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, err := Decode([]byte(tt.body))
			require.NoError(t, err)
			tt.check(t, n)

			out, err := json.Marshal(n)
			require.NoError(t, err)
			assert.JSONEq(t, tt.body, string(out), "re-encoding gives the input back")
		})
	}
}

func TestDecodeCopiesInput(t *testing.T) {
	t.Parallel()
	body := []byte(`{"messages":[{"from":"1","id":"ABGG1","timestamp":"1","type":"text","text":{"body":"x"}}]}`)
	n, err := Decode(body)
	require.NoError(t, err)
	for i := range body {
		body[i] = ' '
	}
	assert.Equal(t, "ABGG1", n.Messages[0].ID)
	assert.Contains(t, string(n.Raw()), "ABGG1")
	assert.Contains(t, string(n.Messages[0].Raw()), "ABGG1")
}

func TestMessageHelpers(t *testing.T) {
	t.Parallel()
	media := &gen.InboundMedia{ID: "m"}
	tests := []struct {
		name      string
		body      string
		wantMedia bool
		identity  *IdentityChange
	}{
		{"image", `{"from":"1","id":"A","timestamp":"1521497954","type":"image","image":{"id":"m"}}`, true, nil},
		{"audio", `{"from":"1","id":"A","timestamp":"1521497954","type":"audio","audio":{"id":"m"}}`, true, nil},
		{"voice", `{"from":"1","id":"A","timestamp":"1521497954","type":"voice","voice":{"id":"m"}}`, true, nil},
		{"video", `{"from":"1","id":"A","timestamp":"1521497954","type":"video","video":{"id":"m"}}`, true, nil},
		{"document", `{"from":"1","id":"A","timestamp":"1521497954","type":"document","document":{"id":"m"}}`, true, nil},
		{"sticker", `{"from":"1","id":"A","timestamp":"1521497954","type":"sticker","sticker":{"id":"m"}}`, true, nil},
		{"text has no media", `{"from":"1","id":"A","timestamp":"1521497954","type":"text","text":{"body":"x"},"image":{"id":"m"}}`, false, nil},
		{
			"user_identity_changed", `{"from":"16315553601","id":"A","timestamp":"1521497954","type":"system",
			"system":{"type":"user_identity_changed","user":"16315553601","identity":"Rc/eg9Rl0JA="}}`, false,
			&IdentityChange{WaID: "16315553601", Hash: "Rc/eg9Rl0JA=", MessageID: "A", EventType: SystemEventUserIdentityChanged},
		},
		{
			"customer_identity_changed", `{"from":"16315553601","id":"A","timestamp":"1521497954","type":"system",
			"system":{"type":"customer_identity_changed","customer":"16315553602","identity":"Sjvjlx8G6Z0="}}`, false,
			&IdentityChange{WaID: "16315553602", Hash: "Sjvjlx8G6Z0=", MessageID: "A", EventType: SystemEventCustomerIdentityChanged},
		},
		{
			"identity block not acknowledged", `{"from":"16315553601","id":"A","timestamp":"1521497954","type":"text",
			"text":{"body":"x"},"identity":{"acknowledged":false,"created_timestamp":1602532300000,"hash":"Sjvjlx8G6Z0="}}`, false,
			&IdentityChange{WaID: "16315553601", Hash: "Sjvjlx8G6Z0=", MessageID: "A"},
		},
		{
			"identity block acknowledged", `{"from":"16315553601","id":"A","timestamp":"1521497954","type":"text",
			"text":{"body":"x"},"identity":{"acknowledged":true,"hash":"Sjvjlx8G6Z0="}}`, false, nil,
		},
		{
			"number change is no identity change", `{"from":"16315558889","id":"A","timestamp":"1521497954","type":"system",
			"system":{"type":"user_changed_number","new_wa_id":"16315558890"}}`, false, nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var m Message
			require.NoError(t, json.Unmarshal([]byte(tt.body), &m))
			assert.JSONEq(t, tt.body, string(m.Raw()))
			if tt.wantMedia {
				assert.Equal(t, media, m.Media())
			} else {
				assert.Nil(t, m.Media())
			}
			ic, ok := m.IdentityChange()
			if tt.identity == nil {
				assert.False(t, ok)
			} else {
				assert.True(t, ok)
				assert.Equal(t, *tt.identity, ic)
			}
			ts, err := m.Time()
			require.NoError(t, err)
			assert.Equal(t, time.Unix(1521497954, 0), ts)
			assert.Equal(t, messageKey("A"), m.DedupeKey())
		})
	}
}

func TestStatusHelpers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		wantKey string
		wantErr bool
	}{
		{"with recipient", `{"id":"g1","recipient_id":"16315551234","status":"read","timestamp":"1518694722"}`,
			statusKey("g1", "read", "16315551234"), false},
		{"without recipient", `{"id":"g1","status":"read","timestamp":"1518694722"}`, statusKey("g1", "read", ""), false},
		{"without id", `{"status":"read","timestamp":"1518694722"}`, "", false},
		{"bad timestamp", `{"id":"g1","status":"read","timestamp":"yesterday"}`, statusKey("g1", "read", ""), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var s Status
			require.NoError(t, json.Unmarshal([]byte(tt.body), &s))
			assert.Equal(t, tt.wantKey, s.DedupeKey())
			ts, err := s.Time()
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, time.Unix(1518694722, 0), ts)
		})
	}

	// Per-participant statuses of a group message share id and value; their keys differ.
	n, err := Decode(mustRead(t, "status_group_participant_delivered.json"))
	require.NoError(t, err)
	require.Len(t, n.Statuses, 2)
	assert.NotEqual(t, n.Statuses[0].DedupeKey(), n.Statuses[1].DedupeKey())
}

func TestItemsBuiltInCode(t *testing.T) {
	t.Parallel()
	body := "hello"
	n := Notification{
		Messages: []Message{{InboundMessage: gen.InboundMessage{
			From: "16315551234", ID: "ABGG1", Timestamp: "1518694235", Type: MessageTypeText,
			Text: &gen.InboundText{Body: body},
		}}},
		Statuses: []Status{{MessageStatus: gen.MessageStatus{ID: "gBEG1", Status: StatusRead, Timestamp: "1518694722"}}},
		Unknown:  []Unknown{{Key: "future", Index: -1, Raw: json.RawMessage(`{"a":1}`)}},
	}
	out, err := json.Marshal(n)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"messages":[{"from":"16315551234","id":"ABGG1","timestamp":"1518694235","type":"text","text":{"body":"hello"}}],
		"statuses":[{"id":"gBEG1","status":"read","timestamp":"1518694722"}],
		"future":{"a":1}}`, string(out))
	assert.Nil(t, n.Raw())
}

// rawMember returns the JSON of member key of the object raw.
func rawMember(t *testing.T, raw json.RawMessage, key string) string {
	t.Helper()
	var obj map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &obj))
	return string(obj[key])
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	for _, f := range loadCorpus(t) {
		if f.name == name {
			return f.data
		}
	}
	require.FailNow(t, "corpus file not found", name)
	return nil
}
