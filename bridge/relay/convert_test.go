package relay

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/webhook"
)

// strictCallback is the On-Premises callback with the Cloud blocks the relay keeps on
// purpose (see the package doc), decoded with DisallowUnknownFields: a Cloud-only member
// that leaked into a callback fails the decode.
type strictCallback struct {
	Contacts []gen.WebhookContact `json:"contacts"`
	Messages []struct {
		gen.InboundMessage
		Interactive *struct {
			gen.InboundInteractive
			NfmReply *webhook.CloudFlowReply `json:"nfm_reply"`
		} `json:"interactive"`
		Reaction *webhook.CloudReaction `json:"reaction"`
	} `json:"messages"`
	Statuses []gen.MessageStatus `json:"statuses"`
	Errors   []gen.ErrorDetail   `json:"errors"`
}

func convertFile(t *testing.T, data []byte, s Settings) (*webhook.Notification, Conversion) {
	t.Helper()
	n, err := webhook.DecodeCloud(data)
	require.NoError(t, err)
	return n, Convert(n, s)
}

// TestConvertCorpusValidatesAgainstSpec converts every Cloud payload of the webhook
// package's corpus and checks that each callback is valid against the On-Premises
// WebhookNotification schema, carries no Cloud-only member, and that every item of the
// decoded webhook is accounted for: forwarded or dropped with a reason.
func TestConvertCorpusValidatesAgainstSpec(t *testing.T) {
	t.Parallel()
	schema := payloadSchema(t)
	for _, f := range loadCloudCorpus(t) {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			n, conv := convertFile(t, f.data, allSettings("http://127.0.0.1/hook"))
			contacts := map[string]bool{}
			var messages, statuses, errs int
			keys := map[string]bool{}
			for _, cb := range conv.Callbacks {
				assert.NoError(t, schema.VisitJSON(decodeJSON(t, cb.Payload)), "%s", cb.Payload)
				dec := json.NewDecoder(bytes.NewReader(cb.Payload))
				dec.DisallowUnknownFields()
				var sc strictCallback
				assert.NoError(t, dec.Decode(&sc), "a Cloud-only member leaked: %s", cb.Payload)
				assert.NotEmpty(t, cb.DedupeKey, "callback without a dedupe key: %s", cb.Payload)
				assert.False(t, keys[cb.DedupeKey], "two callbacks share the key %q", cb.DedupeKey)
				keys[cb.DedupeKey] = true
				for _, c := range sc.Contacts {
					b, _ := json.Marshal(c)
					contacts[string(b)] = true
				}
				messages += len(sc.Messages)
				statuses += len(sc.Statuses)
				errs += len(sc.Errors)
				switch cb.Kind {
				case KindMessage:
					assert.Len(t, sc.Messages, 1)
					assert.Empty(t, sc.Statuses)
				case KindStatus:
					assert.Len(t, sc.Statuses, 1)
					assert.Empty(t, sc.Messages)
				case KindErrors:
					assert.NotEmpty(t, sc.Errors)
					assert.Empty(t, sc.Messages)
				default:
					t.Errorf("callback of kind %q", cb.Kind)
				}
			}
			dropped := len(conv.Dropped)
			// Every item of the decoded webhook: the typed ones and the unknown ones (some
			// of which become messages or statuses).
			assert.Equal(t, n.Len(), len(contacts)+messages+statuses+errs+dropped,
				"items: %d contacts, %d messages, %d statuses, %d errors, %d unknown; forwarded %d contacts, %d messages, %d statuses, %d errors, dropped %+v",
				len(n.Contacts), len(n.Messages), len(n.Statuses), len(n.Errors), len(n.Unknown),
				len(contacts), messages, statuses, errs, conv.Dropped)
		})
	}
}

// TestConvertMapsCloudItemsToOnPremisesForms checks the conversion of each kind of Cloud
// item against what the On-Premises API sent for it.
func TestConvertMapsCloudItemsToOnPremisesForms(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{}
	for _, f := range loadCloudCorpus(t) {
		files[f.name] = f.data
	}
	tests := []struct {
		file string
		// want maps paths in the (only, unless index says otherwise) callback to values.
		want map[string]any
		// absent lists paths that must not exist.
		absent []string
		// drops is the list of drop reasons expected, in order.
		drops []string
		// callbacks is the number of callbacks expected.
		callbacks int
	}{
		{file: "message_text.json", callbacks: 1, want: map[string]any{
			"contacts.0.wa_id": "16505551234", "contacts.0.profile.name": "Sheena Nelson",
			"messages.0.type": "text", "messages.0.from": "16505551234",
		}, absent: []string{"contacts.0.user_id", "messages.0.from_user_id", "object", "entry"}},
		{file: "message_bsuid_only.json", callbacks: 1, want: map[string]any{
			"messages.0.from": "US.13491208655302741918", "contacts.0.wa_id": "US.13491208655302741918",
			"contacts.0.profile.name": "Maria",
		}, absent: []string{"contacts.0.profile.username", "messages.0.from_parent_user_id"}},
		{file: "system_user_changed_number.json", callbacks: 1, want: map[string]any{
			"messages.0.type": "system", "messages.0.system.type": "customer_changed_number",
			"messages.0.system.customer": "16505551234", "messages.0.system.wa_id": "16505555678",
		}, absent: []string{"contacts", "messages.0.system.user_id", "messages.0.system.previous_user_id"}},
		{file: "message_unsupported.json", callbacks: 1, want: map[string]any{
			"messages.0.type": "unknown", "messages.0.errors.0.code": float64(501),
			"messages.0.errors.0.title":   "Unsupported message type",
			"messages.0.errors.0.details": "Message type is currently not supported.",
		}, absent: []string{"messages.0.unsupported"}},
		{file: "future_message_type_ephemeral.json", callbacks: 1, want: map[string]any{
			"messages.0.type": "unknown", "messages.0.errors.0.code": float64(501),
			"contacts.0.wa_id": "16505551234",
		}, absent: []string{"messages.0.ephemeral"}},
		{file: "message_reaction.json", callbacks: 1, want: map[string]any{
			"messages.0.type": "reaction", "messages.0.reaction.emoji": "\U0001F44D",
		}},
		{file: "message_interactive_nfm_reply.json", callbacks: 1, want: map[string]any{
			"messages.0.type": "interactive", "messages.0.interactive.type": "nfm_reply",
		}},
		{file: "message_image.json", callbacks: 1, want: map[string]any{
			"messages.0.type": "image",
		}, absent: []string{"messages.0.image.url"}},
		{file: "status_failed_131026.json", callbacks: 1, want: map[string]any{
			"statuses.0.status": "failed", "statuses.0.errors.0.code": float64(131026),
			"statuses.0.errors.0.title":   "Message undeliverable",
			"statuses.0.errors.0.details": "Message Undeliverable.",
		}, absent: []string{"statuses.0.errors.0.error_data", "statuses.0.errors.0.message"}},
		// Cloud adds the recipient's contacts entry to statuses (business-scoped ids);
		// On-Premises statuses have none.
		{file: "status_sent_biz_opaque.json", callbacks: 1, want: map[string]any{
			"statuses.0.status": "sent", "statuses.0.pricing.pricing_model": "PMP",
			"statuses.0.conversation.origin.type": "utility",
		}, absent: []string{"statuses.0.biz_opaque_callback_data", "statuses.0.recipient_user_id", "contacts"},
			drops: []string{DropOrphanContact}},
		{file: "status_sent_utility_free_entry_point.json", callbacks: 1, want: map[string]any{
			"statuses.0.pricing.category": "referral_conversion", "statuses.0.pricing.billable": false,
		}, absent: []string{"statuses.0.pricing.type"}},
		{file: "errors_value_130429.json", callbacks: 1, want: map[string]any{
			"errors.0.code": float64(130429), "errors.0.title": "Rate limit hit",
			"errors.0.details": "Cloud API message throughput has been reached.",
		}, absent: []string{"messages", "statuses"}},
		{file: "field_account_update.json", drops: []string{DropField}},
		{file: "field_message_template_status_update.json", drops: []string{DropField}},
		{file: "future_field_calls.json", drops: []string{DropField}},
		{file: "unknown_top_level_key.json", callbacks: 1, drops: []string{DropUnknownKey}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			data, ok := files[tt.file]
			require.True(t, ok, "no corpus file %s", tt.file)
			_, conv := convertFile(t, data, allSettings("http://127.0.0.1/hook"))
			require.Len(t, conv.Callbacks, tt.callbacks, "callbacks %+v", conv.Callbacks)
			var reasons []string
			for _, d := range conv.Dropped {
				reasons = append(reasons, d.Reason)
			}
			assert.Equal(t, tt.drops, reasons)
			if tt.callbacks == 0 {
				return
			}
			v := decodeJSON(t, conv.Callbacks[0].Payload)
			for path, want := range tt.want {
				got, ok := jsonPath(v, path)
				if assert.True(t, ok, "%s missing in %s", path, conv.Callbacks[0].Payload) {
					assert.Equal(t, want, got, "%s", path)
				}
			}
			for _, path := range tt.absent {
				_, ok := jsonPath(v, path)
				assert.False(t, ok, "%s present in %s", path, conv.Callbacks[0].Payload)
			}
		})
	}
}

// TestConvertAppliesStatusToggles drops the sent, delivered and read statuses switched off
// in the settings (played goes with read) and never the others.
func TestConvertAppliesStatusToggles(t *testing.T) {
	t.Parallel()
	values := []string{"sent", "delivered", "read", "played", "failed", "deleted"}
	tests := []struct {
		name                  string
		sent, delivered, read bool
		want                  []string
	}{
		{"all on", true, true, true, values},
		{"all off", false, false, false, []string{"failed", "deleted"}},
		{"sent off", false, true, true, []string{"delivered", "read", "played", "failed", "deleted"}},
		{"delivered only", false, true, false, []string{"delivered", "failed", "deleted"}},
		{"read only", false, false, true, []string{"read", "played", "failed", "deleted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := Settings{Sent: tt.sent, Delivered: tt.delivered, Read: tt.read}
			var got []string
			off := 0
			for i, v := range values {
				_, conv := convertFile(t, statusWebhook(i, v), s)
				for _, cb := range conv.Callbacks {
					st, _ := jsonPath(decodeJSON(t, cb.Payload), "statuses.0.status")
					got = append(got, st.(string))
				}
				for _, d := range conv.Dropped {
					assert.Equal(t, DropStatusOff, d.Reason)
					assert.Equal(t, v, d.Key)
					off++
				}
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, len(values)-len(tt.want), off)
		})
	}
}

// TestConvertKeysItemsWithoutIDByBodyAndPosition: value-level errors have no id; the same
// body gives the same key (a redelivery is absorbed), another body another key.
func TestConvertKeysItemsWithoutIDByBodyAndPosition(t *testing.T) {
	t.Parallel()
	var data []byte
	for _, f := range loadCloudCorpus(t) {
		if f.name == "errors_value_130429.json" {
			data = f.data
		}
	}
	require.NotNil(t, data)
	_, a := convertFile(t, data, Settings{})
	_, b := convertFile(t, append([]byte(nil), data...), Settings{})
	_, c := convertFile(t, append(append([]byte(nil), data...), ' '), Settings{})
	require.Len(t, a.Callbacks, 1)
	assert.Equal(t, a.Callbacks[0].DedupeKey, b.Callbacks[0].DedupeKey)
	assert.NotEqual(t, a.Callbacks[0].DedupeKey, c.Callbacks[0].DedupeKey)
}
