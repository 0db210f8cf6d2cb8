package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

const (
	sentResp = `{"messages":[{"id":"gBEGkYiEB1VXAglK1ZEqA1YKPrU"}],"meta":{"api_status":"stable","version":"v2.45.1"}}`
	sentID   = "gBEGkYiEB1VXAglK1ZEqA1YKPrU"
	customer = "16315551234"
)

// sendCase is a Send call and the exact message body it must post.
func sendCase(name, body string, call func(ctx context.Context, c *Client) (string, error)) wrapperCase {
	return wrapperCase{
		name: name, method: "POST", path: "/v1/messages", status: http.StatusCreated, body: body, resp: sentResp,
		call: func(ctx context.Context, c *Client) (any, error) { return call(ctx, c) },
		want: sentID,
	}
}

func TestSendWrappers(t *testing.T) {
	t.Parallel()
	when := time.Date(2024, 2, 25, 0, 0, 0, 0, time.UTC)
	runWrapperCases(t, []wrapperCase{
		sendCase("SendText", `{"to":"16315551234","type":"text","text":{"body":"Hello"}}`,
			func(ctx context.Context, c *Client) (string, error) { return c.SendText(ctx, customer, "Hello") }),
		sendCase("SendText_preview_and_ttl", `{"to":"16315551234","type":"text","preview_url":true,"ttl":3600,
			"text":{"body":"See https://example.com"}}`,
			func(ctx context.Context, c *Client) (string, error) {
				return c.SendText(ctx, customer, "See https://example.com", WithPreviewURL(), WithTTL(time.Hour))
			}),
		sendCase("SendText_to_group", `{"to":"16315558032-1530825318","recipient_type":"group","type":"text","text":{"body":"Hi all"}}`,
			func(ctx context.Context, c *Client) (string, error) {
				return c.SendText(ctx, "16315558032-1530825318", "Hi all", ToGroup())
			}),
		sendCase("SendImage_by_id_with_caption", `{"to":"16315551234","type":"image","image":{"id":"f043afd0","caption":"Your receipt"}}`,
			func(ctx context.Context, c *Client) (string, error) {
				return c.SendImage(ctx, customer, Media{ID: "f043afd0", Caption: "Your receipt"})
			}),
		sendCase("SendAudio", `{"to":"16315551234","type":"audio","audio":{"id":"b1c68f38"}}`,
			func(ctx context.Context, c *Client) (string, error) {
				return c.SendAudio(ctx, customer, Media{ID: "b1c68f38"})
			}),
		sendCase("SendVideo_by_link", `{"to":"16315551234","type":"video","video":{"link":"https://files.example.com/v.mp4","caption":"Setup"}}`,
			func(ctx context.Context, c *Client) (string, error) {
				return c.SendVideo(ctx, customer, Media{Link: "https://files.example.com/v.mp4", Caption: "Setup"})
			}),
		sendCase("SendDocument_by_link_with_provider",
			`{"to":"16315551234","type":"document","document":{"link":"https://files.example.com/i.pdf",
				"provider":{"name":"cdn-bearer"},"filename":"invoice.pdf","caption":"Invoice"}}`,
			func(ctx context.Context, c *Client) (string, error) {
				return c.SendDocument(ctx, customer, Media{Link: "https://files.example.com/i.pdf", Provider: "cdn-bearer",
					Filename: "invoice.pdf", Caption: "Invoice"})
			}),
		sendCase("SendSticker", `{"to":"16315551234","type":"sticker","sticker":{"id":"2af1c3d4"}}`,
			func(ctx context.Context, c *Client) (string, error) {
				return c.SendSticker(ctx, customer, Media{ID: "2af1c3d4"})
			}),
		sendCase("SendLocation", `{"to":"16315551234","type":"location","location":{"latitude":37.758056,"longitude":-122.425332,
				"name":"Mission Dolores Park","address":"19th St & Dolores St"}}`,
			func(ctx context.Context, c *Client) (string, error) {
				return c.SendLocation(ctx, customer, Location{Latitude: 37.758056, Longitude: -122.425332,
					Name: "Mission Dolores Park", Address: "19th St & Dolores St"})
			}),
		sendCase("SendLocation_unnamed", `{"to":"16315551234","type":"location","location":{"latitude":1.5,"longitude":2.5}}`,
			func(ctx context.Context, c *Client) (string, error) {
				return c.SendLocation(ctx, customer, Location{Latitude: 1.5, Longitude: 2.5})
			}),
		sendCase("SendContacts", `{"to":"16315551234","type":"contacts","contacts":[{"name":{"formatted_name":"Maria Lopez","first_name":"Maria"},
				"phones":[{"phone":"+1 (650) 555-0147","type":"WORK","wa_id":"16505550147"}]}]}`,
			func(ctx context.Context, c *Client) (string, error) {
				return c.SendContacts(ctx, customer, []gen.ContactCard{{
					Name:   gen.ContactName{FormattedName: "Maria Lopez", FirstName: ptr("Maria")},
					Phones: &[]gen.ContactPhone{{Phone: ptr("+1 (650) 555-0147"), Type: ptr("WORK"), WaID: ptr("16505550147")}},
				}})
			}),
		sendCase("SendInteractiveList", `{"to":"16315551234","type":"interactive","interactive":{"type":"list",
				"header":{"type":"text","text":"Shipping"},"body":{"text":"How fast?"},"footer":{"text":"Taxes included"},
				"action":{"button":"Choose","sections":[{"title":"Express","rows":[
					{"id":"ship-next-day","title":"Next day","description":"Arrives tomorrow"},{"id":"ship-2h","title":"2 hours"}]}]}}}`,
			func(ctx context.Context, c *Client) (string, error) {
				return c.SendInteractiveList(ctx, customer, List{Header: "Shipping", Body: "How fast?", Footer: "Taxes included",
					Button: "Choose", Sections: []ListSection{{Title: "Express", Rows: []ListRow{
						{ID: "ship-next-day", Title: "Next day", Description: "Arrives tomorrow"}, {ID: "ship-2h", Title: "2 hours"}}}}})
			}),
		sendCase("SendInteractiveButtons_image_header", `{"to":"16315551234","type":"interactive","interactive":{"type":"button",
				"header":{"type":"image","image":{"id":"f043afd0"}},"body":{"text":"Confirm?"},
				"action":{"buttons":[{"type":"reply","reply":{"id":"yes","title":"Yes"}},{"type":"reply","reply":{"id":"no","title":"No"}}]}}}`,
			func(ctx context.Context, c *Client) (string, error) {
				return c.SendInteractiveButtons(ctx, customer, ReplyButtons{Header: Header{Image: &Media{ID: "f043afd0"}},
					Body: "Confirm?", Buttons: []gen.ReplyButton{{ID: "yes", Title: "Yes"}, {ID: "no", Title: "No"}}})
			}),
		sendCase("SendInteractiveButtons_text_header", `{"to":"16315551234","type":"interactive","interactive":{"type":"button",
				"header":{"type":"text","text":"Booking"},"body":{"text":"Confirm?"},"footer":{"text":"Reply by 6 pm"},
				"action":{"buttons":[{"type":"reply","reply":{"id":"yes","title":"Yes"}}]}}}`,
			func(ctx context.Context, c *Client) (string, error) {
				return c.SendInteractiveButtons(ctx, customer, ReplyButtons{Header: Header{Text: "Booking"},
					Body: "Confirm?", Footer: "Reply by 6 pm", Buttons: []gen.ReplyButton{{ID: "yes", Title: "Yes"}}})
			}),
		sendCase("SendProduct", `{"to":"16315551234","type":"interactive","interactive":{"type":"product",
				"body":{"text":"Back in stock"},"action":{"catalog_id":"367025965434465","product_retailer_id":"SKU-1"}}}`,
			func(ctx context.Context, c *Client) (string, error) {
				return c.SendProduct(ctx, customer, Product{CatalogID: "367025965434465", ProductRetailerID: "SKU-1", Body: "Back in stock"})
			}),
		sendCase("SendProductList", `{"to":"16315551234","type":"interactive","interactive":{"type":"product_list",
				"header":{"type":"text","text":"Jackets"},"body":{"text":"Our picks"},
				"action":{"catalog_id":"367025965434465","sections":[{"title":"Winter","product_items":[
					{"product_retailer_id":"SKU-1"},{"product_retailer_id":"SKU-2"}]}]}}}`,
			func(ctx context.Context, c *Client) (string, error) {
				return c.SendProductList(ctx, customer, ProductList{Header: "Jackets", Body: "Our picks", CatalogID: "367025965434465",
					Sections: []ProductSection{{Title: "Winter", ProductRetailerIDs: []string{"SKU-1", "SKU-2"}}}})
			}),
		sendCase("SendTemplate", `{"to":"16315551234","type":"template","template":{"namespace":"cdb2df51","name":"order_update",
				"language":{"code":"en_US","policy":"deterministic"},"components":[
				{"type":"header","parameters":[{"type":"image","image":{"link":"https://files.example.com/banner.png"}}]},
				{"type":"body","parameters":[{"type":"text","text":"Ana"},
					{"type":"currency","currency":{"fallback_value":"$10.99","code":"USD","amount_1000":10990}},
					{"type":"date_time","date_time":{"fallback_value":"February 25, 2024","timestamp":1708819200}}]},
				{"type":"button","sub_type":"quick_reply","index":0,"parameters":[{"type":"payload","payload":"track-58213"}]},
				{"type":"button","sub_type":"url","index":1,"parameters":[{"type":"text","text":"orders/58213"}]}]}}`,
			func(ctx context.Context, c *Client) (string, error) {
				tpl := NewTemplate("cdb2df51", "order_update", "en_US").
					Header(ImageParam(Media{Link: "https://files.example.com/banner.png"})).
					Body(TextParam("Ana"), CurrencyParam("$10.99", "USD", 10990), DateTimeParam("February 25, 2024", when)).
					QuickReplyButton(0, "track-58213").
					URLButton(1, "orders/58213")
				return c.SendTemplate(ctx, customer, tpl)
			}),
		sendCase("SendTemplate_media_headers", `{"to":"16315551234","type":"template","template":{"namespace":"ns","name":"doc",
				"language":{"code":"en","policy":"deterministic"},"components":[
				{"type":"header","parameters":[{"type":"document","document":{"id":"pdf-1","filename":"invoice.pdf"}}]},
				{"type":"header","parameters":[{"type":"video","video":{"id":"vid-1"}}]}]}}`,
			func(ctx context.Context, c *Client) (string, error) {
				tpl := NewTemplate("ns", "doc", "en").
					Header(DocumentParam(Media{ID: "pdf-1", Filename: "invoice.pdf"})).
					Header(VideoParam(Media{ID: "vid-1"}))
				return c.SendTemplate(ctx, customer, tpl)
			}),
		sendCase("SendTemplate_without_parameters", `{"to":"16315551234","type":"template","template":{"namespace":"ns",
				"name":"hello_world","language":{"code":"en","policy":"deterministic"}}}`,
			func(ctx context.Context, c *Client) (string, error) {
				return c.SendTemplate(ctx, customer, NewTemplate("ns", "hello_world", "en"))
			}),
		sendCase("SendMessage_hsm", `{"to":"16315551234","type":"hsm","hsm":{"namespace":"ns","element_name":"purchase",
				"language":{"policy":"deterministic","code":"en_US"},"localizable_params":[{"default":"$10"}]}}`,
			func(ctx context.Context, c *Client) (string, error) {
				return c.SendMessage(ctx, gen.Message{To: customer, Type: ptr(gen.MessageTypeHsm), Hsm: &gen.Hsm{
					Namespace: "ns", ElementName: "purchase",
					Language:          gen.HsmLanguage{Policy: gen.HsmLanguagePolicyDeterministic, Code: "en_US"},
					LocalizableParams: &[]gen.HsmParameter{{Default: "$10"}},
				}})
			}),
		{
			name: "SendText_answered_200", method: "POST", path: "/v1/messages", resp: sentResp,
			body: `{"to":"16315551234","type":"text","text":{"body":"Hello"}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.SendText(ctx, customer, "Hello") },
			want: sentID,
		},
		{
			name: "MarkRead", method: "PUT", path: "/v1/messages/ABGGFlA5FpafAgo6tHcNmNjXmuSf", body: `{"status":"read"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.MarkRead(ctx, "ABGGFlA5FpafAgo6tHcNmNjXmuSf"))
			},
		},
		{
			name: "CollectMessageGarbage", method: "PUT", path: "/v1/services/message/gc",
			resp: `{"services":{"message":{"gc":{"status":"processing"}}}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return noResult(c.CollectMessageGarbage(ctx)) },
		},
	})
}

// TestSendFailsBeforeSending covers arguments the client cannot build a message from.
func TestSendFailsBeforeSending(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		call    func(ctx context.Context, c *Client) (string, error)
		wantErr string
	}{
		{"no_recipient", func(ctx context.Context, c *Client) (string, error) { return c.SendText(ctx, "", "hi") }, "empty recipient"},
		{"SendMessage_no_recipient", func(ctx context.Context, c *Client) (string, error) {
			return c.SendMessage(ctx, gen.Message{Text: &gen.TextContent{Body: "hi"}})
		}, "empty recipient"},
		{"nil_option", func(ctx context.Context, c *Client) (string, error) { return c.SendText(ctx, customer, "hi", nil) }, "nil SendOption"},
		{"ttl_under_a_second", func(ctx context.Context, c *Client) (string, error) {
			return c.SendText(ctx, customer, "hi", WithTTL(time.Millisecond))
		}, "under one second"},
		{"header_with_two_parts", func(ctx context.Context, c *Client) (string, error) {
			return c.SendInteractiveButtons(ctx, customer, ReplyButtons{Header: Header{Text: "t", Video: &Media{ID: "v"}}, Body: "b"})
		}, "only one of"},
		{"nil_template", func(ctx context.Context, c *Client) (string, error) { return c.SendTemplate(ctx, customer, nil) }, "nil template"},
		{"MarkRead_no_id", func(ctx context.Context, c *Client) (string, error) { return "", c.MarkRead(ctx, "") }, "empty message id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { t.Errorf("unexpected request %s", r.URL.Path) })
			_, err := tc.call(t.Context(), c)
			assert.ErrorContains(t, err, tc.wantErr)
		})
	}
}

// TestSendWithoutMessageID reports a success whose body lacks the id as ErrUnexpectedResponse.
func TestSendWithoutMessageID(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"empty_list": `{"messages":[]}`,
		"empty_id":   `{"messages":[{"id":""}]}`,
		"not_json":   `<html>queued</html>`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.HandleFunc("POST /v1/messages", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusCreated, body)
			})
			_, err := c.SendText(t.Context(), customer, "hi")
			assert.ErrorIs(t, err, ErrUnexpectedResponse)
		})
	}
}

// TestTemplateBuildIsASnapshot checks that a built template does not change with the builder,
// so one builder can serve as the base of several messages.
func TestTemplateBuildIsASnapshot(t *testing.T) {
	t.Parallel()
	base := NewTemplate("ns", "greeting", "en").Body(TextParam("Ana"))
	first := base.Build()
	base.URLButton(0, "x")
	require.NotNil(t, first.Components)
	assert.Len(t, *first.Components, 1)
	assert.Len(t, *base.Build().Components, 2)
}
