package relay

import (
	"bytes"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/bridge/store"
	"github.com/wabiz/wabiz/webhook"
)

// posters is how many connections Meta's side posts on in the benchmark and the heap test.
const posters = 8

// pipeline is the whole path of issue 12's throughput figure: signed Cloud POSTs over
// loopback HTTP into a Relay, the outbox, the forwarder, and POSTs to a local receiver
// that answers 200.
type pipeline struct {
	relay     *Relay
	in        *httptest.Server
	delivered atomic.Int64
	client    *http.Client
}

func newPipeline(tb testing.TB, st store.Store) *pipeline {
	tb.Helper()
	p := &pipeline{}
	out := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		p.delivered.Add(1)
	}))
	tb.Cleanup(out.Close)
	box := &settingsBox{s: allSettings(out.URL)}
	box.set(func(s *Settings) { s.MaxConcurrent = 12 })
	p.relay = newTestRelay(tb, st, box.get)
	p.in = httptest.NewServer(p.relay)
	tb.Cleanup(p.in.Close)
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = posters
	p.client = &http.Client{Transport: t}
	tb.Cleanup(t.CloseIdleConnections)
	runRelay(tb, p.relay)
	return p
}

// send posts webhooks [from, to) from posters goroutines and waits until the receiver got
// them all.
func (p *pipeline) send(tb testing.TB, from, to int) {
	want := p.delivered.Load() + int64(to-from)
	var next atomic.Int64
	next.Store(int64(from))
	var wg sync.WaitGroup
	secret := []byte(testSecret)
	for range posters {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= to {
					return
				}
				body := textWebhook(i)
				req, _ := http.NewRequest(http.MethodPost, p.in.URL, bytes.NewReader(body))
				req.Header.Set(webhook.CloudSignatureHeader, webhook.SignCloudBody(secret, body))
				resp, err := p.client.Do(req)
				if err != nil {
					tb.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					tb.Errorf("webhook %d: status %d", i, resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	deadline := time.Now().Add(time.Minute)
	for p.delivered.Load() < want {
		if time.Now().After(deadline) {
			tb.Fatalf("%d of %d delivered after a minute", p.delivered.Load(), want)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// BenchmarkRelayForward measures webhooks forwarded end to end (signed POST in, outbox,
// POST out to a local receiver) per second, with the in-memory store as the baseline and
// the SQLite store (issue 12's target: >= 2,000/s on 2 cores).
func BenchmarkRelayForward(b *testing.B) {
	for _, v := range []struct {
		name string
		open func(b *testing.B) store.Store
	}{
		{"baseline", func(b *testing.B) store.Store { return newMemory(b) }},
		{"sqlite", func(b *testing.B) store.Store { return openSQLite(b) }},
	} {
		b.Run(v.name, func(b *testing.B) {
			p := newPipeline(b, v.open(b))
			p.send(b, 0, 50) // warm up: connections, statements
			b.ReportAllocs()
			b.ResetTimer()
			t0, c0 := time.Now(), cpuTime(b)
			p.send(b, 1000, 1000+b.N)
			b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "webhooks/s")
			// On a shared machine wall time swings with the others' load; CPU time per
			// webhook (both sides of the loopback, receiver included) is the steadier
			// figure, and its inverse is what one core sustains.
			b.ReportMetric(float64(b.N)/(cpuTime(b)-c0).Seconds(), "webhooks/cpu-s")
		})
	}
}

// cpuTime is the user+system CPU time of the process so far.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func openSQLite(tb testing.TB) *store.SQLite {
	tb.Helper()
	st, err := store.Open(tb.Context(), filepath.Join(tb.TempDir(), "bridge.db"), store.WithCreate())
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = st.Close() })
	return st
}

// heapItems is small by default because make test runs every package with -race, which
// slows this path tenfold; issue 12's figure is -relay.heap-items=100000 (heap at 10k and
// at 100k), run without -race.
var heapItems = flag.Int("relay.heap-items", 5_000, "webhooks forwarded by TestForwardingHeapIsFlat (issue 12 asks for 100000)")

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// TestForwardingHeapIsFlat forwards many webhooks end to end through the SQLite outbox and
// compares the heap after GC at a tenth of them and at all of them. Nothing in the relay
// grows with the number forwarded: counters are fixed, the retry list is bounded and empty
// here, dedupe keys and callbacks live in the store file; what remains is noise (HTTP
// connection buffers, sync.Pools, SQLite's bounded page cache), for which 4 MiB is the
// allowance, against about 1 KiB per webhook that a leak of one payload per webhook would
// add (90 MiB over 90k webhooks).
//
// Not parallel on purpose: a sequential test runs while the parallel ones wait, so the heap
// it reads is its own.
func TestForwardingHeapIsFlat(t *testing.T) {
	n := *heapItems
	p := newPipeline(t, openSQLite(t))
	p.send(t, 0, n/10)
	before := heapInUse()
	p.send(t, n/10, n)
	after := heapInUse()
	t.Logf("heap in use after %d webhooks: %d KiB; after %d: %d KiB (growth %d KiB)",
		n/10, before>>10, n, after>>10, (int64(after)-int64(before))>>10)
	const allowance = 4 << 20
	assert.LessOrEqual(t, after, before+allowance, "heap grew by %d KiB over %d webhooks", (int64(after)-int64(before))>>10, n-n/10)
	// The receiver has every webhook once send returns; the relay counts a delivery when it
	// acks it, and acks are batched (within 5 ms), so the last ones may still be on the way.
	assert.Eventually(t, func() bool { return p.relay.Stats().Delivered == uint64(n) }, 10*time.Second, 5*time.Millisecond,
		"delivered %d of %d", p.relay.Stats().Delivered, n)
}
