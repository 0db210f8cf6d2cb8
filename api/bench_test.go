package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// benchSize is the size of the media benchmarks' transfers.
const benchSize = 64 * mib

// benchServer is the one server every benchmark talks to, so that the variants of
// BenchmarkSendText differ only in the client. It answers a send the way the Webapp does
// and streams media without holding it.
var benchServer = sync.OnceValue(func() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/messages", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		writeJSON(w, http.StatusCreated, sentResp)
	})
	mux.HandleFunc("POST /v1/media", func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		writeJSON(w, http.StatusCreated, fmt.Sprintf(`{"media":[{"id":"m-%d"}]}`, n))
	})
	chunk := make([]byte, 64*kib)
	mux.HandleFunc("GET /v1/media/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(benchSize))
		for left := benchSize; left > 0; left -= len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	return httptest.NewServer(mux)
})

// TestMain closes the benchmarks' shared server, if a benchmark started it.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchStarted {
		benchServer().Close()
	}
	os.Exit(code)
}

var benchStarted bool

func benchClient(b *testing.B) *Client {
	b.Helper()
	benchStarted = true
	c, err := NewClient(benchServer().URL, WithToken(testToken))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkSendText compares a text message sent through the api client (wabiz: bearer
// authentication, per-attempt timeout, retry policy, typed errors) with the same request
// written by hand with net/http and encoding/json (baseline), against the same loopback
// server. Target: wabiz/baseline <= 1.03.
func BenchmarkSendText(b *testing.B) {
	b.Run("baseline", benchSendTextRaw)
	b.Run("wabiz", func(b *testing.B) {
		c := benchClient(b)
		ctx := b.Context()
		b.ReportAllocs()
		for b.Loop() {
			id, err := c.SendText(ctx, customer, "Your order has shipped")
			if err != nil || id != sentID {
				b.Fatalf("SendText = %q, %v", id, err)
			}
		}
	})
}

// BenchmarkSendTextPaired sends the baseline request and the client's in turn, timing each,
// and reports the ratio of their median times (wabiz/baseline). Alternating request by
// request puts both under the same load, which on a shared machine varies far more between
// two sub-benchmarks than the few per cent being measured.
func BenchmarkSendTextPaired(b *testing.B) {
	raw := rawSender(b)
	c := benchClient(b)
	ctx := b.Context()
	wabiz := func() {
		if id, err := c.SendText(ctx, customer, "Your order has shipped"); err != nil || id != sentID {
			b.Fatalf("SendText = %q, %v", id, err)
		}
	}
	rawMed, wabizMed := pairedMedians(b, raw, wabiz)
	b.ReportMetric(float64(wabizMed)/float64(rawMed), "wabiz/baseline")
}

// pairedMedians runs raw and wabiz in turn, b.N times each, alternating which goes first, and
// returns the median time of each. Medians rather than sums: a call delayed by another
// process's burst says nothing about either.
func pairedMedians(b *testing.B, raw, wabiz func()) (rawMed, wabizMed time.Duration) {
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
	return medianDuration(rawTimes), medianDuration(wabizTimes)
}

// medianDuration returns the median of d (which it sorts).
func medianDuration(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 1
	}
	slices.Sort(d)
	return d[len(d)/2]
}

// benchSendTextRaw is the request of BenchmarkSendText written by hand, the floor the client
// is measured against.
func benchSendTextRaw(b *testing.B) {
	send := rawSender(b)
	b.ReportAllocs()
	for b.Loop() {
		send()
	}
}

// rawSender returns a function that sends the request of BenchmarkSendText by hand with
// net/http and encoding/json and checks the answer.
func rawSender(b *testing.B) func() {
	benchStarted = true
	return rawSenderTo(b, &http.Client{}, benchServer().URL+"/v1/messages")
}

// rawSenderTo is rawSender through hc to url.
func rawSenderTo(b *testing.B, hc *http.Client, url string) func() {
	ctx := b.Context()
	type text struct {
		Body string `json:"body"`
	}
	type message struct {
		To   string `json:"to"`
		Type string `json:"type"`
		Text text   `json:"text"`
	}
	return func() {
		body, err := json.Marshal(message{To: customer, Type: "text", Text: text{Body: "Your order has shipped"}})
		if err != nil {
			b.Fatal(err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
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

// BenchmarkUploadMedia streams 64 MiB per operation through UploadMedia.
func BenchmarkUploadMedia(b *testing.B) {
	c := benchClient(b)
	ctx := b.Context()
	want := fmt.Sprintf("m-%d", benchSize)
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		id, err := c.UploadMedia(ctx, &patternReader{left: benchSize}, "application/octet-stream")
		if err != nil || id != want {
			b.Fatalf("UploadMedia = %q, %v", id, err)
		}
	}
}

// BenchmarkDownloadMedia streams 64 MiB per operation through DownloadMedia.
func BenchmarkDownloadMedia(b *testing.B) {
	c := benchClient(b)
	ctx := b.Context()
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		body, _, err := c.DownloadMedia(ctx, "bench")
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, body)
		body.Close()
		if err != nil || n != benchSize {
			b.Fatalf("downloaded %d bytes, %v", n, err)
		}
	}
}
