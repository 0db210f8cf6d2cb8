package cloud

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// benchBody is the text every SendText benchmark sends.
const benchBody = "Your order has shipped"

// benchServer starts the loopback server the SendText benchmarks send to: it reads the
// request and answers with one sent message.
func benchServer(b *testing.B) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v23.0/"+pnid+"/messages", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, sentResp)
	})
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	return srv
}

// rawCloudSender returns a function that sends the request of BenchmarkCloudSendText by
// hand with net/http and encoding/json and checks the answer: the floor the client is
// measured against.
func rawCloudSender(b *testing.B, srv *httptest.Server) func() {
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
	return func() {
		raw, err := json.Marshal(message{MessagingProduct: "whatsapp", RecipientType: "individual", To: customer, Type: "text", Text: text{Body: benchBody}})
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
		_, _ = io.Copy(io.Discard, resp.Body) // let the connection be reused
		resp.Body.Close()
		if err != nil || resp.StatusCode >= 400 || len(env.Messages) == 0 || env.Messages[0].ID != sentID {
			b.Fatalf("status %d, %v", resp.StatusCode, err)
		}
	}
}

// clientSender returns a function that sends the same message with cloud.Client.SendText
// and checks the answer.
func clientSender(b *testing.B, srv *httptest.Server) func() {
	c, err := NewClient(pnid, WithToken(testToken), WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	return func() {
		if id, err := c.SendText(ctx, customer, benchBody); err != nil || id != sentID {
			b.Fatalf("SendText = %q, %v", id, err)
		}
	}
}

// BenchmarkCloudSendText compares cloud.Client.SendText with the same request written by
// hand with net/http and encoding/json, against one loopback server, in the same process
// (the benchmark convention of make bench: sub-benchmarks baseline and wabiz). The client
// does more than the baseline: it builds the message with api's builder, translates it,
// applies the retry policy and the per-attempt timeout, and decodes into generated types.
func BenchmarkCloudSendText(b *testing.B) {
	srv := benchServer(b)
	b.Run("baseline", func(b *testing.B) {
		send := rawCloudSender(b, srv)
		b.ReportAllocs()
		for b.Loop() {
			send()
		}
	})
	b.Run("wabiz", func(b *testing.B) {
		send := clientSender(b, srv)
		b.ReportAllocs()
		for b.Loop() {
			send()
		}
	})
}

// BenchmarkCloudSendTextPaired sends the baseline request and the client's in turn, timing
// each, and reports the ratio of their median times (wabiz/baseline). Alternating request by
// request puts both under the same load, which on a shared machine varies far more between
// two sub-benchmarks than the few per cent being measured.
func BenchmarkCloudSendTextPaired(b *testing.B) {
	srv := benchServer(b)
	raw, wabiz := rawCloudSender(b, srv), clientSender(b, srv)
	var rawTimes, wabizTimes []time.Duration
	for i := 0; b.Loop(); i++ {
		first, second, t1, t2 := raw, wabiz, &rawTimes, &wabizTimes
		if i%2 == 1 { // alternate the order, so that neither always follows the other
			first, second, t1, t2 = wabiz, raw, &wabizTimes, &rawTimes
		}
		start := time.Now()
		first()
		mid := time.Now()
		second()
		*t2 = append(*t2, time.Since(mid))
		*t1 = append(*t1, mid.Sub(start))
	}
	// Medians rather than sums: a request delayed by another process's burst says nothing
	// about either client.
	b.ReportMetric(float64(medianDuration(wabizTimes))/float64(medianDuration(rawTimes)), "wabiz/baseline")
}

// medianDuration returns the median of d (which it sorts).
func medianDuration(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 1
	}
	slices.Sort(d)
	return d[len(d)/2]
}
