package webhook

import (
	"bytes"
	"encoding/json"
	"testing"
)

// BenchmarkCloudDecode compares, per the benchmark convention, the Cloud path with the
// On-Premises one on the same messages: baseline decodes, with Decode, the flat On-Premises
// body equivalent to each Cloud payload of one messages change (its value without
// messaging_product and metadata); wabiz checks the X-Hub-Signature-256 of the Cloud body (as the Handler does) and
// decodes it with DecodeCloud. Both bodies are compact JSON, as Meta sends. Each iteration handles every such payload of the Cloud corpus.
func BenchmarkCloudDecode(b *testing.B) {
	secret := []byte(testAppSecret)
	h, _ := newCloudHandler(b) // its signature check, as ServeHTTP runs it
	var cloud, flat [][]byte
	var sigs []string
	var cloudBytes, flatBytes int64
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
	b.Run("baseline", func(b *testing.B) {
		b.SetBytes(flatBytes)
		b.ReportAllocs()
		for b.Loop() {
			for _, body := range flat {
				n, err := Decode(body)
				if err != nil {
					b.Fatal(err)
				}
				benchSink = n
			}
		}
	})
	b.Run("wabiz", func(b *testing.B) {
		b.SetBytes(cloudBytes)
		b.ReportAllocs()
		for b.Loop() {
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
	})
}
