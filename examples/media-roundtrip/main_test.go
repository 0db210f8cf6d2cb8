package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/fake"
)

// newServer starts a fake that accepts sends and returns the environment that reaches it.
func newServer(t *testing.T) (*fake.TestServer, map[string]string) {
	t.Helper()
	ts := fake.NewTestServer(t, fake.WithPlainHTTPWebhooks(), fake.WithWebhookURL(fake.NewWebhookRecorder(t).URL))
	return ts, map[string]string{"WA_BASE_URL": ts.URL, "WA_PASSWORD": fake.DefaultAdminPassword,
		"WA_NEW_PASSWORD": fake.TestAdminNewPassword}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csv := filepath.Join(dir, "orders.csv")
	require.NoError(t, os.WriteFile(csv, []byte("order,amount\n58213,10.99\n"), 0o600))
	pdf := generatePDF("Hello from the wabiz media round trip")

	tests := []struct {
		name        string
		args        []string
		wantName    string
		wantType    string
		wantContent []byte
	}{
		{name: "generated PDF", wantName: "wabiz-roundtrip.pdf", wantType: "application/pdf", wantContent: pdf},
		{name: "file", args: []string{csv}, wantName: "orders.csv", wantType: "text/plain; charset=utf-8",
			wantContent: []byte("order,amount\n58213,10.99\n")},
		{name: "file with its type", args: []string{"-type", "text/csv", csv}, wantName: "orders.csv", wantType: "text/csv",
			wantContent: []byte("order,amount\n58213,10.99\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts, env := newServer(t)
			copyFile := filepath.Join(t.TempDir(), "copy")
			args := append([]string{"-to", "16315551234", "-caption", "Your orders", "-out", copyFile}, tt.args...)
			var out bytes.Buffer
			require.NoError(t, run(t.Context(), args, getenv(env), &out), out.String())

			sum := fmt.Sprintf("%x", sha256.Sum256(tt.wantContent))
			size := strconv.Itoa(len(tt.wantContent))
			lines := []string{
				`file      ` + regexp.QuoteMeta(tt.wantName+", "+size+" bytes, "+tt.wantType+", sha256 "+sum[:12]) + `…`,
				`upload    media id (\S+) \(\S+\)`,
				`send      document to 16315551234, message id \S+ \(\S+\)`,
				`download  ` + regexp.QuoteMeta(size+" bytes, "+tt.wantType+", sha256 "+sum[:12]) + `… \(\S+\)`,
				`identical: sha256 ` + sum,
			}
			assert.Regexp(t, `^`+strings.Join(lines, `\n`)+`\n$`, out.String())

			sent := ts.SentMessages()
			require.Len(t, sent, 1)
			doc := sent[0].Message.Document
			require.NotNil(t, doc)
			mediaID := regexp.MustCompile(`media id (\S+)`).FindStringSubmatch(out.String())[1]
			assert.Equal(t, mediaID, *doc.ID)
			assert.Equal(t, tt.wantName, *doc.Filename)
			assert.Nil(t, doc.Caption, "On-Premises accepts a document caption but does not deliver it")

			written, err := os.ReadFile(copyFile)
			require.NoError(t, err)
			assert.Equal(t, tt.wantContent, written, "-out holds the downloaded copy")
		})
	}
}

// TestRoundTripDetectsCorruption makes the download come back altered and checks that the
// comparison catches it.
func TestRoundTripDetectsCorruption(t *testing.T) {
	t.Parallel()
	ts, _ := newServer(t)
	client, err := api.NewClient(ts.URL, api.WithCredentials("admin", fake.DefaultAdminPassword),
		api.WithNewPassword(fake.TestAdminNewPassword), api.WithHTTPClient(&http.Client{Transport: corrupter{}}))
	require.NoError(t, err)
	src, err := openSource("", "")
	require.NoError(t, err)
	var out bytes.Buffer
	err = roundTrip(t.Context(), client, src, options{to: "16315551234"}, &out)
	assert.ErrorContains(t, err, "the downloaded copy differs")
	assert.NotContains(t, out.String(), "identical")
}

// corrupter flips the first byte of every media download.
type corrupter struct{}

func (corrupter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || req.Method != http.MethodGet || !strings.HasPrefix(req.URL.Path, "/v1/media/") {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if len(body) > 0 {
		body[0] ^= 0xff
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	ts, env := newServer(t)
	// A PNG one byte over the image limit: sent as a document, it is still checked as an image.
	bigPNG := filepath.Join(t.TempDir(), "big.png")
	require.NoError(t, os.WriteFile(bigPNG, []byte("\x89PNG\r\n\x1a\n"), 0o600))
	require.NoError(t, os.Truncate(bigPNG, api.LimitImage+1))
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{name: "no recipient", env: env, wantErr: "-to (or WA_TO) is required"},
		{name: "two files", args: []string{"-to", "1", "a", "b"}, env: env, wantErr: "one file at most"},
		{name: "no server", args: []string{"-to", "1"}, wantErr: "WA_BASE_URL and WA_PASSWORD are required"},
		{name: "missing file", args: []string{"-to", "1", "no-such-file.pdf"}, env: env, wantErr: "no-such-file.pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := run(t.Context(), tt.args, getenv(tt.env), io.Discard)
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
	t.Run("image over its kind's limit", func(t *testing.T) {
		t.Parallel()
		err := run(t.Context(), []string{bigPNG}, getenv(with(env, "WA_TO", "16315551234")), io.Discard)
		var tooLarge *api.MediaTooLargeError
		require.ErrorAs(t, err, &tooLarge)
		assert.Equal(t, api.MediaImage, tooLarge.Kind)
		assert.Empty(t, ts.SentMessages())
	})
}

// TestGeneratePDF checks the structure of the generated PDF: its header, and a cross-reference
// table whose offsets point at the objects.
func TestGeneratePDF(t *testing.T) {
	t.Parallel()
	pdf := generatePDF("Hello (world)")
	contentType, _, err := api.DetectContentType(bytes.NewReader(pdf))
	require.NoError(t, err)
	assert.Equal(t, "application/pdf", contentType)
	assert.True(t, bytes.HasSuffix(pdf, []byte("%%EOF\n")))

	m := regexp.MustCompile(`startxref\n(\d+)\n`).FindSubmatch(pdf)
	require.Len(t, m, 2)
	xref, err := strconv.Atoi(string(m[1]))
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(pdf[xref:], []byte("xref\n0 6\n")), "startxref points at the table")
	entries := regexp.MustCompile(`(\d{10}) 00000 n `).FindAllSubmatch(pdf[xref:], -1)
	require.Len(t, entries, 5)
	for i, e := range entries {
		off, err := strconv.Atoi(string(e[1]))
		require.NoError(t, err)
		assert.True(t, bytes.HasPrefix(pdf[off:], fmt.Appendf(nil, "%d 0 obj\n", i+1)), "object %d", i+1)
	}
	stream := regexp.MustCompile(`(?s)<< /Length (\d+) >>\nstream\n(.*?)\nendstream`).FindSubmatch(pdf)
	require.Len(t, stream, 3)
	assert.Equal(t, string(stream[1]), strconv.Itoa(len(stream[2])), "the stream's length is right")
	assert.Contains(t, string(stream[2]), "(Hello world) Tj", "parentheses are dropped from the text")
}

func getenv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func with(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for key, val := range m {
		out[key] = val
	}
	return out
}
