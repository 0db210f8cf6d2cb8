package errcodes

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseReadsTheTableAndNamesEachCode(t *testing.T) {
	t.Parallel()
	desc := `The body of every failed request. Known codes:

| Code | Title | HTTP |
|---|---|---|
| 1005 | Access denied | 403 (401 for missing or invalid credentials) |
| 1012 | Group is unknown | 404 |
| 1022 | Webhooks URL is not configured | 412 |
| 1024 | Password change required | 401 |

A later paragraph | with a pipe.
`
	codes, err := parseWith(desc, map[int]string{1022: "WebhookURLNotSet"})
	require.NoError(t, err)
	assert.Equal(t, []Code{
		{Code: 1005, Title: "Access denied", HTTP: "403 (401 for missing or invalid credentials)", Name: "CodeAccessDenied"},
		{Code: 1012, Title: "Group is unknown", HTTP: "404", Name: "CodeGroupUnknown"},
		{Code: 1022, Title: "Webhooks URL is not configured", HTTP: "412", Name: "CodeWebhookURLNotSet"},
		{Code: 1024, Title: "Password change required", HTTP: "401", Name: "CodePasswordChangeRequired"},
	}, codes)
}

// TestParseToleratesWithdrawnNotes covers the forms a withdrawn or deprecated code may take in
// the table: a note in the title, a strike-through, an extra column.
func TestParseToleratesWithdrawnNotes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, row string
		want      Code
	}{
		{"note_in_title", "| 1020 | Bad group (withdrawn in v2.41) | 400 |",
			Code{Code: 1020, Title: "Bad group", HTTP: "400", Withdrawn: true, Note: "Bad group (withdrawn in v2.41)", Name: "CodeBadGroup"}},
		{"dash_note", "| 1021 | Bad user — deprecated | 400 |",
			Code{Code: 1021, Title: "Bad user", HTTP: "400", Withdrawn: true, Note: "Bad user — deprecated", Name: "CodeBadUser"}},
		{"strike_through", "| ~~1017~~ | ~~Not a primary master~~ | 500 |",
			Code{Code: 1017, Title: "Not a primary master", HTTP: "500", Withdrawn: true, Note: "struck through in the table", Name: "CodeNotPrimaryMaster"}},
		{"note_in_http_column", "| 2069 | Template paused | 400 (withdrawn) |",
			Code{Code: 2069, Title: "Template paused", HTTP: "400 (withdrawn)", Withdrawn: true, Note: "400 (withdrawn)", Name: "CodeTemplatePaused"}},
		{"bold_code", "| **1018** | Not a primary coreapp | 500 |",
			Code{Code: 1018, Title: "Not a primary coreapp", HTTP: "500", Name: "CodeNotPrimaryCoreapp"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			codes, err := parseWithout(t, "| Code | Title | HTTP |\n|---|---|---|\n"+tc.row+"\n")
			require.NoError(t, err)
			require.Len(t, codes, 1)
			assert.Equal(t, tc.want, codes[0])
		})
	}
	t.Run("extra_notes_column", func(t *testing.T) {
		t.Parallel()
		codes, err := parseWithout(t, "| Code | Title | HTTP | Notes |\n|---|---|---|---|\n| 1019 | Not a group admin | 400 | withdrawn in v2.45 |\n")
		require.NoError(t, err)
		require.Len(t, codes, 1)
		assert.Equal(t, Code{Code: 1019, Title: "Not a group admin", HTTP: "400", Withdrawn: true, Note: "withdrawn in v2.45", Name: "CodeNotGroupAdmin"}, codes[0])
	})
}

func TestParseRejectsABrokenTable(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, desc, want string }{
		{"no_table", "no table here", "no table with a Code and a Title column"},
		{"row_without_code", "| Code | Title |\n|---|---|\n| n/a | Something |\n", "has no code"},
		{"duplicate", "| Code | Title |\n|---|---|\n| 1100 | One |\n| 1100 | Two |\n", "appears twice"},
		{"empty_title", "| Code | Title |\n|---|---|\n| 1100 |  |\n", "empty title"},
		{"same_name", "| Code | Title |\n|---|---|\n| 1100 | Bad thing |\n| 1101 | Bad, thing |\n", "both named CodeBadThing"},
		{"stale_override", "| Code | Title |\n|---|---|\n| 1100 | One |\n", "names given for codes not in the table"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var err error
			if tc.name == "stale_override" {
				_, err = Parse(tc.desc)
			} else {
				_, err = parseWithout(t, tc.desc)
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestIdentDerivesGoNames(t *testing.T) {
	t.Parallel()
	for title, want := range map[string]string{
		"Webhooks URL is not configured":          "WebhooksURLNotConfigured",
		"Buttons are unsupported by the receiver": "ButtonsUnsupportedByReceiver",
		"Media format used is unsupported":        "MediaFormatUsedUnsupported",
		"2FA PIN mismatch":                        "N2faPINMismatch",
	} {
		assert.Equal(t, want, ident(title), title)
	}
}

// parseWithout parses desc with no name overrides, as a table of codes the overrides do not
// know would be.
func parseWithout(t *testing.T, desc string) ([]Code, error) {
	t.Helper()
	return parseWith(desc, nil)
}
