package cloud

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	cloudgen "github.com/wabiz/wabiz/gen/cloud"
	"github.com/wabiz/wabiz/spec"
)

// onPremMessageSchema is the request schema of a message in spec/openapi.yaml.
var onPremMessageSchema = sync.OnceValues(func() (*openapi3.Schema, error) {
	doc, err := spec.Load()
	if err != nil {
		return nil, err
	}
	ref, ok := doc.Components.Schemas["Message"]
	if !ok || ref.Value == nil {
		return nil, errors.New("spec/openapi.yaml has no Message schema")
	}
	return ref.Value, nil
})

// TestToOnPremRoundTripsEveryType translates every case of TestTranslateEveryMessageType to
// Cloud and back: the On-Premises message comes back as it was (recipient_type individual
// added), except for what the table drops (namespace, date_time localization) or converts
// (hsm), and validates against spec/openapi.yaml.
func TestToOnPremRoundTripsEveryType(t *testing.T) {
	t.Parallel()
	schema, err := onPremMessageSchema()
	require.NoError(t, err)
	for _, tc := range translationCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cm, err := Translate(tc.msg)
			require.NoError(t, err)
			back, err := ToOnPrem(cm, "cdb2df51_9816_c754_c5a4_64cdabdcad3e")
			require.NoError(t, err)
			raw, err := json.Marshal(back)
			require.NoError(t, err)
			var v any
			require.NoError(t, json.Unmarshal(raw, &v))
			assert.NoError(t, schema.VisitJSON(v, openapi3.MultiErrors()), "valid On-Premises message: %s", raw)

			switch {
			case strings.HasPrefix(tc.name, "hsm"), strings.HasPrefix(tc.name, "template"):
				// Converted or reduced: back to Cloud again gives the same Cloud message.
				again, err := Translate(back)
				require.NoError(t, err)
				assert.Equal(t, cm, again)
			default:
				want := *tc.msg
				if want.RecipientType == nil {
					rt := back.RecipientType
					want.RecipientType = rt
				}
				if want.Type == nil {
					want.Type = back.Type
				}
				wantRaw, err := json.Marshal(want)
				require.NoError(t, err)
				assert.JSONEq(t, string(wantRaw), string(raw))
			}
		})
	}
}

// TestToOnPremRefusesCloudOnlyFeatures checks each refusal of the reverse table.
func TestToOnPremRefusesCloudOnlyFeatures(t *testing.T) {
	t.Parallel()
	base := `"messaging_product":"whatsapp","to":"16315551234"`
	cases := []struct {
		name, raw, ns, field string
	}{
		{"group", `{` + base + `,"recipient_type":"group","type":"text","text":{"body":"hi"}}`, "", "recipient_type"},
		{"bsuid_recipient", `{"messaging_product":"whatsapp","recipient":"US.1","type":"text","text":{"body":"hi"}}`, "", "recipient"},
		{"reply_context", `{` + base + `,"type":"text","context":{"message_id":"wamid.x"},"text":{"body":"hi"}}`, "", "context"},
		{"callback_data", `{` + base + `,"type":"text","biz_opaque_callback_data":"t","text":{"body":"hi"}}`, "", "biz_opaque_callback_data"},
		{"reaction", `{` + base + `,"type":"reaction","reaction":{"message_id":"wamid.x","emoji":"👍"}}`, "", "reaction"},
		{"location_url", `{` + base + `,"type":"location","location":{"latitude":1,"longitude":2,"url":"https://maps.example.com"}}`, "", "location.url"},
		{"cta_url_type", `{` + base + `,"type":"interactive","interactive":{"type":"cta_url","body":{"text":"b"},"action":{}}}`, "", "interactive.type"},
		{"action_name", `{` + base + `,"type":"interactive","interactive":{"type":"button","body":{"text":"b"},"action":{"name":"send_location"}}}`, "", "interactive.action.name"},
		{"cta_parameters", `{` + base + `,"type":"interactive","interactive":{"type":"button","body":{"text":"b"},"action":{"parameters":{"display_text":"Go","url":"https://x.example.com"}}}}`, "", "interactive.action.parameters"},
		{"copy_code_button", `{` + base + `,"type":"template","template":{"name":"t","language":{"code":"en"},"components":[{"type":"button","sub_type":"copy_code","index":0}]}}`, "ns", "template.components[].sub_type"},
		{"coupon_parameter", `{` + base + `,"type":"template","template":{"name":"t","language":{"code":"en"},"components":[{"type":"button","sub_type":"url","index":0,"parameters":[{"type":"coupon_code","coupon_code":"SAVE10"}]}]}}`, "ns", "template.components[].parameters[].type"},
		{"coupon_value", `{` + base + `,"type":"template","template":{"name":"t","language":{"code":"en"},"components":[{"type":"body","parameters":[{"type":"text","text":"x","coupon_code":"SAVE10"}]}]}}`, "ns", "template.components[].parameters[].coupon_code"},
		{"named_parameter", `{` + base + `,"type":"template","template":{"name":"t","language":{"code":"en"},"components":[{"type":"body","parameters":[{"type":"text","text":"Ana","parameter_name":"name"}]}]}}`, "ns", "template.components[].parameters[].parameter_name"},
		{"template_without_namespace", `{` + base + `,"type":"template","template":{"name":"t","language":{"code":"en"}}}`, "", "template"},
		{"a_second_block", `{` + base + `,"type":"text","text":{"body":"hi"},"image":{"id":"m"}}`, "", "image"},
	}
	refused := map[string]bool{}
	for _, tc := range cases {
		refused[tc.field] = true
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var m cloudgen.Message
			require.NoError(t, json.Unmarshal([]byte(tc.raw), &m))
			out, err := ToOnPrem(&m, tc.ns)
			assert.Nil(t, out)
			var ue *UntranslatableError
			require.ErrorAs(t, err, &ue)
			assert.Equal(t, tc.field, ue.Field)
			assert.ErrorIs(t, err, ErrUntranslatable)
		})
	}
	for _, r := range reverseRules {
		if r.refuseCloud != nil {
			assert.True(t, refused[r.Field], "refusing rule %s has no case", r.Field)
		}
		if r.Action == Refused {
			assert.NotNil(t, r.refuseCloud, "refused rule %s never refuses", r.Field)
		}
		assert.Nil(t, r.refuse, "reverse rule %s uses the forward refusal", r.Field)
	}
	for _, r := range rules {
		assert.Nil(t, r.refuseCloud, "forward rule %s uses the reverse refusal", r.Field)
	}
}
