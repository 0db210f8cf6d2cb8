package cloud

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkCloudSendText compares cloud.Client.SendText with the same request written by
// hand with net/http and encoding/json, against one loopback server, in the same process
// (the benchmark convention of make bench: sub-benchmarks baseline and wabiz). The client
// does more than the baseline: it builds the message with api's builder, translates it,
// applies the retry policy and the per-attempt timeout, and decodes into generated types.
func BenchmarkCloudSendText(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v23.0/"+pnid+"/messages", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, sentResp)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	const body = "Your order has shipped"

	b.Run("baseline", func(b *testing.B) {
		url := srv.URL + "/v23.0/" + pnid + "/messages"
		hc := &http.Client{}
		ctx := b.Context()
		type text struct {
			Body string `json:"body"`
		}
		type message struct {
			MessagingProduct string `json:"messaging_product"`
			RecipientType    string `json:"recipient_type"`
			To               string `json:"to"`
			Type             string `json:"type"`
			Text             text   `json:"text"`
		}
		b.ReportAllocs()
		for b.Loop() {
			raw, err := json.Marshal(message{MessagingProduct: "whatsapp", RecipientType: "individual", To: customer, Type: "text", Text: text{Body: body}})
			if err != nil {
				b.Fatal(err)
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(raw))
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+testToken)
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var env struct {
				Messages []struct {
					ID string `json:"id"`
				} `json:"messages"`
			}
			err = json.NewDecoder(resp.Body).Decode(&env)
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode >= 400 || len(env.Messages) == 0 || env.Messages[0].ID != sentID {
				b.Fatalf("status %d, %v", resp.StatusCode, err)
			}
		}
	})

	b.Run("wabiz", func(b *testing.B) {
		c, err := NewClient(pnid, WithToken(testToken), WithBaseURL(srv.URL))
		if err != nil {
			b.Fatal(err)
		}
		ctx := b.Context()
		b.ReportAllocs()
		for b.Loop() {
			id, err := c.SendText(ctx, customer, body)
			if err != nil || id != sentID {
				b.Fatalf("SendText = %q, %v", id, err)
			}
		}
	})
}
