package fake

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wabiz/wabiz/api"
)

// Comparison benchmarks, in the convention of `make bench`: each Benchmark<Name> has a
// `baseline` sub-benchmark (the reference measured in the same process) and one or more
// variants; internal/benchratio prints variant/baseline ns/op over interleaved rounds.

// loadClients runs n requests from clients goroutines in total, each made by do, and fails the
// benchmark on the first error.
func loadClients(b *testing.B, clients, n int, do func() error) {
	b.Helper()
	var left atomic.Int64
	left.Store(int64(n))
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for range clients {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				if err := do(); err != nil {
					once.Do(func() { first = err })
					left.Store(0)
					return
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		b.Fatal(first)
	}
}

// postSend returns a function that posts benchBody to url and checks for 201.
func postSend(client *http.Client, url, tok string) func() error {
	return func() error {
		req, _ := http.NewRequest(http.MethodPost, url+"/v1/messages", bytes.NewReader(benchBody))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			return fmt.Errorf("send: %d %s", res.StatusCode, body)
		}
		return nil
	}
}

// ceilingServer is a raw net/http handler that reads the request and answers the body the
// fake answers to a send: the most the fake can do over the same loopback connections.
func ceilingServer(b *testing.B) *httptest.Server {
	b.Helper()
	body := []byte(`{"messages":[{"id":"gBEGkYiEB1VXAglK1ZEqA1YKPrUVKBzAhJCmOnw"}],"meta":{"api_status":"stable","version":"v2.53.1"}}`)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-ID", "0123456789abcdef")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(body)
	}))
	b.Cleanup(hs.Close)
	return hs
}

func loopbackClient(b *testing.B) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 64, MaxIdleConns: 64}
	b.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// BenchmarkSendClients compares POST /v1/messages through the fake (full request validation,
// status webhooks off) with the ceiling, a raw handler answering the same body, at 1, 8 and
// 32 concurrent clients over loopback.
func BenchmarkSendClients(b *testing.B) {
	for _, clients := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			b.Run("baseline", func(b *testing.B) {
				hs := ceilingServer(b)
				do := postSend(loopbackClient(b), hs.URL, "unused")
				b.ReportAllocs()
				b.ResetTimer()
				loadClients(b, clients, b.N, do)
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
			})
			b.Run("wabiz", func(b *testing.B) {
				s, tok := benchServer(b)
				hs := httptest.NewServer(s.Handler())
				b.Cleanup(hs.Close)
				do := postSend(loopbackClient(b), hs.URL, tok)
				b.ReportAllocs()
				b.ResetTimer()
				loadClients(b, clients, b.N, do)
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
			})
		})
	}
}

// statusCounter is a webhook receiver that counts the statuses it was sent.
type statusCounter struct {
	statuses atomic.Int64
	requests atomic.Int64
}

func (c *statusCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.requests.Add(1)
	c.statuses.Add(int64(bytes.Count(body, []byte(`"recipient_id"`))))
	w.WriteHeader(http.StatusOK)
}

// BenchmarkSendStatusWebhooks compares sends with the sent, delivered and read webhooks on
// (to a local receiver, timed until the receiver has every status) with the same sends with
// them off, 8 clients.
func BenchmarkSendStatusWebhooks(b *testing.B) {
	const clients = 8
	run := func(b *testing.B, webhooks bool) {
		recv := &statusCounter{}
		rs := httptest.NewServer(recv)
		b.Cleanup(rs.Close)
		s, tok := benchServer(b, WithWebhookURL(rs.URL),
			WithStatusDelays(StatusDelays{Sent: time.Millisecond, Delivered: time.Millisecond, Read: time.Millisecond}))
		hs := httptest.NewServer(s.Handler())
		b.Cleanup(hs.Close)
		client := loopbackClient(b)
		if webhooks {
			tok2 := tok
			patch, _ := http.NewRequest(http.MethodPatch, hs.URL+"/v1/settings/application",
				bytes.NewReader([]byte(`{"webhooks":{"message":{"sent":true,"delivered":true,"read":true}}}`)))
			patch.Header.Set("Authorization", "Bearer "+tok2)
			patch.Header.Set("Content-Type", "application/json")
			res, err := client.Do(patch)
			if err != nil || res.StatusCode != 200 {
				b.Fatalf("patch: %v %v", res, err)
			}
			res.Body.Close()
		}
		do := postSend(client, hs.URL, tok)
		b.ReportAllocs()
		b.ResetTimer()
		cpu0 := processCPU()
		loadClients(b, clients, b.N, do)
		if webhooks {
			want := int64(3 * b.N)
			deadline := time.Now().Add(time.Minute)
			for recv.statuses.Load() < want {
				if time.Now().After(deadline) {
					b.Fatalf("the receiver got %d statuses of %d", recv.statuses.Load(), want)
				}
				time.Sleep(200 * time.Microsecond)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
		// The process's CPU time per send (the fake, the clients and the receiver), which
		// other processes on a shared machine disturb less than the wall clock.
		b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		if webhooks {
			b.ReportMetric(float64(recv.statuses.Load())/float64(max(recv.requests.Load(), 1)), "statuses/callback")
		}
		_ = s.WaitWebhooksIdle(context.Background())
	}
	b.Run("baseline", func(b *testing.B) { run(b, false) })
	b.Run("webhooks", func(b *testing.B) { run(b, true) })
}

// BenchmarkUpload compares a 256 MiB upload through the api client and the fake (which stores
// the file) with a raw io.Copy of the same bytes over loopback to a handler that discards
// them. peak-heap-MiB shows that memory stays flat.
func BenchmarkUpload(b *testing.B) {
	const size = 256 << 20
	b.Run("baseline", func(b *testing.B) {
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n, _ := io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"media":[{"id":"m-%d"}]}`, n)
		}))
		b.Cleanup(hs.Close)
		client := loopbackClient(b)
		b.SetBytes(size)
		b.ResetTimer()
		for range b.N {
			req, _ := http.NewRequest(http.MethodPost, hs.URL+"/v1/media", &zeroReader{left: size})
			req.ContentLength = size
			req.Header.Set("Content-Type", "application/octet-stream")
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	})
	b.Run("wabiz", func(b *testing.B) {
		s, tok := benchServer(b, WithMaxUploadBytes(512<<20))
		hs := httptest.NewServer(s.Handler())
		b.Cleanup(hs.Close)
		// The client checks a body of known size against the 100 MB limit, so the stream is
		// of unknown size; the editor sends its Content-Length anyway, as the baseline does,
		// so that both send the same bytes (not chunks).
		c, err := api.NewClient(hs.URL, api.WithToken(tok), api.WithRequestEditor(func(_ context.Context, r *http.Request) error {
			if r.Method == http.MethodPost && r.URL.Path == "/v1/media" {
				r.ContentLength = size
			}
			return nil
		}))
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		stop := make(chan struct{})
		peak := peakHeap(stop)
		b.SetBytes(size)
		b.ResetTimer()
		for range b.N {
			id, err := c.UploadMedia(b.Context(), &zeroReader{left: size}, "application/octet-stream")
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			s.mu.Lock()
			m := s.st.media[id]
			delete(s.st.media, id)
			s.mu.Unlock()
			if m == nil || m.size != size {
				b.Fatalf("stored %+v, want %d bytes", m, size)
			}
			_ = os.Remove(m.path)
			b.StartTimer()
		}
		b.StopTimer()
		close(stop)
		b.ReportMetric(float64(<-peak)/(1<<20), "peak-heap-MiB")
	})
}
