package api

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

func TestBuildersProduceOnlyTheFieldsSet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		build func() any
		want  string
	}{
		{"card with name only", func() any { return NewContactCard("Ana Silva").Build() },
			`{"name":{"formatted_name":"Ana Silva"}}`},
		{"full card", func() any {
			return NewContactCard("Ana Silva").Name("Ana", "Silva").
				Phone("+1 631 555 1001", "CELL", "16315551001").Phone("+1 631 555 1002", "", "").
				Email("ana@example.com", "WORK").URL("https://example.com", "").
				Org("Shop", "", "Owner").Birthday(time.Date(1990, 5, 17, 23, 0, 0, 0, time.UTC)).
				Address(gen.ContactAddress{City: Ptr("Lisbon")}).Build()
		}, `{"name":{"formatted_name":"Ana Silva","first_name":"Ana","last_name":"Silva"},
			"phones":[{"phone":"+1 631 555 1001","type":"CELL","wa_id":"16315551001"},{"phone":"+1 631 555 1002"}],
			"emails":[{"email":"ana@example.com","type":"WORK"}],"urls":[{"url":"https://example.com"}],
			"org":{"company":"Shop","title":"Owner"},"birthday":"1990-05-17","addresses":[{"city":"Lisbon"}]}`},
		{"empty update", func() any { return NewSettingsUpdate().Build() }, `{}`},
		{"webhook URL and toggles", func() any {
			return NewSettingsUpdate().WebhookURL("https://hooks.example.com/wa").StatusWebhooks(false, true, true).
				CallbackPersist(true).ShowSecurityNotifications(false).Build()
		}, `{"webhooks":{"url":"https://hooks.example.com/wa","message":{"sent":false,"delivered":true,"read":true}},
			"callback_persist":true,"show_security_notifications":false}`},
		{"removed webhook URL", func() any { return NewSettingsUpdate().WebhookURL("").Build() }, `{"webhooks":{"url":""}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := json.Marshal(tc.build())
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(got))
		})
	}
}

func TestContactCardBuildIsIndependentOfLaterCalls(t *testing.T) {
	t.Parallel()
	b := NewContactCard("Ana").Phone("1", "", "")
	first := b.Build()
	b.Phone("2", "", "")
	require.NotNil(t, first.Phones)
	assert.Len(t, *first.Phones, 1)
	assert.Len(t, *b.Build().Phones, 2)
}

func TestSetWebhookURLSendsOnlyTheURL(t *testing.T) {
	t.Parallel()
	runWrapperCases(t, []wrapperCase{{
		name: "SetWebhookURL", method: "PATCH", path: "/v1/settings/application",
		body: `{"webhooks":{"url":"https://hooks.example.com/wa"}}`,
		call: func(ctx context.Context, c *Client) (any, error) {
			return noResult(c.SetWebhookURL(ctx, "https://hooks.example.com/wa"))
		},
	}})
}
