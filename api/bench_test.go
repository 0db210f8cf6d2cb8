package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"
)

// benchSize is the size of the media benchmarks' transfers.
const benchSize = 64 * mib

// benchServer is the one server every benchmark talks to, so that BenchmarkSendText and
// BenchmarkSendTextRaw differ only in the client. It answers a send the way the Webapp does
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

// BenchmarkSendText sends a text message through the api client: session-less bearer
// authentication, per-attempt timeout, retry policy, generated request and response code.
func BenchmarkSendText(b *testing.B) {
	c := benchClient(b)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		id, err := c.SendText(ctx, customer, "Your order has shipped")
		if err != nil || id != sentID {
			b.Fatalf("SendText = %q, %v", id, err)
		}
	}
}

// BenchmarkSendTextRaw is the same request written by hand with net/http and encoding/json,
// the floor BenchmarkSendText is measured against.
func BenchmarkSendTextRaw(b *testing.B) {
	benchStarted = true
	url := benchServer().URL + "/v1/messages"
	hc := &http.Client{}
	ctx := b.Context()
	type text struct {
		Body string `json:"body"`
	}
	type message struct {
		To   string `json:"to"`
		Type string `json:"type"`
		Text text   `json:"text"`
	}
	b.ReportAllocs()
	for b.Loop() {
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
