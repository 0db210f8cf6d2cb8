package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewClientBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
	}{
		{in: "https://wa.example.com:9090", want: "https://wa.example.com:9090"},
		{in: "https://wa.example.com:9090/", want: "https://wa.example.com:9090"},
		{in: " https://wa.example.com/v1 ", want: "https://wa.example.com"},
		{in: "HTTPS://wa.example.com", want: "https://wa.example.com"},
		{in: "http://proxy.example.com/whatsapp/v1/", want: "http://proxy.example.com/whatsapp"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, c.BaseURL())
		})
	}
}

// TestBaseURLErrorsAreUniformAndNeverEchoSecrets feeds NewClient the base URLs new users
// get wrong: every error matches ErrInvalidBaseURL, says what is expected, and repeats
// nothing of the input (before, "admin:PW@host:9090" was printed whole, as the scheme
// "admin", and a ?token= query string was dropped silently).
func TestBaseURLErrorsAreUniformAndNeverEchoSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, reason string
	}{
		{"", "empty"},
		{"127.0.0.1:9090", "no http:// or https:// scheme"},
		{"not a url", "no http:// or https:// scheme"},
		{"wa.example.com:9090", "no http:// or https:// scheme"},
		{"admin:S3cretPW@wa.example.com:9090", "no http:// or https:// scheme"},
		{"ftp://wa.example.com", "no http:// or https:// scheme"},
		{"https://", "no host"},
		{"https://:9090", "no host"},
		{"https://wa.example.com:S3cretPW", "not a valid URL"},
		{"https://admin:S3cretPW@wa.example.com", "credentials in the URL"},
		{"https://wa.example.com/?token=S3cretPW", "a query string or fragment"},
		{"https://wa.example.com/wa?apikey=S3cretPW", "a query string or fragment"},
		{"https://wa.example.com/#S3cretPW", "a query string or fragment"},
		{"https://wa.example.com/%zzS3cretPW", "not a valid URL"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			_, err := NewClient(tc.in)
			require.ErrorIs(t, err, ErrInvalidBaseURL)
			msg := err.Error()
			assert.Contains(t, msg, tc.reason)
			assert.Contains(t, msg, "want http(s)://host[:port][/prefix]")
			assert.NotContains(t, msg, "S3cretPW", "an error never repeats a secret")
			assert.NotContains(t, msg, "example", "an error never repeats the URL")
			assert.NotContains(t, msg, "9090")
		})
	}
}

func TestRequestHeaders(t *testing.T) {
	t.Parallel()
	var editorCalls atomic.Int32
	c, mux := setup(t,
		WithUserAgent("shop-backend/2.3"),
		WithRequestEditor(func(_ context.Context, r *http.Request) error {
			editorCalls.Add(1)
			r.Header.Set("X-Trace", "abc")
			return nil
		}),
	)
	var attempts atomic.Int32
	mux.HandleFunc("GET /v1/health", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "shop-backend/2.3", r.Header.Get("User-Agent"))
		assert.Equal(t, "abc", r.Header.Get("X-Trace"))
		assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
		if attempts.Add(1) == 1 {
			writeJSON(w, http.StatusServiceUnavailable, `{"errors":[{"code":1016,"title":"System overloaded"}]}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"health":{"gateway_status":"connected"}}`)
	})
	_, err := c.CheckHealth(t.Context())
	require.NoError(t, err)
	assert.Equal(t, int32(2), attempts.Load())
	assert.Equal(t, int32(2), editorCalls.Load(), "editors run on every attempt")
}

// TestEveryAttemptStartsFromTheSameRequest guards against editors seeing their own changes:
// an editor that adds a header value adds it once per attempt, not once more per retry.
func TestEveryAttemptStartsFromTheSameRequest(t *testing.T) {
	t.Parallel()
	c, mux := setup(t, WithRequestEditor(func(_ context.Context, r *http.Request) error {
		r.Header.Add("X-Hop", "wabiz")
		return nil
	}))
	var seen [][]string
	mux.HandleFunc("GET /v1/groups", func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Values("X-Hop"))
		if len(seen) < 3 {
			writeJSON(w, http.StatusTooManyRequests, `{"errors":[{"code":1015,"title":"Too many requests"}]}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"groups":[]}`)
	})
	_, err := c.ListGroups(t.Context())
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"wabiz"}, {"wabiz"}, {"wabiz"}}, seen)
}

func TestRequestEditorError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	c, mux := setup(t, WithRequestEditor(func(context.Context, *http.Request) error { return boom }))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { t.Errorf("unexpected request") })
	_, err := c.CheckHealth(t.Context())
	assert.ErrorIs(t, err, boom)
	var s sleeps
	c, _ = setup(t, withSleep(s.sleep), WithRequestEditor(func(context.Context, *http.Request) error { return boom }))
	_, err = c.CheckHealth(t.Context())
	assert.ErrorIs(t, err, boom)
	assert.Empty(t, s.get(), "an editor's error is not retried")
}

// TestRawEscapeHatch checks that calls through Client.Raw get authentication and typed errors.
func TestRawEscapeHatch(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET /v1/account/shards", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
		writeJSON(w, http.StatusForbidden, `{"errors":[{"code":1005,"title":"Access denied"}]}`)
	})
	_, err := c.Raw.GetShardsWithResponse(t.Context())
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.True(t, apiErr.IsForbidden())
	assert.True(t, apiErr.HasCode(CodeAccessDenied))
}

// TestAttemptTimeout covers WithTimeout: it ends an attempt that gets no headers in time (an
// idempotent one is retried, a send is not), and it does not cut off a slow body.
func TestAttemptTimeout(t *testing.T) {
	t.Parallel()
	const timeout = 100 * time.Millisecond
	c, mux := setup(t, WithTimeout(timeout))
	stall := make(chan struct{})
	t.Cleanup(func() { close(stall) })
	var healthCalls, sendCalls atomic.Int32
	mux.HandleFunc("GET /v1/health", func(w http.ResponseWriter, r *http.Request) {
		if healthCalls.Add(1) == 1 {
			select {
			case <-stall:
			case <-r.Context().Done():
			}
			return
		}
		writeJSON(w, http.StatusOK, `{"health":{"gateway_status":"connected"}}`)
	})
	mux.HandleFunc("POST /v1/messages", func(w http.ResponseWriter, r *http.Request) {
		sendCalls.Add(1)
		select {
		case <-stall:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("GET /v1/media/slow", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		_, _ = io.WriteString(w, "first ")
		w.(http.Flusher).Flush()
		time.Sleep(3 * timeout)
		_, _ = io.WriteString(w, "second")
	})

	_, err := c.CheckHealth(t.Context())
	require.NoError(t, err)
	assert.Equal(t, int32(2), healthCalls.Load(), "the GET is retried after the timeout")

	_, err = c.SendText(t.Context(), customer, "hi")
	var timeoutErr *AttemptTimeoutError
	require.ErrorAs(t, err, &timeoutErr)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, timeout, timeoutErr.Timeout)
	assert.Contains(t, err.Error(), "POST "+baseURLPath+"/v1/messages: no response within 100ms")
	assert.Equal(t, int32(1), sendCalls.Load(), "a send that may have arrived is not retried")

	body, _, err := c.DownloadMedia(t.Context(), "slow")
	require.NoError(t, err)
	defer body.Close()
	got, err := io.ReadAll(body)
	require.NoError(t, err, "reading the body is not bound by the attempt timeout")
	assert.Equal(t, "first second", string(got))
}

// TestCallerDeadlineIsNotRetried checks that the caller's own deadline ends the call at once.
func TestCallerDeadlineIsNotRetried(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("GET /v1/health", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		<-r.Context().Done()
	})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := c.CheckHealth(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var timeoutErr *AttemptTimeoutError
	assert.False(t, errors.As(err, &timeoutErr))
	assert.Equal(t, int32(1), calls.Load())
}

// countingBody is a response body of size bytes that counts what was read and whether it
// was closed.
type countingBody struct {
	left, read int
	closed     bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	n := min(len(p), b.left)
	b.left -= n
	b.read += n
	return n, nil
}

func (b *countingBody) Close() error { b.closed = true; return nil }

// TestDrainReadsAtMostFourKiBAndCloses checks that drain reads a small remainder to its end
// (so that the connection can be reused) but never more than 4 KiB of a large one, and
// closes the body either way.
func TestDrainReadsAtMostFourKiBAndCloses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		size, want int
	}{
		{"empty", 0, 0},
		{"small", 100, 100},
		{"exactly the limit", 4 << 10, 4 << 10},
		{"large", 1 << 20, 4 << 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := &countingBody{left: tc.size}
			drain(&http.Response{Body: body})
			assert.Equal(t, tc.want, body.read)
			assert.True(t, body.closed)
		})
	}
}
