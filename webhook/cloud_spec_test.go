package webhook

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	cloudgen "github.com/wabiz/wabiz/gen/cloud"
	"github.com/wabiz/wabiz/spec"
)

var loadCloudSpec = sync.OnceValues(spec.LoadCloud)

func cloudPayloadSchema(t *testing.T) *openapi3.Schema {
	t.Helper()
	doc, err := loadCloudSpec()
	require.NoError(t, err)
	ref, ok := doc.Components.Schemas["WebhookPayload"]
	require.True(t, ok, "WebhookPayload not in spec/cloud.yaml")
	require.NotNil(t, ref.Value)
	return ref.Value
}

// cloudSpecGaps lists the Cloud payloads that follow Meta's documentation but not (yet)
// spec/cloud.yaml, with the error the validator gives. The list may only shrink: when the
// spec is fixed, TestCloudCorpusValidatesAgainstSpec fails until the entry is removed.
var cloudSpecGaps = map[string]string{}

// TestCloudCorpusValidatesAgainstSpec validates every Cloud payload that is not a
// tolerance test against the Cloud spec's WebhookPayload schema; the payloads of
// cloudSpecGaps must fail with their listed error.
func TestCloudCorpusValidatesAgainstSpec(t *testing.T) {
	t.Parallel()
	schema := cloudPayloadSchema(t)
	for _, f := range loadCloudCorpus(t) {
		if f.kind == "future" || f.kind == "unknown" {
			continue
		}
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			var v any
			require.NoError(t, json.Unmarshal(f.data, &v))
			err := schema.VisitJSON(v)
			if gap, ok := cloudSpecGaps[f.name]; ok {
				require.Error(t, err, "the spec now accepts %s: remove it from cloudSpecGaps", f.name)
				assert.Contains(t, err.Error(), gap)
				return
			}
			assert.NoError(t, err)
		})
	}
}

// TestCloudWebhookValueLeavesOutMetadataItDoesNotHave checks the generated WebhookValue
// against the spec's two kinds of value: a messages value keeps messaging_product and
// metadata, the value of another field (which has neither) marshals without them instead of
// with an invented empty metadata, and both validate against the spec's WebhookValue.
func TestCloudWebhookValueLeavesOutMetadataItDoesNotHave(t *testing.T) {
	t.Parallel()
	doc, err := loadCloudSpec()
	require.NoError(t, err)
	schema := doc.Components.Schemas["WebhookValue"].Value
	require.NotNil(t, schema)
	for _, tc := range []struct {
		name  string
		value cloudgen.WebhookValue
		want  string
	}{
		{"messages", cloudgen.WebhookValue{MessagingProduct: cloudgen.MessagingProductWhatsapp,
			Metadata: cloudgen.WebhookMetadata{DisplayPhoneNumber: "15550001111", PhoneNumberID: "106540352242922"}},
			`{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"106540352242922"}}`},
		{"other_field", cloudgen.WebhookValue{}, `{}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data, err := json.Marshal(tc.value)
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(data))
			var v any
			require.NoError(t, json.Unmarshal(data, &v))
			assert.NoError(t, schema.VisitJSON(v))
		})
	}
}
