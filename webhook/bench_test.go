package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

var benchSink any

func corpusBytes(files []corpusFile) int64 {
	var total int64
	for _, f := range files {
		total += int64(len(f.data))
	}
	return total
}

// BenchmarkDecode decodes the whole mixed corpus per iteration: typed with Decode, and, as
// the baseline, the same bytes into map[string]any.
func BenchmarkDecode(b *testing.B) {
	files := loadCorpus(b)
	b.Run("typed", func(b *testing.B) {
		b.SetBytes(corpusBytes(files))
		b.ReportAllocs()
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
	b.Run("map_baseline", func(b *testing.B) {
		b.SetBytes(corpusBytes(files))
		b.ReportAllocs()
		for b.Loop() {
			for _, f := range files {
				var m map[string]any
				if err := json.Unmarshal(f.data, &m); err != nil {
					b.Fatal(err)
				}
				benchSink = m
			}
		}
	})
}

// BenchmarkHandler serves the mixed corpus through the Handler with a per-kind callback.
func BenchmarkHandler(b *testing.B) {
	files := loadCorpus(b)
	h, err := NewHandler(WithLogger(quietLogger()),
		WithMessageFunc(func(context.Context, *Message) error { return nil }),
		WithStatusFunc(func(context.Context, *Status) error { return nil }))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(corpusBytes(files))
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range files {
			req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(f.data))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("%s: status %d", f.name, rec.Code)
			}
		}
	}
}
