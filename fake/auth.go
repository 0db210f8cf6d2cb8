package fake

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/wabiz/wabiz/gen"

	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// TokenLifetime is how long a bearer token lives, on the fake's clock (604800 seconds).
const TokenLifetime = onpremhttp.TokenLifetime

// authenticator checks credentials against the fake's users, tokens and API key, for the
// shared pipeline (which evaluates the spec's security requirements and ranks failures).
type authenticator struct{ s *Server }

func invalidCredentials() *apiError {
	return errStatus(http.StatusUnauthorized, codeAccessDenied, onpremhttp.InvalidCredentials)
}

// Basic checks a user's password; failed logins are counted per client address and, once
// exhausted, answered 429 before the password is looked at.
func (a authenticator) Basic(r *http.Request, name, password string) (*onpremhttp.Principal, *apiError) {
	s := a.s
	ip := onpremhttp.ClientIP(r)
	if e := s.limiter.failedLoginsExhausted(ip); e != nil {
		return nil, e
	}
	s.mu.RLock()
	u := s.st.users[name]
	good := u != nil && checkUserPassword(u, password)
	var role gen.UserRole
	if good {
		role = u.role
	}
	s.mu.RUnlock()
	if !good {
		s.limiter.failedLogin(ip)
		return nil, invalidCredentials()
	}
	return &onpremhttp.Principal{Username: name, Role: role}, nil
}

// Bearer checks a token on the fake's clock; an expired token is deleted.
func (a authenticator) Bearer(_ *http.Request, token string) (*onpremhttp.Principal, *apiError) {
	s := a.s
	now := s.clock.Now()
	s.mu.RLock()
	sess, ok := s.st.sessions[token]
	var u *user
	if ok {
		u = s.st.users[sess.user]
	}
	s.mu.RUnlock()
	if !ok || u == nil {
		return nil, invalidCredentials()
	}
	if !now.Before(sess.exp) {
		s.mu.Lock()
		delete(s.st.sessions, token)
		s.mu.Unlock()
		return nil, invalidCredentials()
	}
	return &onpremhttp.Principal{Username: u.name, Role: u.role, Token: token}, nil
}

// APIKey checks the configured API key (none by default).
func (a authenticator) APIKey(_ *http.Request, key string) (*onpremhttp.Principal, *apiError) {
	s := a.s
	if s.cfg.apiKey == "" || subtle.ConstantTimeCompare([]byte(key), []byte(s.cfg.apiKey)) != 1 {
		return nil, invalidCredentials()
	}
	return &onpremhttp.Principal{Username: "_apiuser", Role: onpremhttp.RoleAPI, APIKey: true}, nil
}

// setPassword stores a salted hash of password in u.
func setPassword(u *user, password string) {
	u.salt = make([]byte, 16)
	_, _ = rand.Read(u.salt)
	u.hash = hashPassword(u.salt, password)
}

func hashPassword(salt []byte, password string) [32]byte {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(password))
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

func checkUserPassword(u *user, password string) bool {
	got := hashPassword(u.salt, password)
	return subtle.ConstantTimeCompare(got[:], u.hash[:]) == 1
}

// issueToken creates a signed JWT-like token for username valid for TokenLifetime; the caller
// holds s.mu.
func (s *Server) issueToken(username string, now time.Time) (string, time.Time) {
	exp := now.Add(TokenLifetime)
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce)
	claims, _ := json.Marshal(map[string]any{
		"user": username, "iat": now.Unix(), "exp": exp.Unix(),
		"jti": base64.RawURLEncoding.EncodeToString(nonce),
	})
	payload := base64.RawURLEncoding.EncodeToString(claims)
	mac := hmac.New(sha256.New, s.jwtKey)
	mac.Write([]byte(header + "." + payload))
	tok := header + "." + payload + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	s.st.sessions[tok] = session{user: username, exp: exp}
	s.maybeSweepLocked(now)
	return tok, exp
}
