package api

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/wabiz/wabiz/gen"
)

// expiresAfterLayout is the server's `expires_after` format: `2026-11-25 15:29:26+00:00`.
const expiresAfterLayout = "2006-01-02 15:04:05-07:00"

// refreshSkew renews a token this long before it expires, so that a request never leaves
// with a token that expires in flight. For a token that lives less than twice as long (a
// test server, a clock far from the server's), half its lifetime is used instead, so that a
// fresh token is never considered stale at once.
const refreshSkew = 5 * time.Minute

// loginTimeout bounds a login that callers share: it runs detached from the context of the
// caller that started it, so one caller giving up does not fail the others, and ends
// earlier when no caller waits for it any more (see session.token).
const loginTimeout = 60 * time.Second

// parseExpiresAfter reads the server's expiry format and, leniently, RFC 3339.
func parseExpiresAfter(s string) (time.Time, error) {
	if t, err := time.Parse(expiresAfterLayout, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%w: unrecognised expires_after %q", ErrUnexpectedResponse, s)
}

type loginFunc func(ctx context.Context, username, password, newPassword string) (token string, expires time.Time, err error)

// session holds the credentials and the current token. A login in progress is shared by
// every caller that needs a token meanwhile (single flight).
type session struct {
	login loginFunc
	now   func() time.Time

	mu          sync.Mutex
	username    string
	password    string
	newPassword string
	tok         string
	header      []string // the Authorization header of tok, built once per login
	expires     time.Time
	renewAt     time.Time // when to log in again, shortly before expires
	inflight    *loginCall
	changed     bool // a login set newPassword because the server demanded it
}

type loginCall struct {
	done    chan struct{}
	cancel  context.CancelFunc // ends the login once no caller waits for it
	waiters int                // callers waiting, under session.mu
	tok     string
	header  []string
	err     error
}

func newSession(username, password, newPassword string, login loginFunc, now func() time.Time) *session {
	return &session{login: login, now: now, username: username, password: password, newPassword: newPassword}
}

// token returns a valid token and its Authorization header (shared, read-only), logging in
// first when there is none or it is about to expire.
//
// The login is shared: it runs detached from the context of the caller that started it, so
// that one caller giving up does not fail the others, but it stops as soon as no caller
// waits for it any more (a login sleeping 30 s on a 503's Retry-After no longer outlives
// the callers with a 5 s deadline). Its errors come as a *stageError, "logging in" or
// "waiting for login", that do turns into OperationError.Stage.
func (s *session) token(ctx context.Context) (tok string, header []string, err error) {
	s.mu.Lock()
	if s.tok != "" && s.now().Before(s.renewAt) {
		tok, header := s.tok, s.header
		s.mu.Unlock()
		return tok, header, nil
	}
	call := s.inflight
	if call == nil {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loginTimeout)
		call = &loginCall{done: make(chan struct{}), cancel: cancel}
		s.inflight = call
		go s.run(lctx, call)
	}
	call.waiters++
	s.mu.Unlock()
	select {
	case <-call.done:
		if call.err != nil {
			return "", nil, &stageError{stage: "logging in", err: call.err}
		}
		return call.tok, call.header, nil
	case <-ctx.Done():
		s.mu.Lock()
		call.waiters--
		if call.waiters == 0 {
			call.cancel()
			if s.inflight == call {
				s.inflight = nil // the next caller starts a login of its own
			}
		}
		s.mu.Unlock()
		return "", nil, &stageError{stage: "waiting for login", err: context.Cause(ctx)}
	}
}

func (s *session) run(ctx context.Context, call *loginCall) {
	defer call.cancel()
	s.mu.Lock()
	user, pass, newPass := s.username, s.password, s.newPassword
	s.mu.Unlock()

	start := s.now()
	tok, exp, err := s.login(ctx, user, pass, "")
	if IsUnauthorized(err) && !HasCode(err, CodePasswordChangeRequired) && newPass != "" {
		// The typical second run of a first-login program: the password is already the new one.
		var opErr *OperationError
		if errors.As(err, &opErr) && opErr.Hint == "" {
			opErr.Hint = hintPasswordChanged
		}
	}
	if HasCode(err, CodePasswordChangeRequired) {
		var apiErr *APIError
		errors.As(err, &apiErr)
		if newPass == "" {
			err = &PasswordChangeRequiredError{Err: apiErr}
		} else {
			tok, exp, err = s.login(ctx, user, pass, newPass)
			if err == nil {
				s.setPassword(user, newPass) // later logins use the new password
				s.mu.Lock()
				s.changed = true
				s.mu.Unlock()
			}
		}
	}

	var header []string
	if err == nil {
		header = []string{"Bearer " + tok}
	}
	s.mu.Lock()
	if err == nil {
		s.tok, s.header, s.expires = tok, header, exp
		if life := exp.Sub(start); life > 0 {
			s.renewAt = exp.Add(-min(refreshSkew, life/2))
		} else {
			// Already expired by our clock: the clocks disagree. Trust the server (a 401 still
			// triggers a re-login) and renew every refreshSkew rather than on every request.
			s.renewAt = start.Add(refreshSkew)
		}
	}
	if s.inflight == call {
		s.inflight = nil
	}
	s.mu.Unlock()
	call.tok, call.header, call.err = tok, header, err
	close(call.done)
}

// invalidate forgets tok if it is still the current token (another caller may already have
// replaced it after the same 401).
func (s *session) invalidate(tok string) {
	s.mu.Lock()
	if s.tok == tok {
		s.tok = ""
	}
	s.mu.Unlock()
}

// current returns the cached token without logging in.
func (s *session) current() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tok
}

// setPassword records a new password for later logins when username is the session's user.
func (s *session) setPassword(username, password string) {
	s.mu.Lock()
	if s.username == username {
		s.password = password
	}
	s.mu.Unlock()
}

// login performs POST /v1/users/login with HTTP Basic credentials (operation login).
func (c *Client) login(ctx context.Context, username, password, newPassword string) (string, time.Time, error) {
	ctx = context.WithValue(ctx, skipAuthKey, true)
	basic := func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(username+":"+password)))
		return nil
	}
	var body gen.PasswordChange
	if newPassword != "" {
		body.NewPassword = &newPassword
	}
	resp, err := c.Raw.LoginWithResponse(ctx, body, basic)
	if err != nil {
		return "", time.Time{}, err
	}
	if resp.JSON200 == nil || len(resp.JSON200.Users) == 0 || resp.JSON200.Users[0].Token == "" {
		return "", time.Time{}, unexpected("login", resp.StatusCode())
	}
	u := resp.JSON200.Users[0]
	exp, err := parseExpiresAfter(u.ExpiresAfter)
	if err != nil {
		return "", time.Time{}, err
	}
	return u.Token, exp, nil
}

// Login logs in now with the configured credentials (otherwise the first request does),
// replacing the current token, and returns when the new token expires. It reports a
// *PasswordChangeRequiredError when the server demands a new password and none is
// configured with WithNewPassword.
//
//wabiz:operation login
func (c *Client) Login(ctx context.Context) (time.Time, error) {
	if c.session == nil {
		return time.Time{}, errors.New("wabiz: Login needs WithCredentials")
	}
	c.session.invalidate(c.session.current())
	if _, _, err := c.session.token(ctx); err != nil {
		var se *stageError
		if errors.As(err, &se) {
			err = &OperationError{Op: "login", Stage: se.stage, Err: se.err}
		}
		return time.Time{}, err
	}
	c.session.mu.Lock()
	defer c.session.mu.Unlock()
	return c.session.expires, nil
}

// Logout revokes the token the client uses (POST /v1/users/logout). Other tokens of the same
// user stay valid. With WithCredentials it revokes the session token, if there is one, without
// logging in or renewing it first, and a later request logs in again; with WithToken the
// token is revoked for good.
//
//wabiz:operation logout
func (c *Client) Logout(ctx context.Context) error {
	if c.session == nil {
		_, err := c.Raw.LogoutWithResponse(ctx)
		return err
	}
	tok := c.session.current()
	if tok == "" {
		return nil
	}
	// Send exactly the cached token: renewing it first, or re-logging in after a 401, would
	// only create a token to revoke.
	ctx = context.WithValue(ctx, skipAuthKey, true)
	bearer := func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+tok)
		return nil
	}
	_, err := c.Raw.LogoutWithResponse(ctx, bearer)
	c.session.invalidate(tok)
	if IsUnauthorized(err) {
		return nil // already expired or revoked: the goal is reached
	}
	return err
}

// PasswordChanged reports whether a login of this client changed the password, because the
// server demanded it (code 1024, the admin's first login) and WithNewPassword gave one. It is
// false for a client without credentials or whose logins needed no change.
func (c *Client) PasswordChanged() bool {
	if c.session == nil {
		return false
	}
	c.session.mu.Lock()
	defer c.session.mu.Unlock()
	return c.session.changed
}
