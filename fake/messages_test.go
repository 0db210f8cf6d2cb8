package fake

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

func TestSendMessageRules(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithWebhookURL("http://127.0.0.1:1/hook"), WithInvalidContacts("16315550404"),
		WithRecipient("16315550403", RecipientBehavior{Blocked: true}), WithRecipient("16315550501", RecipientBehavior{Incapable: true}))
	img := h.uploadMedia("image/jpeg", []byte("jpeg"))
	pdf := h.uploadMedia("application/pdf", []byte("%PDF"))
	animated := h.uploadMedia("image/webp", animatedWebPHeader(50<<10))
	static := h.uploadMedia("image/webp", append([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "), make([]byte, 50<<10)...))
	require.Equal(t, 200, h.send("POST", "/v1/settings/application/media/providers", `[{"name":"cdn","type":"www","config":{"bearer":"t"}}]`).status)
	const to = `"to":"16315551234"`
	cases := []struct {
		name string
		body string
		want int // HTTP status
		code int
	}{
		// The block named by type.
		{"text", `{` + to + `,"type":"text","text":{"body":"hi"},"preview_url":true}`, 201, 0},
		{"type defaults to text", `{` + to + `,"text":{"body":"hi"}}`, 201, 0},
		{"missing block", `{` + to + `,"type":"image"}`, 400, codeMissingParameter},
		{"missing text block", `{` + to + `}`, 400, codeMissingParameter},
		{"extra block", `{` + to + `,"type":"text","text":{"body":"hi"},"image":{"id":"` + img + `"}}`, 400, codeParameterNotWanted},
		{"unknown type", `{` + to + `,"type":"reaction","reaction":{"emoji":"x"}}`, 400, codeInvalidParameter},
		{"missing to", `{"type":"text","text":{"body":"hi"}}`, 400, codeMissingParameter},
		{"bad recipient_type", `{` + to + `,"recipient_type":"broadcast","text":{"body":"hi"}}`, 400, codeInvalidRecipient},
		{"text too long", `{` + to + `,"text":{"body":"` + strings.Repeat("a", 4097) + `"}}`, 400, codeMessageTooLong},
		{"empty text", `{` + to + `,"text":{"body":""}}`, 400, codeInvalidParameter},
		{"wrong JSON type", `{"to":16315551234,"text":{"body":"hi"}}`, 400, codeInvalidParameter},
		{"not JSON", `{"to":`, 400, codeRequestNotValid},
		{"ttl seconds", `{` + to + `,"ttl":3600,"text":{"body":"hi"}}`, 201, 0},
		{"ttl duration", `{` + to + `,"ttl":"P1DT2H","text":{"body":"hi"}}`, 201, 0},
		{"ttl empty", `{` + to + `,"ttl":"","text":{"body":"hi"}}`, 400, codeInvalidParameter},
		{"ttl zero", `{` + to + `,"ttl":0,"text":{"body":"hi"}}`, 400, codeInvalidParameter},
		// Media.
		{"image by id", `{` + to + `,"type":"image","image":{"id":"` + img + `","caption":"c"}}`, 201, 0},
		{"image by link", `{` + to + `,"type":"image","image":{"link":"https://files.example.com/a.png"}}`, 201, 0},
		{"document with provider", `{` + to + `,"type":"document","document":{"link":"https://f.example.com/a.pdf","provider":{"name":"cdn"},"filename":"a.pdf"}}`, 201, 0},
		{"unknown provider", `{` + to + `,"type":"document","document":{"link":"https://f.example.com/a.pdf","provider":{"name":"nope"}}}`, 404, codeNotFound},
		{"unknown media id", `{` + to + `,"type":"image","image":{"id":"0f0f0f0f-0000-4000-8000-000000000000"}}`, 404, codeNotFound},
		{"id and link", `{` + to + `,"type":"image","image":{"id":"` + img + `","link":"https://f.example.com/a.png"}}`, 400, codeInvalidParameter},
		{"neither id nor link is a missing parameter", `{` + to + `,"type":"image","image":{"caption":"c"}}`, 400, codeMissingParameter},
		{"static sticker", `{` + to + `,"type":"sticker","sticker":{"id":"` + static + `"}}`, 201, 0},
		{"animated outbound sticker is refused", `{` + to + `,"type":"sticker","sticker":{"id":"` + animated + `"}}`, 400, codeInvalidParameter},
		{"document caption is accepted", `{` + to + `,"type":"document","document":{"id":"` + pdf + `","caption":"c"}}`, 201, 0},
		{"caption on audio", `{` + to + `,"type":"audio","audio":{"link":"https://f.example.com/a.aac","caption":"c"}}`, 400, codeParameterNotWanted},
		{"filename on image", `{` + to + `,"type":"image","image":{"id":"` + img + `","filename":"a.png"}}`, 400, codeParameterNotWanted},
		{"pdf as image", `{` + to + `,"type":"image","image":{"id":"` + pdf + `"}}`, 400, codeInvalidParameter},
		{"image as document", `{` + to + `,"type":"document","document":{"id":"` + img + `"}}`, 201, 0},
		{"link not http", `{` + to + `,"type":"video","video":{"link":"ftp://f.example.com/v.mp4"}}`, 400, codeInvalidParameter},
		// Location and contacts.
		{"location", `{` + to + `,"type":"location","location":{"latitude":37.7,"longitude":-122.4,"name":"SF"}}`, 201, 0},
		{"location out of range", `{` + to + `,"type":"location","location":{"latitude":91,"longitude":0}}`, 400, codeInvalidParameter},
		{"location missing longitude", `{` + to + `,"type":"location","location":{"latitude":1}}`, 400, codeMissingParameter},
		{"contacts", `{` + to + `,"type":"contacts","contacts":[{"name":{"formatted_name":"Ana Lee","first_name":"Ana"}}]}`, 201, 0},
		{"contacts without name part", `{` + to + `,"type":"contacts","contacts":[{"name":{"formatted_name":"Ana Lee"}}]}`, 400, codeMissingParameter},
		{"contacts empty", `{` + to + `,"type":"contacts","contacts":[]}`, 400, codeInvalidParameter},
		// Interactive.
		{"list", `{` + to + `,"type":"interactive","interactive":{"type":"list","body":{"text":"Pick"},"action":{"button":"Options","sections":[{"rows":[{"id":"a","title":"A"}]}]}}}`, 201, 0},
		{"list with image header", `{` + to + `,"type":"interactive","interactive":{"type":"list","header":{"type":"image","image":{"link":"https://f.example.com/h.png"}},"body":{"text":"Pick"},"action":{"button":"Options","sections":[{"rows":[{"id":"a","title":"A"}]}]}}}`, 400, codeInvalidParameter},
		{"list without body", `{` + to + `,"type":"interactive","interactive":{"type":"list","action":{"button":"Options","sections":[{"rows":[{"id":"a","title":"A"}]}]}}}`, 400, codeMissingParameter},
		{"list with buttons", `{` + to + `,"type":"interactive","interactive":{"type":"list","body":{"text":"Pick"},"action":{"button":"Options","buttons":[{"type":"reply","reply":{"id":"a","title":"A"}}],"sections":[{"rows":[{"id":"a","title":"A"}]}]}}}`, 400, codeParameterNotWanted},
		{"list of 11 rows", `{` + to + `,"type":"interactive","interactive":{"type":"list","body":{"text":"Pick"},"action":{"button":"Options","sections":[{"title":"a","rows":[` + rows(6, "a") + `]},{"title":"b","rows":[` + rows(5, "b") + `]}]}}}`, 400, codeRowCount},
		{"list of 11 rows in one section", `{` + to + `,"type":"interactive","interactive":{"type":"list","body":{"text":"Pick"},"action":{"button":"Options","sections":[{"rows":[` + rows(11, "a") + `]}]}}}`, 400, codeRowCount},
		{"product list of 31 products in total", `{` + to + `,"type":"interactive","interactive":{"type":"product_list","header":{"type":"text","text":"H"},"body":{"text":"Pick"},"action":{"catalog_id":"c","sections":[{"title":"a","product_items":[` + products(16, "a") + `]},{"title":"b","product_items":[` + products(15, "b") + `]}]}}}`, 400, codeProductCount},
		{"product list of 30 products in total", `{` + to + `,"type":"interactive","interactive":{"type":"product_list","header":{"type":"text","text":"H"},"body":{"text":"Pick"},"action":{"catalog_id":"c","sections":[{"title":"a","product_items":[` + products(15, "a") + `]},{"title":"b","product_items":[` + products(15, "b") + `]}]}}}`, 201, 0},
		{"two sections without titles", `{` + to + `,"type":"interactive","interactive":{"type":"list","body":{"text":"Pick"},"action":{"button":"Options","sections":[{"rows":[` + rows(1, "a") + `]},{"rows":[` + rows(1, "b") + `]}]}}}`, 400, codeMissingParameter},
		{"buttons", `{` + to + `,"type":"interactive","interactive":{"type":"button","header":{"type":"image","image":{"id":"` + img + `"}},"body":{"text":"Ok?"},"action":{"buttons":[{"type":"reply","reply":{"id":"y","title":"Yes"}},{"type":"reply","reply":{"id":"n","title":"No"}}]}}}`, 201, 0},
		{"duplicate button ids", `{` + to + `,"type":"interactive","interactive":{"type":"button","body":{"text":"Ok?"},"action":{"buttons":[{"type":"reply","reply":{"id":"y","title":"Yes"}},{"type":"reply","reply":{"id":"y","title":"No"}}]}}}`, 400, codeInvalidParameter},
		{"four buttons", `{` + to + `,"type":"interactive","interactive":{"type":"button","body":{"text":"Ok?"},"action":{"buttons":[` + buttons(4) + `]}}}`, 400, codeInvalidParameter},
		{"header block missing", `{` + to + `,"type":"interactive","interactive":{"type":"button","header":{"type":"video"},"body":{"text":"Ok?"},"action":{"buttons":[` + buttons(1) + `]}}}`, 400, codeMissingParameter},
		{"product", `{` + to + `,"type":"interactive","interactive":{"type":"product","action":{"catalog_id":"1","product_retailer_id":"SKU"}}}`, 201, 0},
		{"product with header", `{` + to + `,"type":"interactive","interactive":{"type":"product","header":{"type":"text","text":"H"},"action":{"catalog_id":"1","product_retailer_id":"SKU"}}}`, 400, codeParameterNotWanted},
		{"product without sku", `{` + to + `,"type":"interactive","interactive":{"type":"product","action":{"catalog_id":"1"}}}`, 400, codeMissingParameter},
		{"product list", `{` + to + `,"type":"interactive","interactive":{"type":"product_list","header":{"type":"text","text":"Cat"},"body":{"text":"B"},"action":{"catalog_id":"1","sections":[{"title":"S","product_items":[{"product_retailer_id":"A"}]}]}}}`, 201, 0},
		{"product list without header", `{` + to + `,"type":"interactive","interactive":{"type":"product_list","body":{"text":"B"},"action":{"catalog_id":"1","sections":[{"title":"S","product_items":[{"product_retailer_id":"A"}]}]}}}`, 400, codeMissingParameter},
		{"unknown interactive type", `{` + to + `,"type":"interactive","interactive":{"type":"carousel","body":{"text":"B"},"action":{}}}`, 400, codeInvalidParameter},
		// Templates.
		{"template", `{` + to + `,"type":"template","template":{"namespace":"ns","name":"order_update","language":{"policy":"deterministic","code":"en_US"},"components":[{"type":"header","parameters":[{"type":"document","document":{"id":"` + pdf + `"}}]},{"type":"body","parameters":[{"type":"text","text":"Ana"},{"type":"currency","currency":{"fallback_value":"$1","code":"USD","amount_1000":1000}}]},{"type":"button","sub_type":"quick_reply","index":0,"parameters":[{"type":"payload","payload":"p"}]},{"type":"button","sub_type":"url","index":"1","parameters":[{"type":"text","text":"x"}]}]}}`, 201, 0},
		{"template without namespace", `{` + to + `,"type":"template","template":{"name":"n","language":{"code":"en"}}}`, 400, codeMissingParameter},
		{"button without index", `{` + to + `,"type":"template","template":{"namespace":"ns","name":"n","language":{"code":"en"},"components":[{"type":"button","sub_type":"url","parameters":[{"type":"text","text":"x"}]}]}}`, 400, codeMissingParameter},
		{"body with sub_type", `{` + to + `,"type":"template","template":{"namespace":"ns","name":"n","language":{"code":"en"},"components":[{"type":"body","sub_type":"url"}]}}`, 400, codeParameterNotWanted},
		{"parameter block missing", `{` + to + `,"type":"template","template":{"namespace":"ns","name":"n","language":{"code":"en"},"components":[{"type":"body","parameters":[{"type":"text"}]}]}}`, 400, codeMissingParameter},
		{"parameter extra block", `{` + to + `,"type":"template","template":{"namespace":"ns","name":"n","language":{"code":"en"},"components":[{"type":"body","parameters":[{"type":"text","text":"a","payload":"b"}]}]}}`, 400, codeParameterNotWanted},
		{"media parameter in body", `{` + to + `,"type":"template","template":{"namespace":"ns","name":"n","language":{"code":"en"},"components":[{"type":"body","parameters":[{"type":"image","image":{"id":"` + img + `"}}]}]}}`, 400, codeTemplateFormat},
		{"payload in url button", `{` + to + `,"type":"template","template":{"namespace":"ns","name":"n","language":{"code":"en"},"components":[{"type":"button","sub_type":"url","index":0,"parameters":[{"type":"payload","payload":"p"}]}]}}`, 400, codeTemplateFormat},
		{"template document not pdf", `{` + to + `,"type":"template","template":{"namespace":"ns","name":"n","language":{"code":"en"},"components":[{"type":"header","parameters":[{"type":"document","document":{"id":"` + img + `"}}]}]}}`, 400, codeMediaFormat},
		{"button index 9", `{` + to + `,"type":"template","template":{"namespace":"ns","name":"n","language":{"code":"en"},"components":[{"type":"button","sub_type":"url","index":9,"parameters":[{"type":"text","text":"x"}]}]}}`, 201, 0},
		{"button index \"9\"", `{` + to + `,"type":"template","template":{"namespace":"ns","name":"n","language":{"code":"en"},"components":[{"type":"button","sub_type":"url","index":"9","parameters":[{"type":"text","text":"x"}]}]}}`, 201, 0},
		{"button index 10", `{` + to + `,"type":"template","template":{"namespace":"ns","name":"n","language":{"code":"en"},"components":[{"type":"button","sub_type":"url","index":10,"parameters":[{"type":"text","text":"x"}]}]}}`, 400, codeInvalidParameter},
		{"button index \"10\"", `{` + to + `,"type":"template","template":{"namespace":"ns","name":"n","language":{"code":"en"},"components":[{"type":"button","sub_type":"url","index":"10","parameters":[{"type":"text","text":"x"}]}]}}`, 400, codeInvalidParameter},
		{"template policy fallback is refused", `{` + to + `,"type":"template","template":{"namespace":"ns","name":"n","language":{"policy":"fallback","code":"en"}}}`, 400, codeInvalidParameter},
		{"hsm policy fallback is refused", `{` + to + `,"type":"hsm","hsm":{"namespace":"ns","element_name":"e","language":{"policy":"fallback","code":"en"}}}`, 400, codeInvalidParameter},
		{"hsm", `{` + to + `,"type":"hsm","hsm":{"namespace":"ns","element_name":"e","language":{"policy":"deterministic","code":"en"},"localizable_params":[{"default":"a"}]}}`, 201, 0},
		{"hsm without policy", `{` + to + `,"type":"hsm","hsm":{"namespace":"ns","element_name":"e","language":{"code":"en"}}}`, 400, codeMissingParameter},
		// Recipients.
		{"recipient not a number", `{"to":"kerry","text":{"body":"hi"}}`, 400, codeUserNotValid},
		{"invalid recipient", `{"to":"16315550404","text":{"body":"hi"}}`, 400, codeUserNotValid},
		{"sending to itself", `{"to":"16315551019","text":{"body":"hi"}}`, 400, codeBadUser},
		{"blocked recipient", `{"to":"16315550403","text":{"body":"hi"}}`, 403, codeRecipientBlocked},
		{"incapable recipient", `{"to":"16315550501","text":{"body":"hi"}}`, 501, codeReceiverIncapable},
		{"unknown group", `{"recipient_type":"group","to":"1-2","text":{"body":"hi"}}`, 404, codeGroupUnknown},
		{"phone formatting is accepted", `{"to":"+1 (631) 555-1234","text":{"body":"hi"}}`, 201, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.send("POST", "/v1/messages", c.body)
			if c.code == 0 {
				require.Equal(t, c.want, r.status, string(r.body))
				var env gen.MessagesEnvelope
				r.decode(t, &env)
				require.Len(t, env.Messages, 1)
				assert.Regexp(t, `^gBEG[\w-]{23}$`, env.Messages[0].ID)
				_, ok := h.srv.SentMessage(env.Messages[0].ID)
				assert.True(t, ok, "the message is recorded")
				return
			}
			requireError(t, r, c.want, c.code)
		})
	}
}

func products(n int, prefix string) string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf(`{"product_retailer_id":"%s%d"}`, prefix, i))
	}
	return strings.Join(out, ",")
}

func rows(n int, prefix string) string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, fmt.Sprintf(`{"id":"%s%d","title":"Row %d"}`, prefix, i, i))
	}
	return strings.Join(out, ",")
}

func buttons(n int) string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, fmt.Sprintf(`{"type":"reply","reply":{"id":"b%d","title":"B%d"}}`, i, i))
	}
	return strings.Join(out, ",")
}

func TestTemplateRegistry(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithWebhookURL("http://127.0.0.1:1/hook"), WithTemplates(Template{
		Namespace: "ns", Name: "order_update", Languages: []string{"en_US"}, HeaderFormat: "text", BodyParams: 2,
		Buttons: []TemplateButton{{Index: 0, SubType: gen.TemplateComponentSubTypeQuickReply}},
	}))
	tmpl := func(name, lang, comps string) string {
		return `{"to":"16315551234","type":"template","template":{"namespace":"ns","name":"` + name + `","language":{"code":"` + lang + `"},"components":[` + comps + `]}}`
	}
	header := `{"type":"header","parameters":[{"type":"text","text":"H"}]}`
	body2 := `{"type":"body","parameters":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}`
	button := `{"type":"button","sub_type":"quick_reply","index":0,"parameters":[{"type":"payload","payload":"p"}]}`
	assert.Equal(t, 201, h.send("POST", "/v1/messages", tmpl("order_update", "en_US", header+","+body2+","+button)).status)
	requireError(t, h.send("POST", "/v1/messages", tmpl("missing", "en_US", header+","+body2)), 404, codeTemplateMissing)
	requireError(t, h.send("POST", "/v1/messages", tmpl("order_update", "fr", header+","+body2)), 404, codeTranslationMissing)
	requireError(t, h.send("POST", "/v1/messages", tmpl("order_update", "en_US", header)), 400, codeTemplateParamCount)
	requireError(t, h.send("POST", "/v1/messages", tmpl("order_update", "en_US", body2)), 400, codeTemplateParamCount)
	requireError(t, h.send("POST", "/v1/messages", tmpl("order_update", "en_US",
		`{"type":"header","parameters":[{"type":"image","image":{"link":"https://f.example.com/i.png"}}]},`+body2)), 400, codeTemplateFormat)
	requireError(t, h.send("POST", "/v1/messages", tmpl("order_update", "en_US", header+","+body2+
		`,{"type":"button","sub_type":"url","index":0,"parameters":[{"type":"text","text":"x"}]}`)), 400, codeTemplateFormat)
	hsm := `{"to":"16315551234","type":"hsm","hsm":{"namespace":"ns","element_name":"order_update","language":{"policy":"deterministic","code":"en_US"},"localizable_params":[{"default":"a"}]}}`
	requireError(t, h.send("POST", "/v1/messages", hsm), 400, codeTemplateParamCount)
}

func TestSendNeedsWebhookURLAndQueueRoom(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	requireError(t, h.send("POST", "/v1/messages", `{"to":"16315551234","text":{"body":"hi"}}`), 412, codeNoWebhookURL)

	// A receiver that always fails keeps callbacks pending: once the callbacks pending and
	// those accepted sends will still schedule fill the capacity, sends fail with 503 and code
	// 1016. Two sends with three statuses each fill six.
	failing := NewWebhookRecorder(t, FailRate(1, 1))
	h2 := newHarness(t, WithWebhookQueueCapacity(6))
	h2.setWebhook(failing.URL, true, true, true)
	for i := 0; i < 2; i++ {
		h2.sendText("16315551234", fmt.Sprintf("m%d", i))
	}
	h2.advance(10 * time.Millisecond) // both `sent` statuses fall due and fail
	h2.advance(10 * time.Millisecond) // both `delivered`
	assert.Equal(t, 4, h2.srv.WebhookStats().Pending)
	r := h2.send("POST", "/v1/messages", `{"to":"16315551234","text":{"body":"hi"}}`)
	requireError(t, r, http.StatusServiceUnavailable, codeOverloaded)
	assert.Equal(t, DefaultQueueCapacity, 100000)
}

func TestStatusWebhooksFollowSettings(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t)
	h := newHarness(t, WithStatusDelays(StatusDelays{Sent: time.Second, Delivered: 2 * time.Second, Read: 3 * time.Second}),
		WithRecipient("16315550470", RecipientBehavior{FailWith: 470}), WithRecipient("16315550777", RecipientBehavior{NeverReads: true}))
	h.setWebhook(rec.URL, true, true, true)
	start := h.clock.Now()
	id := h.sendText("16315551234", "hello")
	statuses := func() []string {
		var out []string
		for _, s := range rec.Statuses() {
			if s.ID == id {
				out = append(out, s.Status)
			}
		}
		return out
	}
	h.advance(999 * time.Millisecond)
	assert.Empty(t, statuses())
	h.advance(time.Millisecond)
	assert.Equal(t, []string{"sent"}, statuses())
	h.advance(2 * time.Second)
	assert.Equal(t, []string{"sent", "delivered"}, statuses())
	h.advance(3 * time.Second)
	assert.Equal(t, []string{"sent", "delivered", "read"}, statuses())

	st := rec.Statuses()
	require.Len(t, st, 3)
	assert.Equal(t, "16315551234", *st[0].RecipientID)
	assert.Equal(t, fmt.Sprint(start.Add(time.Second).Unix()), st[0].Timestamp)
	require.NotNil(t, st[0].Conversation)
	assert.Equal(t, "business_initiated", *st[0].Conversation.Origin.Type)
	assert.NotNil(t, st[0].Conversation.ExpirationTimestamp, "first status of the conversation")
	assert.Nil(t, st[1].Conversation.ExpirationTimestamp)
	assert.Equal(t, "CBP", *st[1].Pricing.PricingModel)
	assert.Nil(t, st[2].Conversation, "read statuses carry no conversation")

	// Only `delivered` switched on.
	h.setWebhook(rec.URL, false, true, false)
	id = h.sendText("16315551234", "second")
	h.advance(10 * time.Second)
	assert.Equal(t, []string{"delivered"}, statuses())
	m, _ := h.srv.SentMessage(id)
	require.Len(t, m.Statuses, 3, "the progression still happens")
	assert.False(t, m.Statuses[0].Notified)

	// A recipient configured to fail gets a single `failed` status with the code.
	h.setWebhook(rec.URL, false, false, false)
	id = h.sendText("16315550470", "outside the window")
	h.advance(10 * time.Second)
	failed := statuses()
	require.Equal(t, []string{"failed"}, failed, "failed statuses are always sent")
	for _, s := range rec.Statuses() {
		if s.ID == id {
			require.NotNil(t, s.Errors)
			assert.Equal(t, 470, (*s.Errors)[0].Code)
		}
	}

	// A recipient that never reads stops at delivered.
	h.setWebhook(rec.URL, true, true, true)
	id = h.sendText("16315550777", "unread")
	h.advance(10 * time.Second)
	assert.ElementsMatch(t, []string{"sent", "delivered"}, statuses(), "delivery is unordered")
	requireValidNotifications(t, rec.Bodies())
}

func TestCustomerCareWindowAndMarkRead(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t)
	h := newHarness(t, WithCustomerCareWindow())
	h.setWebhook(rec.URL, true, false, false)
	id := h.sendText("16315551234", "cold message")
	h.advance(time.Second)
	m, _ := h.srv.SentMessage(id)
	require.Len(t, m.Statuses, 1)
	assert.Equal(t, 470, m.Statuses[0].ErrorCode)

	in, err := h.srv.InjectInbound(Inbound{Message: gen.InboundMessage{From: "16315551234", Type: "text", Text: &gen.InboundText{Body: "hi!"}}})
	require.NoError(t, err)
	id = h.sendText("16315551234", "warm reply")
	h.advance(time.Second)
	m, _ = h.srv.SentMessage(id)
	require.NotEmpty(t, m.Statuses)
	assert.Equal(t, "sent", m.Statuses[0].Status)
	var origin string
	for _, s := range rec.Statuses() {
		if s.ID == id && s.Conversation != nil {
			origin = *s.Conversation.Origin.Type
		}
	}
	assert.Equal(t, "user_initiated", origin)

	// Templates are not free-form.
	r := h.send("POST", "/v1/messages", `{"to":"16315559999","type":"template","template":{"namespace":"ns","name":"n","language":{"code":"en"}}}`)
	require.Equal(t, 201, r.status, string(r.body))

	requireError(t, h.send("PUT", "/v1/messages/unknown-id", `{"status":"read"}`), 404, codeNotFound)
	requireError(t, h.send("PUT", "/v1/messages/"+in.ID, `{"status":"delivered"}`), 400, codeInvalidParameter)
	require.Equal(t, 200, h.send("PUT", "/v1/messages/"+in.ID, `{"status":"read"}`).status)
	got := h.srv.InboundMessages()
	require.Len(t, got, 1)
	assert.True(t, got[0].Read)
}

func TestMessageGarbageCollection(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t)
	h := newHarness(t)
	h.setWebhook(rec.URL, false, true, true)
	h.sendText("16315551234", "a")
	h.sendText("16315551234", "b")
	h.advance(time.Second) // both reach `read`
	h.sendText("16315551234", "c")
	r := h.send("PUT", "/v1/services/message/gc", nil)
	require.Equal(t, 200, r.status)
	var env gen.MessageGCEnvelope
	r.decode(t, &env)
	assert.Equal(t, gen.MessageGCProgressStatusProcessing, *env.Services.Message.Gc.Status)
	h.advance(time.Second) // the collection runs 10 ms later, before "c" is read
	var deleted int64 = -1
	for _, n := range rec.Notifications() {
		if n.Services != nil {
			deleted = *(*n.Services)[0].Message.Gc.MessagesDeleted
		}
	}
	assert.Equal(t, int64(2), deleted)
	assert.Len(t, h.srv.SentMessages(), 1)
}

func TestMessageHistoryIsBounded(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithMessageHistory(3), WithWebhookURL("http://127.0.0.1:1/hook"))
	var ids []string
	for i := 0; i < 5; i++ {
		ids = append(ids, h.sendText("16315551234", fmt.Sprint(i)))
	}
	got := h.srv.SentMessages()
	require.Len(t, got, 3)
	assert.Equal(t, ids[2:], []string{got[0].ID, got[1].ID, got[2].ID})
	assert.Equal(t, "2", got[0].Message.Text.Body)
}

// TestDocumentCaptionIsAcceptedButNotDelivered follows Meta's final reference ("Captions are
// currently not supported for document media") and the Webapp's validation (which accepts the
// field): the send succeeds and the recorded message carries no caption.
func TestDocumentCaptionIsAcceptedButNotDelivered(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithWebhookURL("http://127.0.0.1:1/hook"))
	pdf := h.uploadMedia("application/pdf", []byte("%PDF"))
	r := h.send("POST", "/v1/messages", `{"to":"16315551234","type":"document","document":{"id":"`+pdf+`","caption":"Invoice","filename":"a.pdf"}}`)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var env gen.MessagesEnvelope
	r.decode(t, &env)
	sent, ok := h.srv.SentMessage(env.Messages[0].ID)
	require.True(t, ok)
	require.NotNil(t, sent.Message.Document)
	assert.Nil(t, sent.Message.Document.Caption, "a document caption is not delivered")
	assert.Equal(t, "a.pdf", *sent.Message.Document.Filename)
	img := h.uploadMedia("image/jpeg", []byte("jpeg"))
	r = h.send("POST", "/v1/messages", `{"to":"16315551234","type":"image","image":{"id":"`+img+`","caption":"Receipt"}}`)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	r.decode(t, &env)
	sent, _ = h.srv.SentMessage(env.Messages[0].ID)
	assert.Equal(t, "Receipt", *sent.Message.Image.Caption, "image captions are delivered")
}
