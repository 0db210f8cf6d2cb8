package webhook_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/wabiz/wabiz/webhook"
)

// A Cloud API endpoint: the GET handshake with the verify token, signed POSTs decoded into
// the same Message the On-Premises callbacks give, routed by the receiving phone number.
func ExampleWithCloud() {
	h, err := webhook.NewHandler(
		webhook.WithCloud("app-secret", "verify-token"),
		webhook.WithMessageFunc(func(_ context.Context, m *webhook.Message) error {
			fmt.Printf("%s to %s: %s\n", m.SenderID(), m.Cloud.Source.PhoneNumberID, m.Text.Body)
			return nil
		}),
	)
	if err != nil {
		log.Fatal(err)
	}

	// Meta verifies the callback URL.
	q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"verify-token"}, "hub.challenge": {"1158201444"}}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/cloud?"+q.Encode(), nil))
	fmt.Println(w.Code, w.Body.String())

	// Meta delivers a message, signed with the app secret.
	body := `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages",` +
		`"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},` +
		`"contacts":[{"profile":{"name":"Sheena"},"wa_id":"16505551234"}],` +
		`"messages":[{"from":"16505551234","id":"wamid.A","timestamp":"1749416383","type":"text","text":{"body":"Hi"}}]}}]}]}`
	req := httptest.NewRequest(http.MethodPost, "/cloud", strings.NewReader(body))
	req.Header.Set(webhook.CloudSignatureHeader, webhook.SignCloudBody([]byte("app-secret"), []byte(body)))
	w = httptest.NewRecorder()
	h.ServeHTTP(w, req)
	fmt.Println(w.Code)

	// Without the signature: refused before anything is decoded.
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/cloud", strings.NewReader(body)))
	fmt.Println(w.Code)
	// Output:
	// 200 1158201444
	// 16505551234 to 106540352242922: Hi
	// 200
	// 401
}
