package fake

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/wabiz/wabiz/gen"
)

// TokenLifetime is how long a bearer token lives, on the fake's clock (604800 seconds).
const TokenLifetime = 7 * 24 * time.Hour

// roleAPI is the role of a caller authenticated with the API key.
const roleAPI gen.UserRole = "ROLE_API"

const invalidCredentials = "Missing or invalid authentication credentials"

// principal is who made a request.
type principal struct {
	username string
	role     gen.UserRole
	apiKey   bool
	token    string
}

// authFailure is why one security scheme did not accept a request. When no requirement of
// the operation is met, the failure with the highest rank is answered: an explicit refusal
// (wrong password, unknown token) outranks "this header is for another scheme".
type authFailure struct {
	rank int
	err  *apiError
}

func (f *authFailure) Error() string { return f.err.Error() }

// authenticate checks the request against the operation's security requirements, as declared
// in the spec, with kin-openapi's ValidateSecurityRequirements. It works on a body-less copy
// of the request, so that a 100 MB upload is not read by the check.
func (s *Server) authenticate(o *operation, r *http.Request) (*principal, *apiError) {
	if len(o.security) == 0 {
		return nil, nil
	}
	var p *principal
	bare := r.WithContext(r.Context())
	bare.Body = http.NoBody
	bare.ContentLength = 0
	in := &openapi3filter.RequestValidationInput{
		Request: bare,
		Route:   o.route,
		Options: &openapi3filter.Options{AuthenticationFunc: func(_ context.Context, ai *openapi3filter.AuthenticationInput) error {
			got, err := s.checkScheme(o, ai.SecurityScheme, r)
			if err != nil {
				return err
			}
			p = got
			return nil
		}},
	}
	err := openapi3filter.ValidateSecurityRequirements(r.Context(), in, o.security)
	if err == nil {
		return p, nil
	}
	var sre *openapi3filter.SecurityRequirementsError
	best := &authFailure{err: errStatus(http.StatusUnauthorized, codeAccessDenied, invalidCredentials)}
	if errors.As(err, &sre) {
		for _, e := range sre.Errors {
			var f *authFailure
			if errors.As(e, &f) && f.rank > best.rank {
				best = f
			}
		}
	}
	return nil, best.err
}

// checkScheme checks the Authorization header against one security scheme of the spec.
func (s *Server) checkScheme(o *operation, scheme *openapi3.SecurityScheme, r *http.Request) (*principal, error) {
	authz := r.Header.Get("Authorization")
	word, cred, _ := strings.Cut(strings.TrimSpace(authz), " ")
	cred = strings.TrimSpace(cred)
	unauthorized := func(rank int) error {
		e := errStatus(http.StatusUnauthorized, codeAccessDenied, invalidCredentials)
		return &authFailure{rank: rank, err: e}
	}
	switch {
	case scheme.Type == "http" && strings.EqualFold(scheme.Scheme, "basic"):
		basicFailure := func(rank int) error {
			e := errStatus(http.StatusUnauthorized, codeAccessDenied, invalidCredentials)
			return &authFailure{rank: rank, err: e.withHeader("WWW-Authenticate", `Basic realm="WhatsApp Business API"`)}
		}
		if !strings.EqualFold(word, "Basic") {
			return nil, basicFailure(1)
		}
		ip := clientIP(r)
		if e := s.limiter.failedLoginsExhausted(ip); e != nil {
			return nil, &authFailure{rank: 9, err: e}
		}
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			s.limiter.failedLogin(ip)
			return nil, basicFailure(3)
		}
		name, password, ok := strings.Cut(string(raw), ":")
		if !ok {
			s.limiter.failedLogin(ip)
			return nil, basicFailure(3)
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
			return nil, basicFailure(3)
		}
		return &principal{username: name, role: role}, nil

	case scheme.Type == "http" && strings.EqualFold(scheme.Scheme, "bearer"):
		if strings.EqualFold(word, "Apikey") && s.apiKeyMatches(cred) {
			e := errStatus(http.StatusForbidden, codeAccessDenied, "the API key is not accepted by this operation; log in and use a bearer token")
			return nil, &authFailure{rank: 2, err: e}
		}
		if !strings.EqualFold(word, "Bearer") || cred == "" {
			return nil, unauthorized(1)
		}
		now := s.clock.Now()
		s.mu.RLock()
		sess, ok := s.st.sessions[cred]
		var u *user
		if ok {
			u = s.st.users[sess.user]
		}
		s.mu.RUnlock()
		if !ok || u == nil {
			return nil, unauthorized(3)
		}
		if !now.Before(sess.exp) {
			s.mu.Lock()
			delete(s.st.sessions, cred)
			s.mu.Unlock()
			return nil, unauthorized(3)
		}
		return &principal{username: u.name, role: u.role, token: cred}, nil

	case scheme.Type == "apiKey" && strings.EqualFold(scheme.In, "header") && strings.EqualFold(scheme.Name, "Authorization"):
		if !strings.EqualFold(word, "Apikey") {
			return nil, unauthorized(1)
		}
		if !s.apiKeyMatches(cred) {
			return nil, unauthorized(3)
		}
		return &principal{username: "_apiuser", role: roleAPI, apiKey: true}, nil
	}
	return nil, unauthorized(0)
}

// apiKeyMatches reports whether key is the configured API key.
func (s *Server) apiKeyMatches(key string) bool {
	return s.cfg.apiKey != "" && subtle.ConstantTimeCompare([]byte(key), []byte(s.cfg.apiKey)) == 1
}

// authorize applies the operation's x-wabiz-access: `admin` needs the admin user, `self` the
// admin or the user named by the path, `user` any authenticated caller the security schemes
// admitted (the API key only where the spec lists it), `login` HTTP Basic.
func (s *Server) authorize(o *operation, p *principal, r *http.Request) *apiError {
	if p == nil {
		return nil
	}
	switch o.access {
	case "admin":
		if p.role != gen.UserRoleAdmin {
			return errStatus(http.StatusForbidden, codeAccessDenied, "only the admin user may call %s", o.id)
		}
	case "self":
		if p.role != gen.UserRoleAdmin && r.PathValue("username") != p.username {
			if o.method == http.MethodGet {
				return errStatus(http.StatusForbidden, codeAccessDenied, "Regular user cannot read other user information")
			}
			return errStatus(http.StatusForbidden, codeAccessDenied, "Regular user cannot modify other user")
		}
	}
	return nil
}

// principalFrom returns the caller of the request handled with ctx.
func principalFrom(ctx context.Context) *principal {
	if p := infoFrom(ctx).principal; p != nil {
		return p
	}
	return &principal{}
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

// checkPassword applies the API's password rules and returns what is wrong, or "".
func checkPassword(p string) string {
	if len(p) < 8 || len(p) > 64 {
		return "Password doesn't meet length requirements (8 to 64 characters)"
	}
	var upper, lower, digit, special bool
	for _, c := range p {
		switch {
		case c < '!' || c > '~':
			return "Password contains characters that are not allowed (printable ASCII without spaces only)"
		case unicode.IsUpper(c):
			upper = true
		case unicode.IsLower(c):
			lower = true
		case unicode.IsDigit(c):
			digit = true
		default:
			special = true
		}
	}
	if !upper || !lower || !digit || !special {
		return "Password must contain at least one upper-case letter, one lower-case letter, one digit and one special character"
	}
	return ""
}

// checkUsername applies the API's username rules and returns what is wrong, or "".
func checkUsername(name string) string {
	if len(name) < 4 || len(name) > 32 {
		return "Username doesn't meet length requirements"
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "Username contains prohibited characters"
		}
	}
	if name == "_apiuser" {
		return "Invalid Username"
	}
	return ""
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

// formatExpiresAfter renders a token expiry the way the API does: `2021-09-14 15:29:26+00:00`.
func formatExpiresAfter(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05") + "+00:00"
}
