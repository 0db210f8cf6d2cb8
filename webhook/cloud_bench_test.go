package webhook

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// BenchmarkCloudDecode compares, per the benchmark convention, the Cloud path with the
// On-Premises one on the same messages: baseline decodes, with Decode, the flat On-Premises
// body equivalent to each Cloud payload of one messages change (its value without
// messaging_product and metadata); wabiz checks the X-Hub-Signature-256 of the Cloud body (as the Handler does) and
// decodes it with DecodeCloud. Both bodies are compact JSON, as Meta sends. Each iteration handles every such payload of the Cloud corpus.
func BenchmarkCloudDecode(b *testing.B) {
	h, cloud, flat, sigs, cloudBytes, flatBytes := cloudBenchCorpus(b)
	b.Run("baseline", func(b *testing.B) {
		b.SetBytes(flatBytes)
		b.ReportAllocs()
		for b.Loop() {
			decodeFlat(b, flat)
		}
	})
	b.Run("wabiz", func(b *testing.B) {
		b.SetBytes(cloudBytes)
		b.ReportAllocs()
		for b.Loop() {
			decodeCloudSigned(b, h, cloud, sigs)
		}
	})
}

// BenchmarkCloudDecodePaired runs one pass of BenchmarkCloudDecode's baseline and one of its
// wabiz variant in turn, timing each, and reports the ratio of their median times
// (wabiz/baseline). Alternating pass by pass puts both under the same load, which on a
// shared machine varies far more between two sub-benchmarks than the ratio being measured.
func BenchmarkCloudDecodePaired(b *testing.B) {
	h, cloud, flat, sigs, _, _ := cloudBenchCorpus(b)
	base := func() { decodeFlat(b, flat) }
	wabiz := func() { decodeCloudSigned(b, h, cloud, sigs) }
	var baseTimes, wabizTimes []time.Duration
	for i := 0; b.Loop(); i++ {
		first, second, t1, t2 := base, wabiz, &baseTimes, &wabizTimes
		if i%2 == 1 { // alternate the order, so that neither always follows the other
			first, second, t1, t2 = wabiz, base, &wabizTimes, &baseTimes
		}
		start := time.Now()
		first()
		mid := time.Now()
		second()
		*t2 = append(*t2, time.Since(mid))
		*t1 = append(*t1, mid.Sub(start))
	}
	b.ReportMetric(float64(medianOf(wabizTimes))/float64(medianOf(baseTimes)), "wabiz/baseline")
}

// medianOf returns the median of d (which it sorts).
func medianOf(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 1
	}
	slices.Sort(d)
	return d[len(d)/2]
}

// decodeFlat decodes every On-Premises body with Decode.
func decodeFlat(b *testing.B, flat [][]byte) {
	for _, body := range flat {
		n, err := Decode(body)
		if err != nil {
			b.Fatal(err)
		}
		benchSink = n
	}
}

// decodeCloudSigned checks the signature of every Cloud body, as ServeHTTP does, and decodes
// it with DecodeCloud.
func decodeCloudSigned(b *testing.B, h *Handler, cloud [][]byte, sigs []string) {
	for i, body := range cloud {
		if err := h.cloud.verify(sigs[i], body); err != nil {
			b.Fatal(err)
		}
		n, err := DecodeCloud(body)
		if err != nil {
			b.Fatal(err)
		}
		benchSink = n
	}
}

// cloudBenchCorpus returns a Cloud handler (for its signature check), the compact Cloud
// bodies of the corpus that have a flat On-Premises equivalent, those equivalents, the
// bodies' signatures and the total sizes.
func cloudBenchCorpus(b *testing.B) (h *Handler, cloud, flat [][]byte, sigs []string, cloudBytes, flatBytes int64) {
	b.Helper()
	secret := []byte(testAppSecret)
	h, _ = newCloudHandler(b) // its signature check, as ServeHTTP runs it
	for _, f := range loadCloudCorpus(b) {
		fl, ok := flatOnPrem(b, f.data)
		if !ok {
			continue
		}
		// Meta sends compact JSON; so does flatOnPrem.
		var body bytes.Buffer
		if err := json.Compact(&body, f.data); err != nil {
			b.Fatal(err)
		}
		cloud = append(cloud, body.Bytes())
		sigs = append(sigs, SignCloudBody(secret, body.Bytes()))
		flat = append(flat, fl)
		cloudBytes += int64(body.Len())
		flatBytes += int64(len(fl))
	}
	if len(cloud) < 30 {
		b.Fatalf("only %d comparable payloads", len(cloud))
	}
	return h, cloud, flat, sigs, cloudBytes, flatBytes
}
