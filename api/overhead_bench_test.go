package api

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// stubTransport answers every request in memory with the answer of a send, so that a
// benchmark through it measures only the client's own work: no socket, no server, no
// scheduler.
type stubTransport struct{}

func (stubTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusCreated, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(sentResp)),
		ContentLength: int64(len(sentResp)), Request: r,
	}, nil
}

// BenchmarkSendTextOverhead compares SendText with the hand-written request of
// BenchmarkSendText over an in-memory transport, in turn as BenchmarkSendTextPaired does: the
// difference of their medians (wabiz-baseline-ns) is the client's own cost per send, which
// the loopback round trip of BenchmarkSendTextPaired dilutes into a few per cent.
func BenchmarkSendTextOverhead(b *testing.B) {
	hc := &http.Client{Transport: stubTransport{}}
	const url = "http://stub.invalid"
	raw := rawSenderTo(b, hc, url+"/v1/messages")
	c, err := NewClient(url, WithToken(testToken), WithHTTPClient(hc))
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	wabiz := func() {
		if id, err := c.SendText(ctx, customer, "Your order has shipped"); err != nil || id != sentID {
			b.Fatalf("SendText = %q, %v", id, err)
		}
	}
	rawMed, wabizMed := pairedMedians(b, raw, wabiz)
	b.ReportMetric(float64(wabizMed)/float64(rawMed), "wabiz/baseline")
	b.ReportMetric(float64(wabizMed-rawMed), "wabiz-baseline-ns")
}
