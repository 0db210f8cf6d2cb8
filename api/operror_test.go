package api

import (
	"bytes"
	"context"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/fake"
)

// closedURL returns the base URL of a port that nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr
}

// TestSendTextAgainstADownServerNamesTheOperationAndTheAttempts checks the error a new user
// sees first: it names the operation called, the login it was doing, the cause and the
// attempts, and errors.As still finds the *OperationError and the *net.OpError. Before, it
// read only `Post "http://127.0.0.1:N/v1/users/login": dial tcp 127.0.0.1:N: connect:
// connection refused`.
func TestSendTextAgainstADownServerNamesTheOperationAndTheAttempts(t *testing.T) {
	t.Parallel()
	var s sleeps
	c, err := NewClient(closedURL(t), WithCredentials("admin", "Secret-Pw1!"), withSleep(s.sleep))
	require.NoError(t, err)
	_, err = c.SendText(t.Context(), customer, "hi")
	require.Error(t, err)
	t.Log(err)
	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, "wabiz: sendMessage: logging in: login: Post "), msg)
	assert.Contains(t, msg, "connection refused")
	assert.True(t, strings.HasSuffix(msg, "(after 3 attempts)"), msg)
	assert.NotContains(t, msg, "Secret-Pw1!")
	var opErr *OperationError
	require.ErrorAs(t, err, &opErr)
	assert.Equal(t, "sendMessage", opErr.Op)
	assert.Equal(t, "logging in", opErr.Stage)
	var netErr *net.OpError
	assert.ErrorAs(t, err, &netErr)
}

// TestOperationErrorsNameTheOperationOfEveryRoute checks the route table through a wrapper
// with a path parameter and a Raw call, and that *APIError is still found.
func TestOperationErrorsNameTheOperationOfEveryRoute(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, `{"errors":[{"code":1006,"title":"Resource not found"}]}`)
	})
	tests := []struct {
		op   string
		call func(ctx context.Context) error
	}{
		{"downloadMedia", func(ctx context.Context) error { _, _, err := c.DownloadMedia(ctx, "m1"); return err }},
		{"deleteSticker", func(ctx context.Context) error { return c.DeleteSticker(ctx, "p1", "s1") }},
		{"getGroup", func(ctx context.Context) error { _, err := c.Raw.GetGroupWithResponse(ctx, "g1"); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.op, func(t *testing.T) {
			t.Parallel()
			err := tc.call(t.Context())
			var opErr *OperationError
			require.ErrorAs(t, err, &opErr)
			assert.Equal(t, tc.op, opErr.Op)
			assert.True(t, strings.HasPrefix(err.Error(), "wabiz: "+tc.op+": "), err.Error())
			assert.True(t, IsNotFound(err))
		})
	}
}

// TestUntrustedCertificateErrorPointsAtWithCACertPEM checks the hint of the TLS error a
// default deployment (self-signed certificate) gives a client without its CA.
func TestUntrustedCertificateErrorPointsAtWithCACertPEM(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL, WithToken(testToken))
	require.NoError(t, err)
	_, err = c.CheckHealth(t.Context())
	require.Error(t, err)
	t.Log(err)
	assert.Contains(t, err.Error(), "WithCACertPEM")
	assert.Contains(t, err.Error(), "FetchCACertificate")
	var unknown x509.UnknownAuthorityError
	assert.ErrorAs(t, err, &unknown)
}

// TestFirstLoginProgramRunTwiceHintsThatThePasswordChanged runs the second start of a
// program that logs in with the default password and WithNewPassword: the server already
// has the new password and answers 401, and the error says why that may be.
func TestFirstLoginProgramRunTwiceHintsThatThePasswordChanged(t *testing.T) {
	t.Parallel()
	ts := fake.NewTestServer(t, fake.WithAdminPassword(fake.TestAdminNewPassword))
	c, err := NewClient(ts.URL, WithCredentials("admin", fake.DefaultAdminPassword), WithNewPassword(fake.TestAdminNewPassword))
	require.NoError(t, err)
	_, err = c.SendText(t.Context(), customer, "hi")
	require.Error(t, err)
	t.Log(err)
	assert.True(t, IsUnauthorized(err))
	assert.Contains(t, err.Error(), "an earlier run may already have changed the password")
	assert.NotContains(t, err.Error(), fake.TestAdminNewPassword)
}

// TestArgumentErrorsAreOneTypeNamedAfterTheMethodCalled checks that every client-side
// argument error matches ErrInvalidArgument and names the method the caller called (SendText
// said "SendMessage" before), without sending anything.
func TestArgumentErrorsAreOneTypeNamedAfterTheMethodCalled(t *testing.T) {
	t.Parallel()
	tests := []struct {
		want string
		call func(ctx context.Context, c *Client) error
	}{
		{"wabiz: SendText: empty recipient", func(ctx context.Context, c *Client) error { _, err := c.SendText(ctx, "", "hi"); return err }},
		{"wabiz: SendImage: empty recipient", func(ctx context.Context, c *Client) error {
			_, err := c.SendImage(ctx, "", Media{ID: "m"})
			return err
		}},
		{"wabiz: SendInteractiveButtons: empty recipient", func(ctx context.Context, c *Client) error {
			_, err := c.SendInteractiveButtons(ctx, "", ReplyButtons{})
			return err
		}},
		{"wabiz: SendText: nil SendOption", func(ctx context.Context, c *Client) error {
			_, err := c.SendText(ctx, customer, "hi", nil)
			return err
		}},
		{"wabiz: SendTemplate: nil template", func(ctx context.Context, c *Client) error {
			_, err := c.SendTemplate(ctx, customer, nil)
			return err
		}},
		{"wabiz: UploadMedia: empty body", func(ctx context.Context, c *Client) error {
			_, err := c.UploadMedia(ctx, bytes.NewReader(nil), "image/png")
			return err
		}},
		{"wabiz: UploadMedia: nil reader", func(ctx context.Context, c *Client) error {
			_, err := c.UploadMedia(ctx, nil, "image/png")
			return err
		}},
		{`wabiz: UploadMedia: invalid content type "png"`, func(ctx context.Context, c *Client) error {
			_, err := c.UploadMedia(ctx, strings.NewReader("x"), "png")
			return err
		}},
		{"wabiz: DownloadMedia: empty media id", func(ctx context.Context, c *Client) error {
			_, _, err := c.DownloadMedia(ctx, "")
			return err
		}},
		{"wabiz: DeleteMedia: empty media id", func(ctx context.Context, c *Client) error { return c.DeleteMedia(ctx, "") }},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.HandleFunc("/", func(_ http.ResponseWriter, r *http.Request) {
				t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
			})
			err := tc.call(t.Context(), c)
			require.ErrorIs(t, err, ErrInvalidArgument)
			var argErr *ArgumentError
			require.ErrorAs(t, err, &argErr)
			assert.True(t, strings.HasPrefix(err.Error(), tc.want), "got %q", err.Error())
		})
	}
}

// TestSharedLoginStopsOnceNoCallerWaits answers the login with 503 Retry-After: 30. A caller
// with a short deadline gets an error that says it was waiting for the login, and the
// detached login stops sleeping at once instead of up to 60 s.
func TestSharedLoginStopsOnceNoCallerWaits(t *testing.T) {
	t.Parallel()
	mux, baseURL := newServer(t)
	var logins atomic.Int32
	mux.HandleFunc("POST /v1/users/login", func(w http.ResponseWriter, _ *http.Request) {
		logins.Add(1)
		w.Header().Set("Retry-After", "30")
		writeJSON(w, http.StatusServiceUnavailable, `{"errors":[{"code":1016,"title":"System overloaded"}]}`)
	})
	sleepEnded := make(chan time.Duration, 4)
	sleep := func(ctx context.Context, d time.Duration) error {
		start := time.Now()
		err := sleepContext(ctx, d)
		sleepEnded <- time.Since(start)
		return err
	}
	c, err := NewClient(baseURL, WithCredentials("admin", "Secret-Pw1!"), withSleep(sleep))
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_, err = c.SendText(ctx, customer, "hi")
	require.Error(t, err)
	t.Log(err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "wabiz: sendMessage: waiting for login: context deadline exceeded")
	var opErr *OperationError
	require.ErrorAs(t, err, &opErr)
	assert.Equal(t, "waiting for login", opErr.Stage)

	select {
	case d := <-sleepEnded:
		assert.Less(t, d, 5*time.Second, "the login's retry sleep ended early")
	case <-time.After(5 * time.Second):
		t.Fatal("the login kept sleeping after its only caller gave up")
	}
	assert.Equal(t, int32(1), logins.Load(), "no further login attempt")
}
