package webhook

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func decodeCloudFile(t *testing.T, name string) *Notification {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "cloud", name))
	require.NoError(t, err)
	n, err := DecodeCloud(data)
	require.NoError(t, err)
	require.NoError(t, n.Err())
	return n
}

func onlyMessage(t *testing.T, n *Notification) *Message {
	t.Helper()
	require.Len(t, n.Messages, 1)
	require.NotNil(t, n.Messages[0].Cloud)
	return &n.Messages[0]
}

func onlyStatus(t *testing.T, n *Notification) *Status {
	t.Helper()
	require.Len(t, n.Statuses, 1)
	require.NotNil(t, n.Statuses[0].Cloud)
	return &n.Statuses[0]
}

// TestDecodeCloudTypesCloudOnlyFields checks, payload by payload, that what only the Cloud
// API sends is typed in the items' Cloud fields, and what it sends in another shape is
// mapped into the On-Premises one.
func TestDecodeCloudTypesCloudOnlyFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file  string
		check func(t *testing.T, n *Notification)
	}{
		{"message_text.json", func(t *testing.T, n *Notification) {
			m := onlyMessage(t, n)
			assert.Equal(t, CloudSource{WABAID: corpusWABA, PhoneNumberID: corpusPNID,
				DisplayPhoneNumber: corpusDisplay, Field: CloudFieldMessages}, m.Cloud.Source)
			assert.Equal(t, "Does it come in another color?", m.Text.Body)
			assert.Equal(t, "US.13491208655302741918", m.Cloud.FromUserID)
			require.NotNil(t, m.Sender)
			assert.Equal(t, "Sheena Nelson", *m.Sender.Profile.Name)
			assert.Equal(t, "US.13491208655302741918", m.Sender.Cloud.UserID)
		}},
		{"message_bsuid_only.json", func(t *testing.T, n *Notification) {
			m := onlyMessage(t, n)
			assert.Empty(t, m.From, "no phone number can be shared")
			assert.Equal(t, "US.13491208655302741918", m.SenderID())
			assert.Equal(t, "US.ENT.11815799212886844830", m.Cloud.FromParentUserID)
			require.NotNil(t, m.Sender, "sender linked by business-scoped user id")
			assert.Nil(t, m.Sender.WaID)
			assert.Equal(t, "@maria.lopez", m.Sender.Cloud.Username)
			assert.Equal(t, "US.ENT.11815799212886844830", m.Sender.Cloud.ParentUserID)
		}},
		{"message_image.json", func(t *testing.T, n *Notification) {
			m := onlyMessage(t, n)
			require.NotNil(t, m.Image)
			assert.Equal(t, "1003383421387256", m.Image.ID)
			assert.Equal(t, "The dent on the left side", *m.Image.Caption)
			assert.True(t, strings.HasPrefix(m.Cloud.MediaURL, "https://lookaside.fbsbx.com/"), m.Cloud.MediaURL)
		}},
		{"message_audio_voice.json", func(t *testing.T, n *Notification) {
			m := onlyMessage(t, n)
			assert.Equal(t, MessageTypeAudio, m.Type)
			assert.Equal(t, "audio/ogg; codecs=opus", *m.Media().MimeType)
			assert.True(t, m.Cloud.Voice)
			assert.NotEmpty(t, m.Cloud.MediaURL)
		}},
		{"message_sticker_animated.json", func(t *testing.T, n *Notification) {
			m := onlyMessage(t, n)
			assert.True(t, m.Cloud.Animated)
			assert.False(t, m.Cloud.Voice)
		}},
		{"message_reaction.json", func(t *testing.T, n *Notification) {
			m := onlyMessage(t, n)
			assert.Equal(t, CloudMessageTypeReaction, m.Type)
			require.NotNil(t, m.Cloud.Reaction)
			assert.Equal(t, "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI4QjNDRjI4MkMyNjI2QjE3OUEA", m.Cloud.Reaction.MessageID)
			assert.Equal(t, "\U0001F44D", m.Cloud.Reaction.Emoji)
		}},
		{"message_reaction_removed.json", func(t *testing.T, n *Notification) {
			m := onlyMessage(t, n)
			require.NotNil(t, m.Cloud.Reaction)
			assert.Empty(t, m.Cloud.Reaction.Emoji)
		}},
		{"message_interactive_nfm_reply.json", func(t *testing.T, n *Notification) {
			m := onlyMessage(t, n)
			require.NotNil(t, m.Interactive)
			assert.Equal(t, "nfm_reply", *m.Interactive.Type)
			require.NotNil(t, m.Cloud.FlowReply)
			assert.Equal(t, "flow", *m.Cloud.FlowReply.Name)
			var resp map[string]string
			require.NoError(t, json.Unmarshal([]byte(*m.Cloud.FlowReply.ResponseJSON), &resp))
			assert.Equal(t, "2025-06-12", resp["appointment_date"])
		}},
		{"message_interactive_list_reply.json", func(t *testing.T, n *Notification) {
			m := onlyMessage(t, n)
			require.NotNil(t, m.Interactive.ListReply)
			assert.Equal(t, "priority-express", *m.Interactive.ListReply.ID)
			assert.Nil(t, m.Cloud.FlowReply)
		}},
		{"message_unsupported.json", func(t *testing.T, n *Notification) {
			m := onlyMessage(t, n)
			assert.Equal(t, MessageTypeUnknown, m.Type, "unsupported is the On-Premises unknown")
			assert.Equal(t, CloudMessageTypeUnsupported, m.Cloud.Type)
			assert.Equal(t, "edit", m.Cloud.UnsupportedType)
			require.NotNil(t, m.Errors)
			require.Len(t, *m.Errors, 1)
			e := (*m.Errors)[0]
			assert.Equal(t, 131051, e.Code)
			assert.Equal(t, "Message type unknown", e.Title)
			require.NotNil(t, e.Details)
			assert.Equal(t, "Message type is currently not supported.", *e.Details)
			assert.Equal(t, []CloudError{{Code: 131051, Title: "Message type unknown",
				Message: "Message type unknown", Details: "Message type is currently not supported."}}, m.Cloud.Errors)
		}},
		{"message_request_welcome.json", func(t *testing.T, n *Notification) {
			m := onlyMessage(t, n)
			assert.Equal(t, CloudMessageTypeRequestWelcome, m.Type)
		}},
		{"message_group_text.json", func(t *testing.T, n *Notification) {
			m := onlyMessage(t, n)
			require.NotNil(t, m.GroupID)
			require.NotNil(t, m.Sender)
			assert.Equal(t, "DF2lS5v2W6x=", m.Sender.Cloud.IdentityKeyHash)
		}},
		{"system_user_changed_number.json", func(t *testing.T, n *Notification) {
			m := onlyMessage(t, n)
			require.NotNil(t, m.System)
			assert.Equal(t, SystemEventCustomerChangedNumber, *m.System.Type, "mapped to the On-Premises name")
			assert.Equal(t, "16505551234", *m.System.Customer, "the old number")
			assert.Equal(t, "16505555678", *m.System.WaID, "the new number")
			assert.Equal(t, &CloudSystem{Type: SystemEventUserChangedNumber, WaID: "16505555678",
				UserID: "US.20411139458861290342", PreviousUserID: "US.13491208655302741918"}, m.Cloud.System)
			assert.Nil(t, m.Sender, "system messages carry no contacts")
		}},
		{"system_user_changed_user_id.json", func(t *testing.T, n *Notification) {
			m := onlyMessage(t, n)
			assert.Equal(t, CloudSystemEventUserChangedUserID, *m.System.Type, "no On-Premises counterpart")
			assert.Equal(t, "US.20411139458861290342", m.SenderID())
			assert.Equal(t, "US.13491208655302741918", m.Cloud.System.PreviousUserID)
		}},
		{"status_sent_biz_opaque.json", func(t *testing.T, n *Notification) {
			s := onlyStatus(t, n)
			assert.Equal(t, StatusSent, s.Status)
			assert.Equal(t, "order-7781;campaign=summer", s.Cloud.BizOpaqueCallbackData)
			assert.Equal(t, "US.13491208655302741918", s.Cloud.RecipientUserID)
			assert.Equal(t, "US.ENT.11815799212886844830", s.Cloud.RecipientParentUserID)
			assert.Equal(t, CloudPricingTypeRegular, s.Cloud.PricingType)
			require.NotNil(t, s.Pricing)
			assert.Equal(t, PricingModelPMP, *s.Pricing.PricingModel)
			assert.Equal(t, CategoryUtility, *s.Pricing.Category)
			require.NotNil(t, s.Conversation)
			assert.Equal(t, "1749503050", s.Conversation.ExpirationTimestamp.String())
			require.Len(t, n.Contacts, 1, "the recipient's ids come as a contacts entry")
			assert.Equal(t, "US.13491208655302741918", n.Contacts[0].Cloud.UserID)
		}},
		{"status_delivered_service_free.json", func(t *testing.T, n *Notification) {
			s := onlyStatus(t, n)
			assert.Equal(t, CloudPricingTypeFreeCustomerService, s.Cloud.PricingType)
			assert.False(t, *s.Pricing.Billable)
		}},
		{"status_failed_131047.json", func(t *testing.T, n *Notification) {
			s := onlyStatus(t, n)
			assert.Equal(t, StatusFailed, s.Status)
			require.NotNil(t, s.Errors)
			e := (*s.Errors)[0]
			assert.Equal(t, 131047, e.Code)
			require.NotNil(t, e.Details)
			assert.Contains(t, *e.Details, "more than 24 hours")
			require.NotNil(t, e.Href)
			assert.Equal(t, "Re-engagement message", s.Cloud.Errors[0].Message)
		}},
		{"status_group_sent.json", func(t *testing.T, n *Notification) {
			s := onlyStatus(t, n)
			assert.Equal(t, "group", s.Cloud.RecipientType)
			assert.Equal(t, "120363025143317429@g.us", *s.RecipientID)
		}},
		{"status_played.json", func(t *testing.T, n *Notification) {
			s := onlyStatus(t, n)
			assert.Equal(t, CloudStatusPlayed, s.Status)
			assert.NotEmpty(t, s.DedupeKey())
		}},
		{"errors_value_130429.json", func(t *testing.T, n *Notification) {
			require.Len(t, n.Errors, 1)
			e := n.Errors[0]
			assert.Equal(t, 130429, e.Code)
			assert.Equal(t, "Cloud API message throughput has been reached.", *e.Details)
			assert.Equal(t, "(#130429) Rate limit hit", e.Cloud.Error.Message)
			assert.Equal(t, corpusPNID, e.Cloud.Source.PhoneNumberID)
		}},
		{"combined_two_numbers.json", func(t *testing.T, n *Notification) {
			m := onlyMessage(t, n)
			s := onlyStatus(t, n)
			assert.Equal(t, CloudSource{WABAID: corpusWABA, PhoneNumberID: corpusPNID,
				DisplayPhoneNumber: corpusDisplay, Field: CloudFieldMessages}, m.Cloud.Source)
			assert.Equal(t, CloudSource{WABAID: "210934781223405", PhoneNumberID: "331298754410277",
				DisplayPhoneNumber: "15550479912", Field: CloudFieldMessages, Entry: 1}, s.Cloud.Source)
		}},
		{"combined_messages_and_template_update.json", func(t *testing.T, n *Notification) {
			require.Len(t, n.Messages, 2)
			for _, m := range n.Messages {
				require.NotNil(t, m.Sender)
				assert.Equal(t, m.From, *m.Sender.WaID)
			}
			require.Len(t, n.Unknown, 1)
			u := n.Unknown[0]
			assert.Equal(t, CloudFieldMessageTemplateStatusUpdate, u.Key)
			assert.Equal(t, "APPROVED", u.Type)
			assert.Equal(t, 1, u.Cloud.Change)
			var v map[string]any
			require.NoError(t, json.Unmarshal(u.Raw, &v))
			assert.Equal(t, "order_shipped", v["message_template_name"])
		}},
		{"field_account_update.json", func(t *testing.T, n *Notification) {
			require.Len(t, n.Unknown, 1)
			u := n.Unknown[0]
			assert.Equal(t, CloudFieldAccountUpdate, u.Key)
			assert.Equal(t, "VERIFIED_ACCOUNT", u.Type)
			assert.JSONEq(t, `{"phone_number":"15550783881","event":"VERIFIED_ACCOUNT"}`, string(u.Raw))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			tt.check(t, decodeCloudFile(t, tt.file))
		})
	}
}

// TestDecodeCloudMapsToOnPremisesNames decodes the payloads whose Cloud form differs from
// the On-Premises one on purpose, and checks that the On-Premises view of each item equals
// that of the equivalent On-Premises payload.
func TestDecodeCloudMapsToOnPremisesNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, cloud, onPrem string
	}{
		{
			"unsupported is unknown with details",
			`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
			  "messaging_product":"whatsapp","metadata":{"display_phone_number":"1555","phone_number_id":"9"},
			  "contacts":[{"profile":{"name":"A"},"wa_id":"16505551234"}],
			  "messages":[{"from":"16505551234","id":"wamid.A","timestamp":"1","type":"unsupported",
			    "errors":[{"code":131051,"title":"Message type unknown","message":"Message type unknown",
			      "error_data":{"details":"Message type is currently not supported."}}]}]}}]}]}`,
			`{"contacts":[{"profile":{"name":"A"},"wa_id":"16505551234"}],
			  "messages":[{"from":"16505551234","id":"wamid.A","timestamp":"1","type":"unknown",
			    "errors":[{"code":131051,"title":"Message type unknown","details":"Message type is currently not supported."}]}]}`,
		},
		{
			"user_changed_number is customer_changed_number",
			`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
			  "messaging_product":"whatsapp","metadata":{"display_phone_number":"1555","phone_number_id":"9"},
			  "messages":[{"from":"16505551234","id":"wamid.B","timestamp":"2","type":"system",
			    "system":{"body":"User A changed from 16505551234 to 16505555678","wa_id":"16505555678","type":"user_changed_number"}}]}}]}]}`,
			`{"messages":[{"from":"16505551234","id":"wamid.B","timestamp":"2","type":"system",
			    "system":{"body":"User A changed from 16505551234 to 16505555678","customer":"16505551234","wa_id":"16505555678","type":"customer_changed_number"}}]}`,
		},
		{
			"status error without error_data keeps message as details",
			`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
			  "messaging_product":"whatsapp","metadata":{"display_phone_number":"1555","phone_number_id":"9"},
			  "statuses":[{"id":"wamid.C","status":"failed","timestamp":"3","recipient_id":"16505551234",
			    "errors":[{"code":131000,"title":"Something went wrong","message":"Something went wrong"}]}]}}]}]}`,
			`{"statuses":[{"id":"wamid.C","status":"failed","timestamp":"3","recipient_id":"16505551234",
			    "errors":[{"code":131000,"title":"Something went wrong","details":"Something went wrong"}]}]}`,
		},
		{
			"value-level errors are errors-only callbacks",
			`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
			  "messaging_product":"whatsapp","metadata":{"display_phone_number":"1555","phone_number_id":"9"},
			  "errors":[{"code":131052,"title":"Media download error","message":"Media download error",
			    "error_data":{"details":"Unable to download."}}]}}]}]}`,
			`{"errors":[{"code":131052,"title":"Media download error","details":"Unable to download."}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cloud, err := DecodeCloud([]byte(tt.cloud))
			require.NoError(t, err)
			require.NoError(t, cloud.Err())
			onPrem, err := Decode([]byte(tt.onPrem))
			require.NoError(t, err)
			require.NoError(t, onPrem.Err())
			rebuild := func(n *Notification) string {
				typed := Notification{}
				for _, c := range n.Contacts {
					typed.Contacts = append(typed.Contacts, Contact{WebhookContact: c.WebhookContact})
				}
				for _, m := range n.Messages {
					typed.Messages = append(typed.Messages, Message{InboundMessage: m.InboundMessage})
				}
				for _, s := range n.Statuses {
					typed.Statuses = append(typed.Statuses, Status{MessageStatus: s.MessageStatus})
				}
				for _, e := range n.Errors {
					typed.Errors = append(typed.Errors, ErrorNotice{ErrorDetail: e.ErrorDetail})
				}
				out, err := json.Marshal(typed)
				require.NoError(t, err)
				return string(out)
			}
			assert.JSONEq(t, rebuild(onPrem), rebuild(cloud))
			assert.Equal(t, onPrem.Len(), cloud.Len())
		})
	}
}

func TestSystemEventMappingBothWays(t *testing.T) {
	t.Parallel()
	tests := []struct{ cloud, onPrem string }{
		{SystemEventUserChangedNumber, SystemEventCustomerChangedNumber},
		{CloudSystemEventUserChangedUserID, CloudSystemEventUserChangedUserID},
		{SystemEventGroupCreated, SystemEventGroupCreated},
		{"some_future_event", "some_future_event"},
	}
	for _, tt := range tests {
		t.Run(tt.cloud, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.onPrem, SystemEventFromCloud(tt.cloud))
			assert.Equal(t, tt.cloud, SystemEventToCloud(tt.onPrem))
		})
	}
	assert.Equal(t, MessageTypeUnknown, MessageTypeFromCloud(CloudMessageTypeUnsupported))
	assert.Equal(t, MessageTypeText, MessageTypeFromCloud(MessageTypeText))
}

// TestDecodeCloudEdges covers envelopes that are valid JSON objects but not well-formed
// Cloud payloads: each decodes, with what it cannot place in Unknown (Err set where the
// shape is wrong), and none of it is lost.
func TestDecodeCloudEdges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		keys    []string // Keys of the Unknown items, in order
		errs    int      // how many of them carry an *ItemError
		typed   int      // typed items
		wantSrc bool     // every Unknown has a source
	}{
		{"empty object", `{}`, nil, 0, 0, false},
		{"null entry", `{"object":"whatsapp_business_account","entry":null}`, nil, 0, 0, false},
		{"entry not an array", `{"entry":{"id":"1"}}`, []string{keyEntry}, 1, 0, false},
		{"entry element not an object", `{"entry":[1,"x",null]}`, []string{keyEntry, keyEntry, keyEntry}, 3, 0, false},
		{"entry without changes", `{"entry":[{"id":"1","time":1}]}`, nil, 0, 0, false},
		{"changes not an array", `{"entry":[{"id":"1","changes":{}}]}`, []string{keyChanges}, 1, 0, true},
		{"change not an object", `{"entry":[{"id":"1","changes":[[]]}]}`, []string{keyChanges}, 1, 0, true},
		{"change without field", `{"entry":[{"id":"1","changes":[{"value":{"a":1}}]}]}`, []string{keyChanges}, 0, 0, true},
		{"messages change without value", `{"entry":[{"id":"1","changes":[{"field":"messages"}]}]}`, []string{"messages"}, 1, 0, true},
		{"messages value not an object", `{"entry":[{"id":"1","changes":[{"field":"messages","value":[1]}]}]}`, []string{"messages"}, 1, 0, true},
		{"metadata not an object", `{"entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":"x","messages":[{"id":"A","type":"text","from":"1","timestamp":"1"}]}}]}]}`,
			[]string{keyMetadata}, 1, 1, true},
		{"messages not an array", `{"entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":{"id":"A"}}}]}]}`,
			[]string{keyMessages}, 1, 0, true},
		{"items not objects", `{"entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[1],"statuses":["s"],"contacts":[null],"errors":[true]}}]}]}`,
			[]string{keyContacts, keyMessages, keyStatuses, keyErrors}, 4, 0, true},
		{"numeric waba id", `{"entry":[{"id":102290129340398,"changes":[{"field":"account_update","value":{}}]}]}`,
			[]string{CloudFieldAccountUpdate}, 0, 0, true},
		{"an On-Premises body", `{"messages":[{"from":"1","id":"A","timestamp":"1","type":"text","text":{"body":"x"}}]}`,
			[]string{keyMessages}, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, err := DecodeCloud([]byte(tt.body))
			require.NoError(t, err)
			var keys []string
			errs := 0
			for _, u := range n.Unknown {
				keys = append(keys, u.Key)
				var ie *ItemError
				if errors.As(u.Err, &ie) {
					errs++
				}
				assert.True(t, json.Valid(u.Raw), "raw of %s", u.Key)
				if tt.wantSrc {
					require.NotNil(t, u.Cloud, "unknown %s has no source", u.Key)
				}
			}
			assert.Equal(t, tt.keys, keys)
			assert.Equal(t, tt.errs, errs)
			assert.Equal(t, tt.typed, n.Len()-len(n.Unknown))
			if tt.name == "numeric waba id" {
				assert.Equal(t, "102290129340398", n.Unknown[0].Cloud.WABAID)
			}
		})
	}
}

func TestDecodeCloudRejectsWhatIsNotAnObject(t *testing.T) {
	t.Parallel()
	for _, body := range []string{``, ` `, `[]`, `null`, `"x"`, `{`, `{"entry":[}`, `{} {}`} {
		t.Run(body, func(t *testing.T) {
			t.Parallel()
			n, err := DecodeCloud([]byte(body))
			require.Error(t, err)
			assert.Nil(t, n)
			assert.ErrorIs(t, err, ErrMalformed)
		})
	}
}

func TestDecodeCloudCopiesItsInput(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "cloud", "message_text.json"))
	require.NoError(t, err)
	n, err := DecodeCloud(data)
	require.NoError(t, err)
	want := string(n.Messages[0].Raw())
	for i := range data {
		data[i] = ' '
	}
	assert.Equal(t, want, string(n.Messages[0].Raw()))
	assert.True(t, json.Valid(n.Raw()))
}

// TestCloudCorpusTypedCoverage is the strict form of "nothing lost, kept typed" for Cloud
// items: every member path of an item is either in the encoding of its On-Premises typed
// value or one of the Cloud-only members that the item's Cloud field types (checked value by
// value in TestDecodeCloudTypesCloudOnlyFields). A member of neither would be reachable only
// through Raw.
func TestCloudCorpusTypedCoverage(t *testing.T) {
	t.Parallel()
	cloudOnly := map[string][]string{
		keyContacts: {"user_id", "parent_user_id", "identity_key_hash", "profile.username"},
		keyMessages: {"from_user_id", "from_parent_user_id",
			"image.url", "audio.url", "audio.voice", "video.url", "document.url", "sticker.url", "sticker.animated",
			"reaction", "reaction.message_id", "reaction.emoji",
			"interactive.nfm_reply", "interactive.nfm_reply.name", "interactive.nfm_reply.body", "interactive.nfm_reply.response_json",
			"unsupported", "unsupported.type",
			"errors[].message", "errors[].error_data", "errors[].error_data.details",
			"system.user_id", "system.parent_user_id", "system.previous_user_id", "system.previous_parent_user_id"},
		keyStatuses: {"recipient_user_id", "recipient_parent_user_id", "recipient_type", "biz_opaque_callback_data", "pricing.type",
			"errors[].message", "errors[].error_data", "errors[].error_data.details"},
		keyErrors: {"message", "error_data", "error_data.details"},
	}
	for _, f := range loadCloudCorpus(t) {
		if f.kind == "future" || f.kind == "unknown" {
			continue
		}
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			n, err := DecodeCloud(f.data)
			require.NoError(t, err)
			check := func(key string, raw json.RawMessage, typed any) {
				t.Helper()
				out, err := json.Marshal(typed)
				require.NoError(t, err)
				have := memberPaths(t, out)
				for _, p := range memberPaths(t, raw) {
					if !slices.Contains(have, p) && !slices.Contains(cloudOnly[key], p) {
						t.Errorf("%s member %s is not typed", key, p)
					}
				}
			}
			for _, c := range n.Contacts {
				check(keyContacts, c.Raw(), c.WebhookContact)
			}
			for _, m := range n.Messages {
				check(keyMessages, m.Raw(), m.InboundMessage)
			}
			for _, s := range n.Statuses {
				check(keyStatuses, s.Raw(), s.MessageStatus)
			}
			for _, e := range n.Errors {
				check(keyErrors, e.Raw(), e.ErrorDetail)
			}
		})
	}
}

// memberPaths lists the member paths of a JSON object ("a", "a.b", "a[].c"), null members
// aside (the typed values omit them).
func memberPaths(t *testing.T, data []byte) []string {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(data, &v))
	var out []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if e == nil {
					continue
				}
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				out = append(out, p)
				walk(p, e)
			}
		case []any:
			for _, e := range x {
				walk(prefix+"[]", e)
			}
		}
	}
	walk("", v)
	slices.Sort(out)
	return slices.Compact(out)
}
