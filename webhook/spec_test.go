package webhook

import (
	"encoding/json"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/spec"
)

var update = flag.Bool("update", false, "write the spec's webhook examples into testdata/")

var loadSpec = sync.OnceValues(spec.Load)

func specDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := loadSpec()
	require.NoError(t, err)
	return doc
}

// specSchema returns the component schema name, resolved.
func specSchema(t *testing.T, name string) *openapi3.Schema {
	t.Helper()
	ref, ok := specDoc(t).Components.Schemas[name]
	require.True(t, ok, "schema %s not in the spec", name)
	require.NotNil(t, ref.Value)
	return ref.Value
}

// extensibleEnum returns the x-extensible-enum list of property prop of schema name.
func extensibleEnum(t *testing.T, schema, prop string) []string {
	t.Helper()
	p, ok := specSchema(t, schema).Properties[prop]
	require.True(t, ok, "%s.%s not in the spec", schema, prop)
	raw, ok := p.Value.Extensions["x-extensible-enum"].([]any)
	require.True(t, ok, "%s.%s has no x-extensible-enum list", schema, prop)
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		s, ok := v.(string)
		require.True(t, ok, "%s.%s: non-string value %v", schema, prop, v)
		out = append(out, s)
	}
	return out
}

// constantGroups parses values.go and returns the string constants by name.
func constantGroups(t *testing.T) map[string]string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "values.go", nil, 0)
	require.NoError(t, err)
	consts := map[string]string{}
	for _, decl := range file.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				require.True(t, ok && lit.Kind == token.STRING, "constant %s is not a string literal", name.Name)
				v, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				consts[name.Name] = v
			}
		}
	}
	return consts
}

// TestConstantsMatchSpec checks each group of constants in values.go against the
// x-extensible-enum list it mirrors, both ways: every listed value has a constant, and every
// constant of the group is a listed value.
func TestConstantsMatchSpec(t *testing.T) {
	t.Parallel()
	consts := constantGroups(t)
	tests := []struct {
		prefix string
		lists  [][2]string // schema, property
		known  func(string) bool
	}{
		{"MessageType", [][2]string{{"InboundMessage", "type"}}, IsKnownMessageType},
		{"Status", [][2]string{{"MessageStatus", "status"}}, IsKnownStatus},
		{"SystemEvent", [][2]string{{"SystemEvent", "type"}}, IsKnownSystemEvent},
		{"ContactStatus", [][2]string{{"WebhookContact", "status"}}, nil},
		{"InteractiveType", [][2]string{{"InboundInteractive", "type"}}, nil},
		{"Category", [][2]string{{"WebhookConversationOrigin", "type"}, {"WebhookPricing", "category"}}, nil},
		{"PricingModel", [][2]string{{"WebhookPricing", "pricing_model"}}, nil},
		{"GCStatus", [][2]string{{"WebhookGarbageCollection", "status"}}, nil},
	}
	grouped := map[string]bool{}
	for _, tt := range tests {
		var values []string
		for name, v := range consts {
			if rest, ok := strings.CutPrefix(name, tt.prefix); ok && rest != "" && rest[0] >= 'A' && rest[0] <= 'Z' {
				values = append(values, v)
				grouped[name] = true
			}
		}
		slices.Sort(values)
		for _, list := range tt.lists {
			t.Run(tt.prefix+"/"+list[0]+"."+list[1], func(t *testing.T) {
				t.Parallel()
				want := extensibleEnum(t, list[0], list[1])
				slices.Sort(want)
				assert.Equal(t, want, values, "constants %s* differ from the spec's list", tt.prefix)
				if tt.known != nil {
					for _, v := range want {
						assert.True(t, tt.known(v), "IsKnown… rejects the spec's value %q", v)
					}
					assert.False(t, tt.known("reaction-from-the-future"))
				}
			})
		}
	}
	for name := range consts {
		assert.True(t, grouped[name], "constant %s belongs to no group checked against the spec", name)
	}
}

// specExampleFiles maps each named example of the webhook callback in the spec to its corpus
// file. TestSpecExamplesInCorpus keeps the two equal; `go test -run TestSpecExamplesInCorpus
// -update ./webhook/` rewrites the files from the spec.
var specExampleFiles = map[string]string{
	"inboundText":                   "message_text.json",
	"inboundImage":                  "message_image.json",
	"inboundAudio":                  "message_audio.json",
	"inboundVoice":                  "message_voice.json",
	"inboundVideo":                  "message_video.json",
	"inboundDocument":               "message_document.json",
	"inboundSticker":                "message_sticker.json",
	"inboundLocation":               "message_location.json",
	"inboundContacts":               "message_contacts.json",
	"templateQuickReply":            "message_button.json",
	"interactiveListReply":          "message_interactive_list_reply.json",
	"interactiveButtonReply":        "message_interactive_button_reply.json",
	"inboundOrder":                  "message_order.json",
	"inboundOrderNumeric":           "message_order_numeric.json",
	"unknownMessageType":            "message_type_unknown.json",
	"adReferral":                    "message_referral_ad.json",
	"replyWithContext":              "message_reply_context.json",
	"forwardedMessage":              "message_frequently_forwarded.json",
	"productInquiry":                "message_referred_product.json",
	"groupMessage":                  "message_group_mentions.json",
	"systemUserChangedNumber":       "system_user_changed_number.json",
	"systemCustomerChangedNumber":   "system_customer_changed_number.json",
	"groupSystemEvent":              "system_group_user_joined.json",
	"systemUserIdentityChanged":     "identity_user_identity_changed.json",
	"systemCustomerIdentityChanged": "identity_customer_identity_changed.json",
	"identityBlock":                 "message_identity_acknowledged.json",
	"statusSent":                    "status_sent.json",
	"statusDelivered":               "status_delivered.json",
	"statusRead":                    "status_read.json",
	"statusFailedOutsideWindow":     "status_failed_470_outside_window.json",
	"statusFailedIdentityChanged":   "status_failed_480_identity_changed.json",
	"statusDeleted":                 "status_deleted.json",
	"statusWarning":                 "status_warning_2026.json",
	"groupStatus":                   "status_group_sent.json",
	"mediaDownloadError":            "errors_400_media_download.json",
	"messageGcComplete":             "service_message_gc_complete.json",
	"mediaGcFailed":                 "service_media_gc_failed.json",
	"contactsCheckResults":          "contacts_check_results.json",
	"combined":                      "combined_message_and_status.json",
}

func TestSpecExamplesInCorpus(t *testing.T) {
	t.Parallel()
	doc := specDoc(t)
	cb, ok := doc.Components.Callbacks["Webhooks"]
	require.True(t, ok, "components.callbacks.Webhooks not in the spec")
	item := cb.Value.Value("{$request.body#/webhooks/url}")
	require.NotNil(t, item)
	examples := item.Post.RequestBody.Value.Content["application/json"].Examples
	require.NotEmpty(t, examples)

	var missing []string
	for name, ex := range examples {
		file, ok := specExampleFiles[name]
		if !ok {
			missing = append(missing, name)
			continue
		}
		want, err := json.MarshalIndent(ex.Value.Value, "", "  ")
		require.NoError(t, err)
		path := filepath.Join("testdata", file)
		if *update {
			require.NoError(t, os.WriteFile(path, append(want, '\n'), 0o644))
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := os.ReadFile(path)
			require.NoError(t, err, "run with -update to extract it")
			assert.JSONEq(t, string(want), string(got))
		})
	}
	slices.Sort(missing)
	assert.Empty(t, missing, "spec examples without a corpus file in specExampleFiles")
	for name := range specExampleFiles {
		assert.Contains(t, examples, name, "specExampleFiles names an example the spec no longer has")
	}
}
