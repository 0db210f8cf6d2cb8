package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	adminPassword = "Sec-ret#2024pw"
	newPassword   = "N3w-Passw0rd!x"
)

// fakeClock is a settable clock for the session's expiry decisions.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// authServer imitates the server's side of sessions: Basic login with the first-login
// password change, numbered tokens that expire an hour after issue (by the fake clock), and
// bearer checks on the other routes.
type authServer struct {
	t     *testing.T
	clock *fakeClock
	delay time.Duration // how long a login takes

	mu         sync.Mutex
	password   string
	mustChange bool
	valid      map[string]bool
	logins     int
	basics     []string // the passwords logins were attempted with
}

func newAuthServer(t *testing.T, clock *fakeClock) *authServer {
	return &authServer{t: t, clock: clock, password: adminPassword, valid: map[string]bool{}}
}

func (s *authServer) loginCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

func (s *authServer) revokeAll() {
	s.mu.Lock()
	clear(s.valid)
	s.mu.Unlock()
}

func (s *authServer) login(w http.ResponseWriter, r *http.Request) {
	time.Sleep(s.delay)
	user, pass, ok := r.BasicAuth()
	assert.True(s.t, ok, "login uses HTTP Basic")
	assert.Equal(s.t, "admin", user)
	var body struct {
		NewPassword string `json:"new_password"`
	}
	raw, _ := io.ReadAll(r.Body)
	if len(raw) > 0 {
		assert.NoError(s.t, json.Unmarshal(raw, &body))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.basics = append(s.basics, pass)
	if pass != s.password {
		writeJSON(w, http.StatusUnauthorized, `{"errors":[{"code":1005,"title":"Access denied"}]}`)
		return
	}
	if s.mustChange && body.NewPassword == "" {
		writeJSON(w, http.StatusUnauthorized, `{"errors":[{"code":1024,"title":"Password change required","details":"Password must be changed"}]}`)
		return
	}
	if body.NewPassword != "" {
		s.password, s.mustChange = body.NewPassword, false
	}
	s.logins++
	tok := fmt.Sprintf("tok-%d", s.logins)
	s.valid[tok] = true
	exp := s.clock.Now().Add(time.Hour).Format(expiresAfterLayout)
	writeJSON(w, http.StatusOK, fmt.Sprintf(`{"users":[{"token":%q,"expires_after":%q}],"meta":{"version":"v2.45.1"}}`, tok, exp))
}

// protect answers 401 unless the request carries a valid bearer token.
func (s *authServer) protect(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		valid := ok && s.valid[tok]
		s.mu.Unlock()
		if !valid {
			writeJSON(w, http.StatusUnauthorized, `{"errors":[{"code":1005,"title":"Access denied","details":"Missing or invalid authentication credentials"}]}`)
			return
		}
		next(w, r)
	}
}

func health(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, `{"health":{"gateway_status":"connected"}}`)
}

// setupSession returns a client with credentials, the fake auth server behind it and its mux.
func setupSession(t *testing.T, opts ...Option) (*Client, *authServer, *http.ServeMux) {
	t.Helper()
	mux, baseURL := newServer(t)
	clock := newFakeClock()
	srv := newAuthServer(t, clock)
	mux.HandleFunc("POST /v1/users/login", srv.login)
	mux.HandleFunc("GET /v1/health", srv.protect(health))
	var s sleeps
	opts = append([]Option{WithCredentials("admin", adminPassword), withSleep(s.sleep), withClock(clock.Now)}, opts...)
	c, err := NewClient(baseURL, opts...)
	require.NoError(t, err)
	return c, srv, mux
}

func TestSessionLogsInLazilyOnce(t *testing.T) {
	t.Parallel()
	c, srv, _ := setupSession(t)
	assert.Equal(t, 0, srv.loginCount(), "no login before the first request")
	for range 3 {
		_, err := c.CheckHealth(t.Context())
		require.NoError(t, err)
	}
	assert.Equal(t, 1, srv.loginCount())
	assert.Equal(t, []string{adminPassword}, srv.basics)
}

func TestLoginReturnsTheExpiry(t *testing.T) {
	t.Parallel()
	c, srv, _ := setupSession(t)
	exp, err := c.Login(t.Context())
	require.NoError(t, err)
	assert.True(t, srv.clock.Now().Add(time.Hour).Equal(exp), "expiry %s", exp)
	_, err = c.Login(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 2, srv.loginCount(), "Login always logs in anew")

	tokenOnly, _ := setup(t)
	_, err = tokenOnly.Login(t.Context())
	assert.ErrorContains(t, err, "needs WithCredentials")
}

// TestFirstLoginPasswordChange covers the admin's first login, which the server answers with
// code 1024 until a new password is sent.
func TestFirstLoginPasswordChange(t *testing.T) {
	t.Parallel()

	t.Run("with_WithNewPassword", func(t *testing.T) {
		t.Parallel()
		c, srv, _ := setupSession(t, WithNewPassword(newPassword))
		srv.mustChange = true
		_, err := c.CheckHealth(t.Context())
		require.NoError(t, err)
		_, err = c.Login(t.Context()) // a later login uses the new password
		require.NoError(t, err)
		assert.Equal(t, []string{adminPassword, adminPassword, newPassword}, srv.basics)
		assert.Equal(t, newPassword, srv.password)
		assert.True(t, c.PasswordChanged())
	})

	t.Run("no_change_needed", func(t *testing.T) {
		t.Parallel()
		c, srv, _ := setupSession(t, WithNewPassword(newPassword))
		_, err := c.Login(t.Context())
		require.NoError(t, err)
		assert.False(t, c.PasswordChanged(), "the server did not ask for a change")
		assert.Equal(t, adminPassword, srv.password)
	})

	t.Run("without_it", func(t *testing.T) {
		t.Parallel()
		c, srv, _ := setupSession(t)
		srv.mustChange = true
		_, err := c.CheckHealth(t.Context())
		var pcr *PasswordChangeRequiredError
		require.ErrorAs(t, err, &pcr)
		assert.Contains(t, err.Error(), "WithNewPassword")
		assert.True(t, HasCode(err, CodePasswordChangeRequired))
		assert.True(t, IsUnauthorized(err))
		assert.Equal(t, adminPassword, srv.password, "nothing changed on the server")
		assert.False(t, c.PasswordChanged())
	})
}

func TestWrongPassword(t *testing.T) {
	t.Parallel()
	c, srv, _ := setupSession(t)
	srv.password = "something else"
	_, err := c.CheckHealth(t.Context())
	require.True(t, IsUnauthorized(err), "got %v", err)
	assert.Len(t, srv.basics, 1, "a failed login is not retried")
}

// TestTokenRefreshBeforeExpiry advances the session clock: the token is reused until it is
// within the refresh skew of its expiry, then renewed before any request is refused.
func TestTokenRefreshBeforeExpiry(t *testing.T) {
	t.Parallel()
	c, srv, _ := setupSession(t)
	_, err := c.CheckHealth(t.Context())
	require.NoError(t, err)
	srv.clock.Advance(50 * time.Minute) // 10 minutes left: still fine
	_, err = c.CheckHealth(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 1, srv.loginCount())
	srv.clock.Advance(6 * time.Minute) // 4 minutes left: within the 5-minute skew
	_, err = c.CheckHealth(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 2, srv.loginCount())
}

func TestRenewalTime(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		expires time.Time
		want    time.Time
	}{
		{"seven_days", start.Add(7 * 24 * time.Hour), start.Add(7*24*time.Hour - refreshSkew)},
		{"short_lived_token_uses_half_its_life", start.Add(4 * time.Minute), start.Add(2 * time.Minute)},
		{"expired_by_our_clock", start.Add(-time.Hour), start.Add(refreshSkew)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSession("admin", "pw", "", func(ctx context.Context, _, _, _ string) (string, time.Time, error) {
				return "tok", tc.expires, nil
			}, func() time.Time { return start })
			_, _, err := s.token(t.Context())
			require.NoError(t, err)
			assert.Equal(t, tc.want, s.renewAt)
		})
	}
}

// TestReloginOn401 covers a token the server revoked: one re-login and one replay, with the
// request body sent again in full.
func TestReloginOn401(t *testing.T) {
	t.Parallel()
	c, srv, mux := setupSession(t)
	var bodies []string
	mux.HandleFunc("POST /v1/messages", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		srv.protect(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusCreated, sentResp) })(w, r)
	})
	_, err := c.CheckHealth(t.Context())
	require.NoError(t, err)
	srv.revokeAll() // for example a logout elsewhere, or a server restart

	id, err := c.SendText(t.Context(), customer, "hello after a revocation")
	require.NoError(t, err)
	assert.Equal(t, sentID, id)
	assert.Equal(t, 2, srv.loginCount())
	require.Len(t, bodies, 2)
	assert.JSONEq(t, `{"to":"16315551234","type":"text","text":{"body":"hello after a revocation"}}`, bodies[1])
	assert.Equal(t, bodies[0], bodies[1], "the replay carries the same body")
}

func TestReloginOn401OnlyOnce(t *testing.T) {
	t.Parallel()
	c, srv, mux := setupSession(t)
	var calls atomic.Int32
	mux.HandleFunc("GET /v1/groups", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, http.StatusUnauthorized, `{"errors":[{"code":1005,"title":"Access denied"}]}`)
	})
	_, err := c.ListGroups(t.Context())
	assert.True(t, IsUnauthorized(err))
	assert.Equal(t, int32(2), calls.Load(), "one replay")
	assert.Equal(t, 2, srv.loginCount(), "one re-login")
}

func TestStaticToken401IsReturned(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("GET /v1/groups", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, http.StatusUnauthorized, `{"errors":[{"code":1005,"title":"Access denied"}]}`)
	})
	_, err := c.ListGroups(t.Context())
	assert.True(t, IsUnauthorized(err))
	assert.Equal(t, int32(1), calls.Load())
}

// TestStreamedUploadAfter401 checks that a body that cannot be replayed is not replayed, but
// that the refused token is dropped so the next request logs in again.
func TestStreamedUploadAfter401(t *testing.T) {
	t.Parallel()
	c, srv, mux := setupSession(t)
	var uploads atomic.Int32
	mux.HandleFunc("POST /v1/media", srv.protect(func(w http.ResponseWriter, r *http.Request) {
		uploads.Add(1)
		writeJSON(w, http.StatusCreated, `{"media":[{"id":"m-1"}]}`)
	}))
	_, err := c.CheckHealth(t.Context())
	require.NoError(t, err)
	srv.revokeAll()
	_, err = c.UploadMedia(t.Context(), io.MultiReader(strings.NewReader("%PDF-1.7")), "application/pdf")
	assert.True(t, IsUnauthorized(err))
	assert.Equal(t, int32(0), uploads.Load())
	_, err = c.UploadMedia(t.Context(), io.MultiReader(strings.NewReader("%PDF-1.7")), "application/pdf")
	require.NoError(t, err)
	assert.Equal(t, 2, srv.loginCount())
}

// TestConcurrentCallersShareOneLogin sends 100 requests at once just after the token expired:
// exactly one login serves them all and none fails. Run it with -race.
func TestConcurrentCallersShareOneLogin(t *testing.T) {
	t.Parallel()
	c, srv, _ := setupSession(t)
	_, err := c.CheckHealth(t.Context())
	require.NoError(t, err)
	require.Equal(t, 1, srv.loginCount())
	srv.delay = 50 * time.Millisecond // a slow login, so that every caller arrives while it runs
	srv.clock.Advance(2 * time.Hour)  // the token has expired

	const callers = 100
	var wg sync.WaitGroup
	var failures atomic.Int32
	start := make(chan struct{})
	for range callers {
		wg.Go(func() {
			<-start
			if _, err := c.CheckHealth(t.Context()); err != nil {
				failures.Add(1)
				t.Errorf("caller failed: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int32(0), failures.Load())
	assert.Equal(t, 2, srv.loginCount(), "exactly one login for the 100 callers")
}

// TestConcurrentCallersAfterRevocation is the same stampede caused by 401s instead of the
// clock: every caller holds the revoked token, yet only one login happens.
func TestConcurrentCallersAfterRevocation(t *testing.T) {
	t.Parallel()
	c, srv, _ := setupSession(t)
	_, err := c.CheckHealth(t.Context())
	require.NoError(t, err)
	srv.revokeAll()
	srv.delay = 20 * time.Millisecond
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			_, err := c.CheckHealth(t.Context())
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Equal(t, 2, srv.loginCount())
}

func TestLogout(t *testing.T) {
	t.Parallel()
	c, srv, mux := setupSession(t)
	var revoked []string
	mux.HandleFunc("POST /v1/users/logout", func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		revoked = append(revoked, tok)
		srv.revokeAll()
		writeJSON(w, http.StatusOK, metaOnly)
	})

	require.NoError(t, c.Logout(t.Context()), "nothing to revoke before the first login")
	assert.Empty(t, revoked)
	assert.Equal(t, 0, srv.loginCount(), "logout does not log in")

	_, err := c.CheckHealth(t.Context())
	require.NoError(t, err)
	require.NoError(t, c.Logout(t.Context()))
	assert.Equal(t, []string{"tok-1"}, revoked)

	_, err = c.CheckHealth(t.Context())
	require.NoError(t, err, "the next request logs in again")
	assert.Equal(t, 2, srv.loginCount())

	srv.clock.Advance(2 * time.Hour) // the cached token has expired: revoke it, do not renew it
	require.NoError(t, c.Logout(t.Context()))
	assert.Equal(t, []string{"tok-1", "tok-2"}, revoked)
	assert.Equal(t, 2, srv.loginCount())
}

func TestLogoutWithStaticToken(t *testing.T) {
	t.Parallel()
	runWrapperCases(t, []wrapperCase{{
		name: "Logout", method: "POST", path: "/v1/users/logout",
		call: func(ctx context.Context, c *Client) (any, error) { return noResult(c.Logout(ctx)) },
	}})
}

func TestUpdateOwnPasswordIsUsedForTheNextLogin(t *testing.T) {
	t.Parallel()
	c, srv, mux := setupSession(t)
	mux.HandleFunc("PUT /v1/users/admin", srv.protect(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Password string }
		assert.NoError(t, json.NewDecoder(r.Body).Decode(&body))
		srv.mu.Lock()
		srv.password = body.Password
		srv.mu.Unlock()
		writeJSON(w, http.StatusOK, `{"users":[{"username":"admin"}]}`)
	}))
	require.NoError(t, c.UpdateUserPassword(t.Context(), "admin", newPassword))
	_, err := c.Login(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{adminPassword, newPassword}, srv.basics)
}

func TestLoginAnswerWithoutToken(t *testing.T) {
	t.Parallel()
	mux, baseURL := newServer(t)
	mux.HandleFunc("POST /v1/users/login", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"users":[]}`)
	})
	c, err := NewClient(baseURL, WithCredentials("admin", adminPassword))
	require.NoError(t, err)
	_, err = c.CheckHealth(t.Context())
	assert.ErrorIs(t, err, ErrUnexpectedResponse)
}

func TestParseExpiresAfter(t *testing.T) {
	t.Parallel()
	want := time.Date(2026, 11, 25, 15, 29, 26, 0, time.UTC)
	for _, in := range []string{"2026-11-25 15:29:26+00:00", "2026-11-25T15:29:26Z", "2026-11-25 17:29:26+02:00"} {
		got, err := parseExpiresAfter(in)
		require.NoError(t, err, in)
		assert.True(t, want.Equal(got), in)
	}
	_, err := parseExpiresAfter("next week")
	assert.ErrorIs(t, err, ErrUnexpectedResponse)
}

// TestSecretsNeverLeak runs logins that succeed and fail, with debug logging on, and checks
// that no password, token or Authorization value appears in any error or log line.
func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, srv, mux := setupSession(t, WithNewPassword(newPassword), WithLogger(logger))
	srv.mustChange = true
	mux.HandleFunc("POST /v1/messages", srv.protect(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusInternalServerError, `{"errors":[{"code":1000,"title":"Generic error"}]}`)
	}))

	var errs []error
	_, err := c.CheckHealth(t.Context()) // first login with the password change
	require.NoError(t, err)
	_, err = c.SendText(t.Context(), customer, "hi")
	errs = append(errs, err)
	srv.revokeAll()
	srv.mu.Lock()
	srv.password = "changed-elsewhere" // the next login fails
	srv.mu.Unlock()
	_, err = c.CheckHealth(t.Context())
	errs = append(errs, err)

	bad, err := NewClient("https://admin:"+adminPassword+"@wa.example.com", WithLogger(logger))
	assert.Nil(t, bad)
	errs = append(errs, err)
	_, err = NewClient("https://wa.example.com", WithCredentials("admin", adminPassword), WithNewPassword(strings.Repeat(adminPassword, 5)))
	errs = append(errs, err)

	secrets := []string{
		adminPassword, newPassword, "tok-1", "tok-2",
		base64.StdEncoding.EncodeToString([]byte("admin:" + adminPassword)),
		base64.StdEncoding.EncodeToString([]byte("admin:" + newPassword)),
	}
	logMu.Lock()
	logged := logs.String()
	logMu.Unlock()
	require.NotEmpty(t, logged, "debug logging was on")
	for _, err := range errs {
		require.Error(t, err)
		for _, s := range secrets {
			assert.NotContains(t, err.Error(), s)
			assert.NotContains(t, fmt.Sprintf("%+v", err), s)
		}
	}
	for _, s := range secrets {
		assert.NotContains(t, logged, s)
	}
}

// lockedWriter serialises log writes from concurrent requests.
type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
