package webhook

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
var cloudSpecGaps = map[string]string{
	// Meta's reaction reference: "When an end user removes a reaction emoji, WhatsApp sends
	// a webhook without the emoji field"; the spec requires emoji.
	"message_reaction_removed.json": `property "emoji" is missing`,
	// WebhookChange says the values of other fields are not described, but types every
	// value as WebhookValue, which requires messaging_product and metadata.
	"field_account_update.json":                  `property "messaging_product" is missing`,
	"field_message_template_status_update.json":  `property "messaging_product" is missing`,
	"field_phone_number_quality_update.json":     `property "messaging_product" is missing`,
	"combined_messages_and_template_update.json": `property "messaging_product" is missing`,
}

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
