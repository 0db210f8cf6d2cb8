package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/wabiz/wabiz/webhook"
)

// A receiver that handles inbound messages and statuses, skips re-deliveries and keeps what
// it does not understand.
func ExampleNewHandler() {
	dedupe, err := webhook.NewDedupe(100_000, 24*time.Hour)
	if err != nil {
		panic(err)
	}
	handler, err := webhook.NewHandler(
		webhook.WithDedupe(dedupe),
		webhook.WithLogger(slog.New(slog.DiscardHandler)),
		webhook.WithMessageFunc(func(ctx context.Context, m *webhook.Message) error {
			name := ""
			if m.Sender != nil && m.Sender.Profile != nil && m.Sender.Profile.Name != nil {
				name = *m.Sender.Profile.Name
			}
			switch m.Type {
			case webhook.MessageTypeText:
				fmt.Printf("text from %s (%s): %s\n", m.From, name, m.Text.Body)
			case webhook.MessageTypeSystem:
				fmt.Printf("system event %s\n", *m.System.Type)
			default:
				fmt.Printf("%s message %s\n", m.Type, m.ID)
			}
			return nil
		}),
		webhook.WithStatusFunc(func(ctx context.Context, s *webhook.Status) error {
			fmt.Printf("message %s is %s\n", s.ID, s.Status)
			return nil
		}),
		webhook.WithUnknownFunc(func(ctx context.Context, u *webhook.Unknown) error {
			fmt.Printf("kept for later: %s item %s of type %q (raw JSON: %t)\n", u.Key, u.ID, u.Type, json.Valid(u.Raw))
			return nil
		}),
	)
	if err != nil {
		panic(err)
	}

	mux := http.NewServeMux()
	mux.Handle("/hooks/whatsapp", handler)
	srv := httptest.NewServer(mux) // in production: an HTTPS server, see the package doc
	defer srv.Close()

	deliver := func(body string) {
		resp, err := http.Post(srv.URL+"/hooks/whatsapp", "application/json", strings.NewReader(body))
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println("answer:", resp.StatusCode)
	}
	inbound := `{
	  "contacts": [{"profile": {"name": "Kerry Fisher"}, "wa_id": "16315551234"}],
	  "messages": [
	    {"from": "16315551234", "id": "ABGGFlA5FpafAgo6tHcNmNjXmuSf", "timestamp": "1518694235",
	     "type": "text", "text": {"body": "Hello, is my order on its way?"}},
	    {"from": "16315551234", "id": "ABGGFlA5FpafAgo6tHcNmNjXmuT6", "timestamp": "1669234000",
	     "type": "reaction", "reaction": {"emoji": "👍", "message_id": "gBEGkYiEB1VXAglK1ZEqA1YKPrU"}}
	  ],
	  "statuses": [
	    {"id": "gBEGkYiEB1VXAglK1ZEqA1YKPrU", "recipient_id": "16315551234", "status": "read",
	     "timestamp": "1518694731"}
	  ]
	}`
	deliver(inbound)
	deliver(inbound) // a re-delivery: acknowledged, callbacks not run again
	deliver(`{"messages": [`)

	// Output:
	// text from 16315551234 (Kerry Fisher): Hello, is my order on its way?
	// message gBEGkYiEB1VXAglK1ZEqA1YKPrU is read
	// kept for later: messages item ABGGFlA5FpafAgo6tHcNmNjXmuT6 of type "reaction" (raw JSON: true)
	// answer: 200
	// answer: 200
	// answer: 400
}

// Decoding a body read elsewhere, for example from a queue.
func ExampleDecode() {
	n, err := webhook.Decode([]byte(`{
	  "statuses": [{"id": "gBGGEgZHMlEfAgkM1RBkhDRr7t8", "recipient_id": "12064001000",
	    "status": "failed", "timestamp": "1533332775",
	    "errors": [{"code": 470, "title": "Re-engagement message"}]}],
	  "errors": [{"code": 400, "title": "Media download error"}]
	}`))
	if err != nil {
		panic(err) // not a JSON object
	}
	for _, s := range n.Statuses {
		if s.Status == webhook.StatusFailed && s.Errors != nil {
			fmt.Println(s.ID, "failed with", (*s.Errors)[0].Code)
		}
	}
	for _, e := range n.Errors {
		fmt.Println("out-of-band error", e.Code, e.Title)
	}
	// Output:
	// gBGGEgZHMlEfAgkM1RBkhDRr7t8 failed with 470
	// out-of-band error 400 Media download error
}
