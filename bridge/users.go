package bridge

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/wabiz/wabiz/bridge/store"
	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// The bridge's own users and tokens, with the On-Premises rules as the fake implements them:
// the initial admin/secret whose first login must set new_password (401/1024 otherwise), the
// password and username rules, tokens valid for onpremhttp.TokenLifetime on Config.Now,
// logout revoking the request's token, the admin that cannot be deleted, and `self` access
// (enforced by the pipeline from x-wabiz-access). Passwords are PBKDF2 hashes in the store,
// tokens are stored by their SHA-256 only.

// purgeEvery is how often, at most, a login purges the store's expired tokens: often enough
// that the table stays small, rarely enough that logins do not pay for it.
const purgeEvery = time.Hour

// authState is what the bridge keeps in memory about authentication.
type authState struct {
	apiKey     string
	iterations int
	// failed counts failed Basic logins per client address (WithFailedLoginLimit).
	failed      *onpremhttp.Buckets
	failedRate  float64
	failedBurst int

	mu        sync.Mutex
	lastPurge time.Time
}

func newAuthState(o options, now func() time.Time) *authState {
	st := &authState{apiKey: o.apiKey, iterations: o.iterations, failedBurst: o.failedLogins}
	if o.failedLogins > 0 {
		st.failed = onpremhttp.NewBuckets(now)
		st.failedRate = float64(o.failedLogins) / o.failedPer.Seconds()
	}
	return st
}

// hash hashes a password with the bridge's work factor.
func (b *Bridge) hash(password string) (string, error) {
	if b.auth.iterations == store.PBKDF2Iterations {
		return store.HashPassword(password)
	}
	return store.HashPasswordIterations(password, b.auth.iterations)
}

// ensureAdmin creates admin/secret, to be changed at the first login, in a store that has no
// users yet. Another bridge on the same store may win the race; its admin is as good.
func (b *Bridge) ensureAdmin(ctx context.Context) error {
	users, err := b.store.Users(ctx)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return nil
	}
	h, err := b.hash(onpremhttp.DefaultAdminPassword)
	if err != nil {
		return err
	}
	err = b.store.CreateUser(ctx, store.User{Name: onpremhttp.DefaultAdminUser, PasswordHash: h, Role: store.RoleAdmin,
		MustChangePassword: true, CreatedAt: b.now()})
	if err != nil && !errors.Is(err, store.ErrExists) {
		return err
	}
	return nil
}

// storeError turns a store failure into the API's answer; ErrNotFound is the caller's to map.
func (b *Bridge) storeError(op string, err error) *onpremhttp.Error {
	b.log.Error("bridge: store failed", "operation", op, "error", err)
	return onpremhttp.Errorf(onpremhttp.CodeDatabase, "the bridge's store failed")
}

func userNotFound() *onpremhttp.Error {
	return onpremhttp.Errorf(onpremhttp.CodeNotFound, "User does not exist")
}

func apiRole(r store.Role) gen.UserRole {
	if r == store.RoleAdmin {
		return gen.UserRoleAdmin
	}
	return gen.UserRoleUser
}

// authenticator checks credentials against the store for the shared pipeline.
type authenticator struct{ b *Bridge }

func invalidCredentials() *onpremhttp.Error {
	return onpremhttp.Statusf(http.StatusUnauthorized, onpremhttp.CodeAccessDenied, onpremhttp.InvalidCredentials)
}

// Basic checks a user's password against its PBKDF2 hash.
//
// Failed logins are counted per client address (30 an hour by default, as on the Webapp);
// once they are used up, every Basic login from the address gets 429 with Retry-After before
// the password is looked at, so guessing costs the bridge no password hash either.
func (a authenticator) Basic(r *http.Request, name, password string) (*onpremhttp.Principal, *onpremhttp.Error) {
	st := a.b.auth
	if st.failed == nil {
		return a.basic(r, name, password)
	}
	key := onpremhttp.ClientIP(r)
	if ok, wait := st.failed.Take(key, st.failedRate, st.failedBurst, false); !ok {
		return nil, onpremhttp.TooMany(wait, "Rate limiting exceeded on bad login attempts")
	}
	p, e := a.basic(r, name, password)
	if e != nil && e.Status == http.StatusUnauthorized {
		st.failed.Take(key, st.failedRate, st.failedBurst, true)
	}
	return p, e
}

func (a authenticator) basic(r *http.Request, name, password string) (*onpremhttp.Principal, *onpremhttp.Error) {
	if name == "" {
		return nil, invalidCredentials()
	}
	u, err := a.b.store.User(r.Context(), name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalidCredentials()
	}
	if err != nil {
		return nil, a.b.storeError("login", err)
	}
	ok, err := store.VerifyPassword(u.PasswordHash, password)
	if err != nil {
		return nil, a.b.storeError("login", err)
	}
	if !ok {
		return nil, invalidCredentials()
	}
	return &onpremhttp.Principal{Username: u.Name, Role: apiRole(u.Role)}, nil
}

// Bearer checks a token by its hash, and its expiry on Config.Now (the store's own clock
// may differ: tests move Config.Now).
func (a authenticator) Bearer(r *http.Request, token string) (*onpremhttp.Principal, *onpremhttp.Error) {
	b := a.b
	hash := store.HashToken(token)
	t, err := b.store.Token(r.Context(), hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalidCredentials()
	}
	if err != nil {
		return nil, b.storeError("bearer", err)
	}
	if !b.now().Before(t.ExpiresAt) {
		if err := b.store.RevokeToken(r.Context(), hash); err != nil && !errors.Is(err, store.ErrNotFound) {
			b.log.Warn("bridge: revoking an expired token failed", "error", err)
		}
		return nil, invalidCredentials()
	}
	u, err := b.store.User(r.Context(), t.User)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalidCredentials()
	}
	if err != nil {
		return nil, b.storeError("bearer", err)
	}
	return &onpremhttp.Principal{Username: u.Name, Role: apiRole(u.Role), Token: token}, nil
}

// APIKey checks the key of WithAPIKey; without one every key is refused.
func (a authenticator) APIKey(_ *http.Request, key string) (*onpremhttp.Principal, *onpremhttp.Error) {
	want := a.b.auth.apiKey
	if want == "" || subtle.ConstantTimeCompare([]byte(key), []byte(want)) != 1 {
		return nil, invalidCredentials()
	}
	return &onpremhttp.Principal{Username: "_apiuser", Role: onpremhttp.RoleAPI, APIKey: true}, nil
}

// newToken returns a token shaped like the Webapp's JWTs (header.claims.signature), whose
// last part is 32 random bytes: the store keeps only its hash, so nothing needs a signing key.
func newToken(user string, now, exp time.Time) (string, error) {
	nonce := make([]byte, 32)
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	claims, err := json.Marshal(map[string]any{"user": user, "iat": now.Unix(), "exp": exp.Unix()})
	if err != nil {
		return "", err
	}
	return enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims) + "." + enc.EncodeToString(nonce), nil
}

// maybePurge deletes expired tokens at most every purgeEvery, during a login (a DELETE over
// an index: cheap next to the login's password hash), so no goroutine needs stopping.
func (b *Bridge) maybePurge(ctx context.Context, now time.Time) {
	st := b.auth
	st.mu.Lock()
	due := now.Sub(st.lastPurge) >= purgeEvery
	if due {
		st.lastPurge = now
	}
	st.mu.Unlock()
	if !due {
		return
	}
	if n, err := b.store.PurgeExpiredTokens(ctx); err != nil {
		b.log.Warn("bridge: purging expired tokens failed", "error", err)
	} else if n > 0 {
		b.log.Info("bridge: purged expired tokens", "count", n)
	}
}

// Login issues a token valid for 7 days on Config.Now to the user the pipeline authenticated
// with HTTP Basic. With new_password it first changes the password; without it, a user whose
// password must change (the initial admin) gets 401/1024.
func (b *Bridge) Login(ctx context.Context, req gen.LoginRequestObject) (gen.LoginResponseObject, error) {
	p := onpremhttp.PrincipalFrom(ctx)
	u, err := b.store.User(ctx, p.Username)
	if errors.Is(err, store.ErrNotFound) {
		return nil, userNotFound()
	}
	if err != nil {
		return nil, b.storeError("login", err)
	}
	if req.Body != nil && req.Body.NewPassword != nil {
		if msg := onpremhttp.CheckPassword(*req.Body.NewPassword); msg != "" {
			return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "%s", msg)
		}
		h, err := b.hash(*req.Body.NewPassword)
		if err != nil {
			return nil, b.storeError("login", err)
		}
		if err := b.store.SetPassword(ctx, u.Name, h, false); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, userNotFound()
			}
			return nil, b.storeError("login", err)
		}
	} else if u.MustChangePassword {
		return nil, onpremhttp.Statusf(http.StatusUnauthorized, onpremhttp.CodePasswordChange, "Password must be changed")
	}
	now := b.now()
	exp := now.Add(onpremhttp.TokenLifetime)
	tok, err := newToken(u.Name, now, exp)
	if err != nil {
		return nil, b.storeError("login", err)
	}
	if err := b.store.CreateToken(ctx, store.Token{Hash: store.HashToken(tok), User: u.Name, CreatedAt: now, ExpiresAt: exp}); err != nil {
		return nil, b.storeError("login", err)
	}
	b.maybePurge(ctx, now)
	return gen.Login200JSONResponse{Body: gen.LoginEnvelope{
		Users: []gen.LoginToken{{Token: tok, ExpiresAfter: onpremhttp.FormatExpiresAfter(exp)}},
		Meta:  b.meta,
	}}, nil
}

// Logout revokes the token of the request only.
func (b *Bridge) Logout(ctx context.Context, _ gen.LogoutRequestObject) (gen.LogoutResponseObject, error) {
	p := onpremhttp.PrincipalFrom(ctx)
	if p.Token != "" {
		if err := b.store.RevokeToken(ctx, store.HashToken(p.Token)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, b.storeError("logout", err)
		}
	}
	return gen.Logout200JSONResponse{Body: gen.MetaEnvelope{Meta: b.meta}}, nil
}

// CreateUser creates an ordinary user; an existing name gets 500/1014 as on the Webapp.
func (b *Bridge) CreateUser(ctx context.Context, req gen.CreateUserRequestObject) (gen.CreateUserResponseObject, error) {
	if req.Body == nil {
		return nil, onpremhttp.Errorf(onpremhttp.CodeMissingParameter, "Parameter 'username' is required")
	}
	if msg := onpremhttp.CheckUsername(req.Body.Username); msg != "" {
		return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "%s", msg)
	}
	if msg := onpremhttp.CheckPassword(req.Body.Password); msg != "" {
		return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "%s", msg)
	}
	h, err := b.hash(req.Body.Password)
	if err != nil {
		return nil, b.storeError("createUser", err)
	}
	err = b.store.CreateUser(ctx, store.User{Name: req.Body.Username, PasswordHash: h, Role: store.RoleUser, CreatedAt: b.now()})
	if errors.Is(err, store.ErrExists) {
		return nil, onpremhttp.Errorf(onpremhttp.CodeInternal, "Unable to create user. Already exist?")
	}
	if err != nil {
		return nil, b.storeError("createUser", err)
	}
	return gen.CreateUser201JSONResponse{Body: gen.UserEnvelope{Users: []gen.User{{Username: req.Body.Username}}, Meta: b.meta}}, nil
}

// DeleteUser deletes a user and all its tokens; the admin cannot be deleted.
func (b *Bridge) DeleteUser(ctx context.Context, req gen.DeleteUserRequestObject) (gen.DeleteUserResponseObject, error) {
	if req.Username == onpremhttp.DefaultAdminUser {
		return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "Admin user cannot be deleted")
	}
	err := b.store.DeleteUser(ctx, req.Username)
	if errors.Is(err, store.ErrNotFound) {
		return nil, userNotFound()
	}
	if err != nil {
		return nil, b.storeError("deleteUser", err)
	}
	return gen.DeleteUser200JSONResponse{Body: gen.UserEnvelope{Users: []gen.User{{Username: req.Username}}, Meta: b.meta}}, nil
}

// GetUser returns a user and its role (the admin may read anyone, users only themselves).
func (b *Bridge) GetUser(ctx context.Context, req gen.GetUserRequestObject) (gen.GetUserResponseObject, error) {
	u, err := b.store.User(ctx, req.Username)
	if errors.Is(err, store.ErrNotFound) {
		return nil, userNotFound()
	}
	if err != nil {
		return nil, b.storeError("getUser", err)
	}
	role := apiRole(u.Role)
	return gen.GetUser200JSONResponse{Body: gen.UserDetailEnvelope{
		Users: []gen.UserDetail{{Username: u.Name, ROLES: &role}},
		Meta:  b.meta,
	}}, nil
}

// UpdateUser changes a password; existing tokens stay valid, as on the Webapp.
func (b *Bridge) UpdateUser(ctx context.Context, req gen.UpdateUserRequestObject) (gen.UpdateUserResponseObject, error) {
	if req.Body == nil {
		return nil, onpremhttp.Errorf(onpremhttp.CodeMissingParameter, "Parameter 'password' is required")
	}
	if msg := onpremhttp.CheckPassword(req.Body.Password); msg != "" {
		return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "%s", msg)
	}
	h, err := b.hash(req.Body.Password)
	if err != nil {
		return nil, b.storeError("updateUser", err)
	}
	err = b.store.SetPassword(ctx, req.Username, h, false)
	if errors.Is(err, store.ErrNotFound) {
		return nil, userNotFound()
	}
	if err != nil {
		return nil, b.storeError("updateUser", err)
	}
	return gen.UpdateUser200JSONResponse{Body: gen.UserEnvelope{Users: []gen.User{{Username: req.Username}}, Meta: b.meta}}, nil
}
