package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The benchmarks follow the repository's convention: one Benchmark<Name> per comparison, with
// a "baseline" sub-benchmark (the reference) and a "wabiz" variant, run in the same process so
// that make bench can report their ratio.

var benchSink any

// reportCPU reports, beside ns/op, the CPU time (user and system, the process's, so garbage
// collection counts) per op since start: on a machine shared with other work, CPU time is a
// steadier measure than wall time.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

func corpusBytes(files []corpusFile) int64 {
	var total int64
	for _, f := range files {
		total += int64(len(f.data))
	}
	return total
}

// mapDecode is the reference every comparison is measured against: the body decoded into
// map[string]any by encoding/json, which is what a receiver without this package would do.
func mapDecode(b *testing.B, data []byte) {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		b.Fatal(err)
	}
	benchSink = m
}

// BenchmarkDecode decodes the whole mixed corpus per iteration: as map[string]any
// (baseline) and typed with Decode (wabiz).
func BenchmarkDecode(b *testing.B) {
	files := loadCorpus(b)
	b.Run("baseline", func(b *testing.B) {
		b.SetBytes(corpusBytes(files))
		b.ReportAllocs()
		defer reportCPU(b, cpuTime())
		for b.Loop() {
			for _, f := range files {
				mapDecode(b, f.data)
			}
		}
	})
	b.Run("wabiz", func(b *testing.B) {
		b.SetBytes(corpusBytes(files))
		b.ReportAllocs()
		defer reportCPU(b, cpuTime())
		for b.Loop() {
			for _, f := range files {
				n, err := Decode(f.data)
				if err != nil {
					b.Fatal(err)
				}
				benchSink = n
			}
		}
	})
}

// benchRequest is a POST whose body can be rewound, so that the loop measures ServeHTTP and
// not the construction of requests (httptest.NewRequest parses a request line through a
// bufio.Reader; a real server pays that before the Handler runs).
type benchRequest struct {
	req  *http.Request
	body *bytes.Reader
}

func newBenchRequest(data []byte) *benchRequest {
	r := &benchRequest{body: bytes.NewReader(data)}
	r.req = httptest.NewRequest(http.MethodPost, "/webhook", nil)
	r.req.Header.Set("Content-Type", "application/json")
	r.req.ContentLength = int64(len(data))
	return r
}

func (r *benchRequest) rewind() *http.Request {
	_, _ = r.body.Seek(0, io.SeekStart)
	r.req.Body = io.NopCloser(r.body)
	return r.req
}

// benchWriter is a ResponseWriter that keeps only the status code.
type benchWriter struct {
	header http.Header
	code   int
}

func (w *benchWriter) Header() http.Header {
	if w.header == nil {
		w.header = http.Header{}
	}
	return w.header
}

func (w *benchWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return len(p), nil
}

func (w *benchWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *benchWriter) reset() {
	clear(w.header)
	w.code = 0
}

// BenchmarkHandler serves the mixed corpus through a Handler with per-kind callbacks (wabiz)
// against the map decode of the same bodies (baseline): the Handler's whole cost (reading the
// body, decoding, dispatching, answering) relative to the least a receiver must do.
func BenchmarkHandler(b *testing.B) {
	files := loadCorpus(b)
	b.Run("baseline", func(b *testing.B) {
		b.SetBytes(corpusBytes(files))
		b.ReportAllocs()
		defer reportCPU(b, cpuTime())
		for b.Loop() {
			for _, f := range files {
				mapDecode(b, f.data)
			}
		}
	})
	b.Run("wabiz", func(b *testing.B) {
		h, err := NewHandler(WithLogger(quietLogger()),
			WithMessageFunc(func(context.Context, *Message) error { return nil }),
			WithStatusFunc(func(context.Context, *Status) error { return nil }))
		if err != nil {
			b.Fatal(err)
		}
		reqs := make([]*benchRequest, len(files))
		for i, f := range files {
			reqs[i] = newBenchRequest(f.data)
		}
		var w benchWriter
		b.SetBytes(corpusBytes(files))
		b.ReportAllocs()
		defer reportCPU(b, cpuTime())
		for b.Loop() {
			for i, r := range reqs {
				w.reset()
				h.ServeHTTP(&w, r.rewind())
				if w.code != http.StatusOK {
					b.Fatalf("%s: status %d", files[i].name, w.code)
				}
			}
		}
	})
}

// hostileBody is a body of just under DefaultMaxBodyBytes holding as many one-byte items as
// fit: {"messages":[1,1,1,…]}. It is valid JSON, so only a bound on items stops the work.
func hostileBody() []byte {
	const prefix, suffix = `{"messages":[`, `1]}`
	n := (int(DefaultMaxBodyBytes) - len(prefix) - len(suffix)) / 2
	var sb strings.Builder
	sb.Grow(int(DefaultMaxBodyBytes))
	sb.WriteString(prefix)
	sb.WriteString(strings.Repeat("1,", n))
	sb.WriteString(suffix)
	return []byte(sb.String())
}

// lineCounter counts the lines a logger writes.
type lineCounter struct{ lines atomic.Int64 }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.lines.Add(int64(bytes.Count(p, []byte{'\n'})))
	return len(p), nil
}

// heapPeak samples the live heap while it runs and reports the largest growth above the
// level at start. Sampling every 200µs misses short spikes, so B/op (an upper bound of the
// growth) is reported beside it.
type heapPeak struct {
	stop chan struct{}
	done chan struct{}
	base uint64
	peak atomic.Uint64
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func readHeap() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeapPeak() *heapPeak {
	runtime.GC()
	p := &heapPeak{stop: make(chan struct{}), done: make(chan struct{}), base: readHeap()}
	go func() {
		defer close(p.done)
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			if v := readHeap(); v > p.base && v-p.base > p.peak.Load() {
				p.peak.Store(v - p.base)
			}
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

// cpuTime returns the CPU time (user and system) the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (p *heapPeak) end() uint64 {
	close(p.stop)
	<-p.done
	return p.peak.Load()
}

// BenchmarkHostileBody serves the 4 MiB body of one-byte items (wabiz) against its map
// decode (baseline), reporting the sampled heap peak and, for the Handler, the log lines
// written per request at the default level (Info).
func BenchmarkHostileBody(b *testing.B) {
	body := hostileBody()
	report := func(b *testing.B, peaks []uint64, cpu time.Duration) {
		b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
		var maxPeak uint64
		for _, p := range peaks {
			maxPeak = max(maxPeak, p)
		}
		b.ReportMetric(float64(maxPeak)/(1<<20), "peak-heap-MiB")
	}
	b.Run("baseline", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		var peaks []uint64
		var cpu time.Duration
		for b.Loop() {
			b.StopTimer()
			p := startHeapPeak()
			c := cpuTime()
			b.StartTimer()
			mapDecode(b, body)
			b.StopTimer()
			cpu += cpuTime() - c
			benchSink = nil
			peaks = append(peaks, p.end())
			b.StartTimer()
		}
		report(b, peaks, cpu)
	})
	b.Run("wabiz", func(b *testing.B) {
		var lines lineCounter
		h, err := NewHandler(WithLogger(slog.New(slog.NewJSONHandler(&lines, nil))),
			WithMessageFunc(func(context.Context, *Message) error { return nil }))
		if err != nil {
			b.Fatal(err)
		}
		r := newBenchRequest(body)
		var w benchWriter
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		var peaks []uint64
		var cpu time.Duration
		for b.Loop() {
			b.StopTimer()
			w.reset()
			req := r.rewind()
			p := startHeapPeak()
			c := cpuTime()
			b.StartTimer()
			h.ServeHTTP(&w, req)
			b.StopTimer()
			cpu += cpuTime() - c
			peaks = append(peaks, p.end())
			b.StartTimer()
		}
		report(b, peaks, cpu)
		b.ReportMetric(float64(lines.lines.Load())/float64(b.N), "log-lines/op")
		b.ReportMetric(float64(w.code), "status")
	})
}
