package cloud

import (
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/gen"
	cloudgen "github.com/wabiz/wabiz/gen/cloud"
	"github.com/wabiz/wabiz/spec"
)

// cloudMessageSchema is the request schema of a Cloud message in spec/cloud.yaml.
var cloudMessageSchema = sync.OnceValues(func() (*openapi3.Schema, error) {
	doc, err := spec.LoadCloud()
	if err != nil {
		return nil, err
	}
	ref, ok := doc.Components.Schemas["Message"]
	if !ok || ref.Value == nil {
		return nil, errors.New("spec/cloud.yaml has no Message schema")
	}
	return ref.Value, nil
})

// validCloudMessage checks raw JSON against the Cloud spec's Message schema.
func validCloudMessage(t *testing.T, raw []byte) {
	t.Helper()
	schema, err := cloudMessageSchema()
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(raw, &v))
	assert.NoError(t, schema.VisitJSON(v, openapi3.MultiErrors()), "the translated message validates against spec/cloud.yaml: %s", raw)
}

func must(m *gen.Message, err error) *gen.Message {
	if err != nil {
		panic(err)
	}
	return m
}

func withOpts(m *gen.Message, opts ...api.SendOption) *gen.Message {
	if err := api.ApplySendOptions(m, opts...); err != nil {
		panic(err)
	}
	return m
}

func ptr[T any](v T) *T { return &v }

// card is a contact card with every field the Cloud API knows.
var card = gen.ContactCard{
	Name:      gen.ContactName{FormattedName: "Ana Lima", FirstName: ptr("Ana"), LastName: ptr("Lima")},
	Birthday:  ptr("1988-04-12"),
	Addresses: &[]gen.ContactAddress{{Street: ptr("1 Main St"), City: ptr("Menlo Park"), CountryCode: ptr("us"), Type: ptr("WORK")}},
	Emails:    &[]gen.ContactEmail{{Email: ptr("ana@example.com"), Type: ptr("WORK")}},
	Org:       &gen.ContactOrg{Company: ptr("Wabiz"), Title: ptr("Support")},
	Phones:    &[]gen.ContactPhone{{Phone: ptr("+1 631 555 1234"), Type: ptr("CELL"), WaID: ptr("16315551234")}},
	Urls:      &[]gen.ContactURL{{URL: ptr("https://example.com"), Type: ptr("WORK")}},
}

const head = `"messaging_product":"whatsapp","recipient_type":"individual","to":"16315551234"`

// translationCases are messages built by the api builders, one per type and variant, and
// the Cloud message each must become.
func translationCases() []struct {
	name string
	msg  *gen.Message
	want string
} {
	tpl := api.NewTemplate("cdb2df51_9816_c754_c5a4_64cdabdcad3e", "order_update", "en_US").
		Header(api.ImageParam(api.Media{ID: "4490709327384033"})).
		Body(api.TextParam("Ana"), api.CurrencyParam("$10.99", "USD", 10990),
			api.DateTimeParam("December 3, 2026", time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC))).
		QuickReplyButton(0, "track-58213").
		URLButton(1, "orders/58213")
	return []struct {
		name string
		msg  *gen.Message
		want string
	}{
		{"text", api.NewTextMessage(customer, "Your order has shipped"),
			`{` + head + `,"type":"text","text":{"body":"Your order has shipped"}}`},
		{"text_preview_url_moves_into_text", withOpts(api.NewTextMessage(customer, "See https://example.com"), api.WithPreviewURL()),
			`{` + head + `,"type":"text","text":{"body":"See https://example.com","preview_url":true}}`},
		{"text_without_type", &gen.Message{To: customer, Text: &gen.TextContent{Body: "hi"}},
			`{` + head + `,"type":"text","text":{"body":"hi"}}`},
		{"individual_recipient_type", &gen.Message{To: customer, RecipientType: ptr(gen.MessageRecipientTypeIndividual), Type: ptr(gen.MessageTypeText), Text: &gen.TextContent{Body: "hi"}},
			`{` + head + `,"type":"text","text":{"body":"hi"}}`},
		{"image_id_caption", api.NewMediaMessage(customer, api.MediaImage, api.Media{ID: "1037543291543636", Caption: "Your receipt"}),
			`{` + head + `,"type":"image","image":{"id":"1037543291543636","caption":"Your receipt"}}`},
		{"image_link", api.NewMediaMessage(customer, api.MediaImage, api.Media{Link: "https://files.example.com/r.png"}),
			`{` + head + `,"type":"image","image":{"link":"https://files.example.com/r.png"}}`},
		{"audio", api.NewMediaMessage(customer, api.MediaAudio, api.Media{ID: "a1"}),
			`{` + head + `,"type":"audio","audio":{"id":"a1"}}`},
		{"video", api.NewMediaMessage(customer, api.MediaVideo, api.Media{ID: "v1", Caption: "clip"}),
			`{` + head + `,"type":"video","video":{"id":"v1","caption":"clip"}}`},
		{"document", api.NewMediaMessage(customer, api.MediaDocument, api.Media{Link: "https://files.example.com/i.pdf", Caption: "Invoice", Filename: "invoice.pdf"}),
			`{` + head + `,"type":"document","document":{"link":"https://files.example.com/i.pdf","caption":"Invoice","filename":"invoice.pdf"}}`},
		{"sticker", api.NewMediaMessage(customer, api.MediaSticker, api.Media{ID: "s1"}),
			`{` + head + `,"type":"sticker","sticker":{"id":"s1"}}`},
		{"location", api.NewLocationMessage(customer, api.Location{Latitude: 37.484, Longitude: -122.148, Name: "HQ", Address: "1 Hacker Way"}),
			`{` + head + `,"type":"location","location":{"latitude":37.484,"longitude":-122.148,"name":"HQ","address":"1 Hacker Way"}}`},
		{"contacts", api.NewContactsMessage(customer, []gen.ContactCard{card}),
			`{` + head + `,"type":"contacts","contacts":[{"name":{"formatted_name":"Ana Lima","first_name":"Ana","last_name":"Lima"},"birthday":"1988-04-12",
			"addresses":[{"street":"1 Main St","city":"Menlo Park","country_code":"us","type":"WORK"}],"emails":[{"email":"ana@example.com","type":"WORK"}],
			"org":{"company":"Wabiz","title":"Support"},"phones":[{"phone":"+1 631 555 1234","type":"CELL","wa_id":"16315551234"}],"urls":[{"url":"https://example.com","type":"WORK"}]}]}`},
		{"interactive_list", api.NewInteractiveListMessage(customer, api.List{Header: "Menu", Body: "Pick one", Footer: "Thanks", Button: "Options",
			Sections: []api.ListSection{{Title: "Pizza", Rows: []api.ListRow{{ID: "p1", Title: "Margherita", Description: "Tomato"}}}}}),
			`{` + head + `,"type":"interactive","interactive":{"type":"list","header":{"type":"text","text":"Menu"},"body":{"text":"Pick one"},"footer":{"text":"Thanks"},
			"action":{"button":"Options","sections":[{"title":"Pizza","rows":[{"id":"p1","title":"Margherita","description":"Tomato"}]}]}}}`},
		{"interactive_buttons_image_header", must(api.NewInteractiveButtonsMessage(customer, api.ReplyButtons{Header: api.Header{Image: &api.Media{ID: "h1"}}, Body: "Confirm?",
			Buttons: []gen.ReplyButton{{ID: "yes", Title: "Yes"}, {ID: "no", Title: "No"}}})),
			`{` + head + `,"type":"interactive","interactive":{"type":"button","header":{"type":"image","image":{"id":"h1"}},"body":{"text":"Confirm?"},
			"action":{"buttons":[{"type":"reply","reply":{"id":"yes","title":"Yes"}},{"type":"reply","reply":{"id":"no","title":"No"}}]}}}`},
		{"interactive_buttons_document_header", must(api.NewInteractiveButtonsMessage(customer, api.ReplyButtons{Header: api.Header{Document: &api.Media{Link: "https://files.example.com/a.pdf", Filename: "a.pdf"}}, Body: "Sign?",
			Buttons: []gen.ReplyButton{{ID: "ok", Title: "OK"}}})),
			`{` + head + `,"type":"interactive","interactive":{"type":"button","header":{"type":"document","document":{"link":"https://files.example.com/a.pdf","filename":"a.pdf"}},"body":{"text":"Sign?"},
			"action":{"buttons":[{"type":"reply","reply":{"id":"ok","title":"OK"}}]}}}`},
		{"product", api.NewProductMessage(customer, api.Product{CatalogID: "cat1", ProductRetailerID: "sku1", Body: "Look", Footer: "Sale"}),
			`{` + head + `,"type":"interactive","interactive":{"type":"product","body":{"text":"Look"},"footer":{"text":"Sale"},"action":{"catalog_id":"cat1","product_retailer_id":"sku1"}}}`},
		{"product_list", api.NewProductListMessage(customer, api.ProductList{Header: "Shoes", Body: "New in", CatalogID: "cat1",
			Sections: []api.ProductSection{{Title: "Running", ProductRetailerIDs: []string{"sku1", "sku2"}}}}),
			`{` + head + `,"type":"interactive","interactive":{"type":"product_list","header":{"type":"text","text":"Shoes"},"body":{"text":"New in"},
			"action":{"catalog_id":"cat1","sections":[{"title":"Running","product_items":[{"product_retailer_id":"sku1"},{"product_retailer_id":"sku2"}]}]}}}`},
		{"template_namespace_dropped_date_time_reduced", must(api.NewTemplateMessage(customer, tpl)),
			`{` + head + `,"type":"template","template":{"name":"order_update","language":{"code":"en_US","policy":"deterministic"},"components":[
			{"type":"header","parameters":[{"type":"image","image":{"id":"4490709327384033"}}]},
			{"type":"body","parameters":[{"type":"text","text":"Ana"},{"type":"currency","currency":{"fallback_value":"$10.99","code":"USD","amount_1000":10990}},
				{"type":"date_time","date_time":{"fallback_value":"December 3, 2026"}}]},
			{"type":"button","sub_type":"quick_reply","index":0,"parameters":[{"type":"payload","payload":"track-58213"}]},
			{"type":"button","sub_type":"url","index":1,"parameters":[{"type":"text","text":"orders/58213"}]}]}}`},
		{"template_without_components", must(api.NewTemplateMessage(customer, api.NewTemplate("ns", "hello_world", "en"))),
			`{` + head + `,"type":"template","template":{"name":"hello_world","language":{"code":"en","policy":"deterministic"}}}`},
		{"hsm_becomes_template", &gen.Message{To: customer, Type: ptr(gen.MessageTypeHsm), Hsm: &gen.Hsm{
			Namespace: "cdb2df51", ElementName: "purchase_with_credit_card",
			Language: gen.HsmLanguage{Code: "en_US", Policy: gen.HsmLanguagePolicyDeterministic},
			LocalizableParams: &[]gen.HsmParameter{
				{Default: "Ana"},
				{Default: "$10", Currency: &gen.HsmCurrency{CurrencyCode: "USD", Amount1000: 10000}},
				{Default: "Dec 3", DateTime: &gen.HsmDateTime{UnixEpoch: &gen.HsmUnixEpoch{Timestamp: 1796299200}}},
			}}},
			`{` + head + `,"type":"template","template":{"name":"purchase_with_credit_card","language":{"code":"en_US","policy":"deterministic"},"components":[
			{"type":"body","parameters":[{"type":"text","text":"Ana"},{"type":"currency","currency":{"fallback_value":"$10","code":"USD","amount_1000":10000}},
				{"type":"date_time","date_time":{"fallback_value":"Dec 3"}}]}]}}`},
	}
}

// TestTranslateEveryMessageType translates a message of every type, built by the api
// builders, compares it with the Cloud message expected and validates it against the Cloud
// spec's request schema.
func TestTranslateEveryMessageType(t *testing.T) {
	t.Parallel()
	seen := map[gen.MessageType]bool{}
	for _, tc := range translationCases() {
		seen[messageType(tc.msg)] = true
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := Translate(tc.msg)
			require.NoError(t, err)
			raw, err := json.Marshal(out)
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(raw))
			validCloudMessage(t, raw)
		})
	}
	for _, typ := range []gen.MessageType{gen.MessageTypeText, gen.MessageTypeImage, gen.MessageTypeAudio, gen.MessageTypeVideo,
		gen.MessageTypeDocument, gen.MessageTypeSticker, gen.MessageTypeLocation, gen.MessageTypeContacts,
		gen.MessageTypeInteractive, gen.MessageTypeTemplate, gen.MessageTypeHsm} {
		assert.True(t, seen[typ], "no translation case for type %s", typ)
		assert.NotNil(t, converters[typ], "no converter for type %s", typ)
	}
	assert.Len(t, converters, len(seen), "a converter without a case")
}

// TestTranslateRefusesWhatCloudCannotExpress checks each refusal: the typed error names the
// field of the table, matches ErrUntranslatable, and every refusing rule has a case.
func TestTranslateRefusesWhatCloudCannotExpress(t *testing.T) {
	t.Parallel()
	provider := func(m api.Media) api.Media { m.Provider = "cdn-bearer"; return m }
	ttl, err := func() (*gen.Message, error) {
		m := api.NewTextMessage(customer, "hi")
		return m, api.ApplySendOptions(m, api.WithTTL(time.Hour))
	}()
	require.NoError(t, err)
	cases := []struct {
		name  string
		msg   *gen.Message
		field string
	}{
		{"ttl", ttl, "ttl"},
		{"group_recipient", withOpts(api.NewTextMessage("16315558032-1530825318", "hi"), api.ToGroup()), "recipient_type"},
		{"render_mentions", &gen.Message{To: customer, Text: &gen.TextContent{Body: "@1631"}, RenderMentions: ptr(true)}, "render_mentions"},
		{"preview_url_on_an_image", withOpts(api.NewMediaMessage(customer, api.MediaImage, api.Media{ID: "m"}), api.WithPreviewURL()), "preview_url"},
		{"media_provider", api.NewMediaMessage(customer, api.MediaDocument, provider(api.Media{Link: "https://cdn.example.com/a.pdf"})), "*.provider"},
		{"media_provider_in_a_header", must(api.NewInteractiveButtonsMessage(customer, api.ReplyButtons{Header: api.Header{Video: ptr(provider(api.Media{Link: "https://cdn.example.com/v.mp4"}))},
			Body: "b", Buttons: []gen.ReplyButton{{ID: "1", Title: "1"}}})), "*.provider"},
		{"media_provider_in_a_template", must(api.NewTemplateMessage(customer, api.NewTemplate("ns", "t", "en").Header(api.DocumentParam(provider(api.Media{Link: "https://cdn.example.com/a.pdf"}))))), "*.provider"},
		{"contact_ims", api.NewContactsMessage(customer, []gen.ContactCard{{Name: gen.ContactName{FormattedName: "A"}, Ims: &[]gen.ContactIM{{Service: ptr("AIM")}}}}), "contacts[].ims"},
		{"template_fallback_policy", func() *gen.Message {
			m := must(api.NewTemplateMessage(customer, api.NewTemplate("ns", "t", "en")))
			m.Template.Language.Policy = ptr(gen.TemplateLanguagePolicy("fallback"))
			return m
		}(), "template.language.policy"},
		{"hsm_fallback_policy", &gen.Message{To: customer, Type: ptr(gen.MessageTypeHsm), Hsm: &gen.Hsm{Namespace: "ns", ElementName: "t",
			Language: gen.HsmLanguage{Code: "en", Policy: gen.HsmLanguagePolicy("fallback")}}}, "hsm.language.policy"},
		{"a_second_block", &gen.Message{To: customer, Type: ptr(gen.MessageTypeText), Text: &gen.TextContent{Body: "hi"}, Image: &gen.OutboundMedia{ID: ptr("m")}}, "image"},
		{"unknown_type", &gen.Message{To: customer, Type: ptr(gen.MessageType("hologram"))}, "type"},
	}
	refused := map[string]bool{}
	for _, tc := range cases {
		refused[tc.field] = true
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := Translate(tc.msg)
			assert.Nil(t, out)
			var ue *UntranslatableError
			require.ErrorAs(t, err, &ue)
			assert.Equal(t, tc.field, ue.Field)
			assert.NotEmpty(t, ue.Reason)
			assert.ErrorIs(t, err, ErrUntranslatable)
			assert.Contains(t, err.Error(), "cannot express "+tc.field)
		})
	}
	for _, r := range rules {
		if r.refuse != nil {
			assert.True(t, refused[r.Field], "refusing rule %s has no case", r.Field)
		}
		if r.Action == Refused {
			assert.NotNil(t, r.refuse, "refused rule %s never refuses", r.Field)
		}
	}
}

// TestTranslateRefusesFieldsTheCloudTypeLacks checks the backstop of the shared blocks: a
// field the Cloud type has no place for fails instead of vanishing.
func TestTranslateRefusesFieldsTheCloudTypeLacks(t *testing.T) {
	t.Parallel()
	var loc struct {
		Latitude float64 `json:"latitude"`
		Extra    string  `json:"altitude"`
	}
	loc.Extra = "12m"
	var out struct {
		Latitude float64 `json:"latitude"`
	}
	err := copyJSON("location", loc, &out)
	var ue *UntranslatableError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, "location.altitude", ue.Field)
}

// jsonLeaves returns the JSON paths of every field of t, at every depth, with [] for array
// elements; union types (json.RawMessage inside) are leaves.
func jsonLeaves(t reflect.Type, prefix string, out map[string]bool, seen map[reflect.Type]int) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		if t.Kind() == reflect.Slice {
			prefix += "[]"
		}
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t.NumField() == 0 || !t.Field(0).IsExported() || seen[t] > 1 {
		out[prefix] = true
		return
	}
	seen[t]++
	defer func() { seen[t]-- }()
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		p := name
		if prefix != "" {
			p = prefix + "." + name
		}
		jsonLeaves(f.Type, p, out, seen)
	}
}

// ruleFor returns the most specific rule covering path: the longest rule that is path or
// an ancestor of it, a "*.name" rule covering any path ending in ".name" or equal to name.
func ruleFor(rules []Rule, path string) *Rule {
	var best *Rule
	bestLen := -1
	for i := range rules {
		r := &rules[i]
		field := r.Field
		match := false
		if suffix, ok := strings.CutPrefix(field, "*."); ok {
			match = path == suffix || strings.HasSuffix(path, "."+suffix) || strings.Contains(path, "."+suffix+".")
			field = path // a wildcard is as specific as the path it names
		} else {
			match = path == field || strings.HasPrefix(path, field+".") || strings.HasPrefix(path, field+"[]")
		}
		if match && len(field) > bestLen {
			best, bestLen = r, len(field)
		}
	}
	return best
}

// TestTranslationTableIsTotal walks gen.Message and cloudgen.Message: every field, at
// every depth, has a rule in the table of its direction, and every rule names a field that
// exists.
func TestTranslationTableIsTotal(t *testing.T) {
	t.Parallel()
	for _, dir := range []struct {
		name  string
		typ   reflect.Type
		rules []Rule
		probe string
	}{
		{"on-premises_to_cloud", reflect.TypeFor[gen.Message](), rules, "template.components[].parameters[].date_time.timestamp"},
		{"cloud_to_on-premises", reflect.TypeFor[cloudgen.Message](), reverseRules, "interactive.action.parameters.display_text"},
	} {
		t.Run(dir.name, func(t *testing.T) {
			t.Parallel()
			checkTotal(t, dir.typ, dir.rules, dir.probe)
		})
	}
}

func checkTotal(t *testing.T, typ reflect.Type, rules []Rule, probe string) {
	leaves := map[string]bool{}
	jsonLeaves(typ, "", leaves, map[reflect.Type]int{})
	require.Contains(t, leaves, probe)
	var uncovered []string
	for p := range leaves {
		if ruleFor(rules, p) == nil {
			uncovered = append(uncovered, p)
		}
	}
	sort.Strings(uncovered)
	assert.Empty(t, uncovered, "fields without a translation rule")

	var stale []string
	for _, r := range rules {
		field, wildcard := strings.CutPrefix(r.Field, "*.")
		found := false
		for p := range leaves {
			if (wildcard && (strings.HasSuffix(p, "."+field) || strings.Contains(p, "."+field+"."))) ||
				(!wildcard && (p == field || strings.HasPrefix(p, field+".") || strings.HasPrefix(p, field+"[]"))) {
				found = true
				break
			}
		}
		if !found {
			stale = append(stale, r.Field)
		}
	}
	assert.Empty(t, stale, "rules naming no field of the message")
	for _, r := range rules {
		switch r.Action {
		case Copied, Moved, Converted:
			assert.NotEmpty(t, r.Cloud, "rule %s says where the field goes", r.Field)
		case Dropped, Refused:
			assert.NotEmpty(t, r.Note, "rule %s says why", r.Field)
		default:
			t.Errorf("rule %s: unknown action %q", r.Field, r.Action)
		}
	}
}

// TestTranslateKeepsCoordinatesExact checks that a location keeps the On-Premises float64
// coordinates: with `type: number` and no format, the generator made them float32, which
// moved a point given to the tenth of a microdegree by about 20 m.
func TestTranslateKeepsCoordinatesExact(t *testing.T) {
	t.Parallel()
	out, err := Translate(api.NewLocationMessage(customer, api.Location{Latitude: 37.4847215, Longitude: -122.1481987}))
	require.NoError(t, err)
	raw, err := json.Marshal(out.Location)
	require.NoError(t, err)
	assert.JSONEq(t, `{"latitude":37.4847215,"longitude":-122.1481987}`, string(raw))
}
