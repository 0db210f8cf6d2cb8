package fake

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

// benchServer returns a registered fake with a webhook URL and every status webhook off, and
// an admin token, so that a benchmark measures the request path only.
func benchServer(b *testing.B, opts ...Option) (*Server, string) {
	b.Helper()
	base := []Option{WithRegistered("1", "6315551019"), WithAdminPassword("Bench-Pass1!"), WithoutRateLimits(),
		WithWebhookURL("http://127.0.0.1:1/unused"), WithPlainHTTPWebhooks()}
	s, err := New(append(base, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	req := httptest.NewRequest(http.MethodPost, "/v1/users/login", nil)
	req.SetBasicAuth("admin", "Bench-Pass1!")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	tok := extractToken(b, rec.Body.Bytes())
	patch := httptest.NewRequest(http.MethodPatch, "/v1/settings/application",
		bytes.NewReader([]byte(`{"webhooks":{"message":{"sent":false,"delivered":false,"read":false}}}`)))
	patch.Header.Set("Authorization", "Bearer "+tok)
	patch.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, patch)
	if rec.Code != 200 {
		b.Fatalf("patch: %d %s", rec.Code, rec.Body)
	}
	return s, tok
}

var benchBody = []byte(`{"to":"16315551234","type":"text","text":{"body":"Your order has shipped: https://shop.example.com/orders/58213"}}`)

func benchSends(b *testing.B, opts ...Option) {
	s, tok := benchServer(b, opts...)
	h := s.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, "/v1/messages", bytes.NewReader(benchBody))
			req.RemoteAddr = "192.0.2.1:1234"
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Fatalf("send: %d %s", rec.Code, rec.Body)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
}

// BenchmarkSendMessage measures POST /v1/messages through the handler, with and without
// request validation, in the same run.
func BenchmarkSendMessage(b *testing.B) {
	b.Run("validated", func(b *testing.B) { benchSends(b) })
	b.Run("unvalidated", func(b *testing.B) { benchSends(b, WithoutValidation()) })
}

func extractToken(tb testing.TB, body []byte) string {
	tb.Helper()
	i := bytes.Index(body, []byte(`"token":"`))
	if i < 0 {
		tb.Fatalf("no token in %s", body)
	}
	rest := body[i+9:]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

// BenchmarkSendMessageLoopback measures POST /v1/messages through a real loopback HTTP server
// (client, keep-alive connections, TLS-less), validation on and off.
func BenchmarkSendMessageLoopback(b *testing.B) {
	for _, c := range []struct {
		name string
		opts []Option
	}{{"validated", nil}, {"unvalidated", []Option{WithoutValidation()}}} {
		b.Run(c.name, func(b *testing.B) {
			s, tok := benchServer(b, c.opts...)
			hs := httptest.NewServer(s.Handler())
			b.Cleanup(hs.Close)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodPost, hs.URL+"/v1/messages", bytes.NewReader(benchBody))
					req.Header.Set("Authorization", "Bearer "+tok)
					req.Header.Set("Content-Type", "application/json")
					res, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusCreated {
						b.Fatalf("send: %d", res.StatusCode)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
		})
	}
}

// zeroReader yields n zero bytes without allocating.
type zeroReader struct{ left int64 }

func (z *zeroReader) Read(p []byte) (int, error) {
	if z.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.left {
		p = p[:z.left]
	}
	clear(p)
	z.left -= int64(len(p))
	return len(p), nil
}

// peakHeap samples the heap in use until stop is closed and returns the highest value seen.
func peakHeap(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak {
				peak = ms.HeapInuse
			}
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// BenchmarkMediaTransfer uploads and downloads one file over a loopback server. The heap peak
// and the bytes allocated per transfer stay the same from 1 MiB to 256 MiB: both directions
// stream (the upload is never buffered by validation; the download is copied from the file).
func BenchmarkMediaTransfer(b *testing.B) {
	for _, size := range []int64{1 << 20, 256 << 20} {
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			s, tok := benchServer(b, WithMaxUploadBytes(512<<20))
			hs := httptest.NewServer(s.Handler())
			b.Cleanup(hs.Close)
			client := hs.Client()
			runtime.GC()
			stop := make(chan struct{})
			peak := peakHeap(stop)
			b.SetBytes(2 * size)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				req, _ := http.NewRequest(http.MethodPost, hs.URL+"/v1/media", &zeroReader{left: size})
				req.ContentLength = size
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Content-Type", "application/octet-stream")
				res, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusCreated {
					b.Fatalf("upload: %d %s", res.StatusCode, body)
				}
				id := extractMediaID(b, body)
				req, _ = http.NewRequest(http.MethodGet, hs.URL+"/v1/media/"+id, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				res, err = client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if n != size {
					b.Fatalf("downloaded %d bytes, want %d", n, size)
				}
				b.StopTimer()
				req, _ = http.NewRequest(http.MethodDelete, hs.URL+"/v1/media/"+id, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				if res, err := client.Do(req); err == nil {
					res.Body.Close()
				}
				b.StartTimer()
			}
			b.StopTimer()
			close(stop)
			b.ReportMetric(float64(<-peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

func extractMediaID(tb testing.TB, body []byte) string {
	tb.Helper()
	i := bytes.Index(body, []byte(`"id":"`))
	if i < 0 {
		tb.Fatalf("no id in %s", body)
	}
	rest := body[i+6:]
	return string(rest[:bytes.IndexByte(rest, '"')])
}
