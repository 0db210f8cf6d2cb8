package bridge

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

const (
	kib = 1 << 10
	mib = 1 << 20
)

// TestMediaRoundTripOverTheFakesCloudDialect uploads through the bridge to the fake's Cloud
// routes, downloads the same bytes back with the Content-Type the Cloud API reports, deletes
// the media, and checks that the id is then unknown (404/1006); every answer validates
// against the On-Premises spec.
func TestMediaRoundTripOverTheFakesCloudDialect(t *testing.T) {
	t.Parallel()
	b, _ := opsBridge(t)
	ctx := t.Context()
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("invoice "), 4000)...)

	up, err := b.UploadMedia(ctx, gen.UploadMediaRequestObject{ContentType: "application/pdf", Body: bytes.NewReader(pdf)})
	require.NoError(t, err)
	rec := checkAnswer(t, b, http.MethodPost, "/v1/media", up, err)
	assert.Equal(t, http.StatusCreated, rec.Code)
	id := up.(gen.UploadMedia201JSONResponse).Body.Media[0].ID
	require.NotEmpty(t, id)

	down, err := b.DownloadMedia(ctx, gen.DownloadMediaRequestObject{MediaID: id})
	require.NoError(t, err)
	rec = checkAnswer(t, b, http.MethodGet, "/v1/media/"+id, down, err)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, pdf, rec.Body.Bytes(), "the same bytes come back")
	ct, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	assert.Equal(t, "application/pdf", ct)
	assert.Equal(t, "attachment; filename="+id, rec.Header().Get("Content-Disposition"))

	del, err := b.DeleteMedia(ctx, gen.DeleteMediaRequestObject{MediaID: id})
	require.NoError(t, err)
	checkAnswer(t, b, http.MethodDelete, "/v1/media/"+id, del, err)

	down, err = b.DownloadMedia(ctx, gen.DownloadMediaRequestObject{MediaID: id})
	onPremError(t, err, http.StatusNotFound, onpremhttp.CodeNotFound)
	checkAnswer(t, b, http.MethodGet, "/v1/media/"+id, down, err)
	del, err = b.DeleteMedia(ctx, gen.DeleteMediaRequestObject{MediaID: id})
	onPremError(t, err, http.StatusNotFound, onpremhttp.CodeNotFound)
	checkAnswer(t, b, http.MethodDelete, "/v1/media/"+id, del, err)
}

// TestUploadMediaRules: the On-Premises rules of POST /v1/media, as the fake applies them
// (the same code, internal/onpremhttp), and the Cloud API's own per-kind limit.
func TestUploadMediaRules(t *testing.T) {
	t.Parallel()
	b, _ := opsBridge(t)
	png := func(n int) io.Reader {
		return io.MultiReader(strings.NewReader("\x89PNG\r\n\x1a\n"), &patternReader{left: int64(n)})
	}
	cases := []struct {
		name         string
		contentType  string
		body         io.Reader
		status, code int
		details      string
	}{
		{"no Content-Type", "", png(10), 400, onpremhttp.CodeMissingParameter, "Content-Type missing"},
		{"multipart is not an upload type", "multipart/form-data; boundary=x", png(10), 400, onpremhttp.CodeInvalidParameter, "not supported"},
		{"plain audio/ogg is not Opus", "audio/ogg", png(10), 400, onpremhttp.CodeInvalidParameter, "not supported"},
		{"no body", "image/png", nil, 400, onpremhttp.CodeMissingParameter, "No data found"},
		{"empty body", "image/png", strings.NewReader(""), 400, onpremhttp.CodeMissingParameter, "No data found"},
		{"over the Cloud image limit", "image/png", png(5*mib + 1), 400, onpremhttp.CodeInvalidParameter, "131053"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, err := b.UploadMedia(t.Context(), gen.UploadMediaRequestObject{ContentType: tc.contentType, Body: tc.body})
			e := onPremError(t, err, tc.status, tc.code)
			assert.Contains(t, e.Details, tc.details)
			checkAnswer(t, b, http.MethodPost, "/v1/media", resp, err)
		})
	}
}

// TestUploadMediaOverTheCeilingIsCutOff: a body over 100 MB is refused with the Webapp's
// answer (400/1009 "Request content exceeds size of 100 MB") and the Cloud upload is aborted
// mid-stream, so Graph never receives a complete file; exactly 100 MB goes through.
func TestUploadMediaOverTheCeilingIsCutOff(t *testing.T) {
	t.Parallel()
	var complete atomic.Int64 // uploads Graph received whole
	b, _ := newGraphStub(t, func(w http.ResponseWriter, r *http.Request) {
		n, err := discardMultipart(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		complete.Add(1)
		fmt.Fprintf(w, `{"id":"m-%d"}`, n)
	})
	resp, err := b.UploadMedia(t.Context(), gen.UploadMediaRequestObject{ContentType: "application/pdf",
		Body: &patternReader{left: onpremhttp.MaxUploadBytes + 1}})
	e := onPremError(t, err, http.StatusBadRequest, onpremhttp.CodeInvalidParameter)
	assert.Equal(t, "Request content exceeds size of 100 MB", e.Details)
	checkAnswer(t, b, http.MethodPost, "/v1/media", resp, err)
	assert.Zero(t, complete.Load(), "Graph received no complete upload")

	resp, err = b.UploadMedia(t.Context(), gen.UploadMediaRequestObject{ContentType: "application/pdf",
		Body: &patternReader{left: onpremhttp.MaxUploadBytes}})
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("m-%d", onpremhttp.MaxUploadBytes), resp.(gen.UploadMedia201JSONResponse).Body.Media[0].ID)
}

// discardMultipart reads a Cloud upload and returns the size of its file part.
func discardMultipart(r *http.Request) (int64, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return 0, err
	}
	var n int64
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
		if part.FormName() == "file" {
			if n, err = io.Copy(io.Discard, part); err != nil {
				return 0, err
			}
		}
	}
}

// streamingGraph is a Graph stub for big transfers, in constant memory: uploads are
// discarded (the id is their size), the media id "<n>" has a download URL that streams n
// bytes.
func streamingGraph(t *testing.T) *Bridge {
	t.Helper()
	chunk := make([]byte, 64*kib)
	var base string
	b, g := newGraphStub(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/media"):
			n, err := discardMultipart(r)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			fmt.Fprintf(w, `{"id":"%d"}`, n)
		case strings.HasPrefix(r.URL.Path, "/download/"):
			size, _ := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, "/download/"), 10, 64)
			w.Header().Set("Content-Type", "video/mp4")
			w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
			for size > 0 {
				n, err := w.Write(chunk[:min(int64(len(chunk)), size)])
				if err != nil {
					return
				}
				size -= int64(n)
			}
		case r.Method == http.MethodGet:
			id := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"messaging_product":"whatsapp","id":%q,"mime_type":"video/mp4","sha256":"00","file_size":%s,"url":"%s/download/%s"}`,
				id, id, base, id)
		default:
			http.NotFound(w, r)
		}
	})
	base = g.URL
	return b
}

// countingWriter is an http.ResponseWriter that counts and drops the body.
type countingWriter struct {
	h      http.Header
	status int
	n      int64
}

func (c *countingWriter) Header() http.Header         { return c.h }
func (c *countingWriter) WriteHeader(status int)      { c.status = status }
func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// allocated returns the bytes the process allocated while fn ran.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestMediaStreamingMemoryIsBounded moves 64 MiB up through UploadMedia into the Cloud
// multipart upload and 64 MiB down through DownloadMedia out of the Cloud download, and
// checks that what the process allocates (the Graph stub included) stays under a budget and
// does not grow with the size (16 MiB against 64 MiB): the bridge streams, it does not
// buffer. Not parallel: runtime.MemStats counts the whole process.
func TestMediaStreamingMemoryIsBounded(t *testing.T) {
	b := streamingGraph(t)
	ctx := t.Context()
	const budget = 16 * mib
	upload := func(size int64) func() {
		return func() {
			resp, err := b.UploadMedia(ctx, gen.UploadMediaRequestObject{ContentType: "video/mp4", Body: &patternReader{left: size}})
			require.NoError(t, err)
			require.Equal(t, strconv.FormatInt(size, 10), resp.(gen.UploadMedia201JSONResponse).Body.Media[0].ID, "Graph received every byte")
		}
	}
	download := func(size int64) func() {
		return func() {
			resp, err := b.DownloadMedia(ctx, gen.DownloadMediaRequestObject{MediaID: strconv.FormatInt(size, 10)})
			require.NoError(t, err)
			w := &countingWriter{h: http.Header{}}
			require.NoError(t, resp.VisitDownloadMediaResponse(w))
			require.Equal(t, size, w.n)
			require.Equal(t, "video/mp4", w.h.Get("Content-Type"), "the Content-Type the Cloud API reports")
		}
	}
	upload(mib)() // warm up connections and pools
	download(mib)()
	for _, dir := range []struct {
		name string
		run  func(int64) func()
	}{{"upload", upload}, {"download", download}} {
		small := allocated(dir.run(16 * mib))
		big := allocated(dir.run(64 * mib))
		t.Logf("%s: 16 MiB allocated %d bytes; 64 MiB allocated %d bytes", dir.name, small, big)
		assert.Less(t, big, uint64(budget), "%s of 64 MiB", dir.name)
		assert.Less(t, big, small+4*mib, "%s: allocation does not grow with the size", dir.name)
	}
}

// patternReader yields left bytes of a repeated pattern without holding them.
type patternReader struct{ left int64 }

var pattern = func() []byte {
	b := make([]byte, 64*kib)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

func (p *patternReader) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.left)]
	n := 0
	for n < len(b) {
		n += copy(b[n:], pattern)
	}
	p.left -= int64(n)
	return n, nil
}

// TestUploadAnnouncedOverTheCeilingIsRefusedBeforeGraph sends the headers of a 100 MB + 1
// upload and only a few bytes of it: the bridge answers 400/1009 from the Content-Length
// alone, without waiting for the body and without a call to Graph.
func TestUploadAnnouncedOverTheCeilingIsRefusedBeforeGraph(t *testing.T) {
	t.Parallel()
	b, g := newGraphStub(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no Graph call expected", http.StatusTeapot)
	})
	hs := httptest.NewServer(b)
	t.Cleanup(hs.Close)

	req, err := http.NewRequestWithContext(t.Context(), "POST", hs.URL+"/v1/users/login", strings.NewReader(`{"new_password":"Upl0ad-Passw0rd!"}`))
	require.NoError(t, err)
	req.SetBasicAuth("admin", "secret")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var login gen.LoginEnvelope
	require.NoError(t, json.NewDecoder(res.Body).Decode(&login))
	res.Body.Close()
	require.Len(t, login.Users, 1)

	conn, err := net.Dial("tcp", hs.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = fmt.Fprintf(conn, "POST /v1/media HTTP/1.1\r\nHost: bridge\r\nAuthorization: Bearer %s\r\nContent-Type: application/pdf\r\nContent-Length: %d\r\n\r\n%s",
		login.Users[0].Token, onpremhttp.MaxUploadBytes+1, strings.Repeat("%PDF", 256))
	require.NoError(t, err)
	res, err = http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "the answer comes before the body does")
	defer res.Body.Close()
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	var env gen.ErrorEnvelope
	require.NoError(t, json.NewDecoder(res.Body).Decode(&env))
	require.NotEmpty(t, env.Errors)
	assert.Equal(t, onpremhttp.CodeInvalidParameter, env.Errors[0].Code)
	assert.Equal(t, "Request content exceeds size of 100 MB", *env.Errors[0].Details)
	assert.Empty(t, g.Calls(), "no call reached Graph")
}
