package bridge_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/bridge"
	"github.com/wabiz/wabiz/bridge/store"
	"github.com/wabiz/wabiz/cloud"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
)

// testClock is a clock the tests move; the bridge and its store share it.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *testClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

var testStart = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// testBridge is a bridge in front of the fake's Cloud dialect, on a memory store, served
// over loopback.
type testBridge struct {
	*bridge.Bridge
	URL   string
	clock *testClock
	store store.Store
}

func newTestBridge(t *testing.T, cfg bridge.Config, opts ...bridge.Option) *testBridge {
	t.Helper()
	f := fake.NewTestServer(t)
	clk := &testClock{now: testStart}
	st, err := store.NewMemory(store.WithClock(clk.Now))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	c, err := cloud.NewClient(fake.DefaultCloudPhoneNumberID, cloud.WithToken(fake.DefaultCloudToken),
		cloud.WithBaseURL(f.URL+"/graph"), cloud.WithHTTPClient(f.Client()), cloud.WithMaxRetries(0))
	require.NoError(t, err)
	cfg.Cloud, cfg.Store, cfg.Now = c, st, clk.Now
	b, err := bridge.New(t.Context(), cfg, append([]bridge.Option{bridge.WithPasswordIterations(store.MinPBKDF2Iterations)}, opts...)...)
	require.NoError(t, err)
	hs := httptest.NewServer(b)
	t.Cleanup(hs.Close)
	return &testBridge{Bridge: b, URL: hs.URL, clock: clk, store: st}
}

type result struct {
	status int
	header http.Header
	body   []byte
}

func (r result) code(t *testing.T) (int, string) {
	t.Helper()
	var env gen.ErrorEnvelope
	require.NoError(t, json.Unmarshal(r.body, &env), "%d %s", r.status, r.body)
	require.NotEmpty(t, env.Errors, "%d %s", r.status, r.body)
	d := ""
	if env.Errors[0].Details != nil {
		d = *env.Errors[0].Details
	}
	return env.Errors[0].Code, d
}

func (tb *testBridge) do(t *testing.T, method, path, authz, body string) result {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, tb.URL+path, bytes.NewReader([]byte(body)))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(res.Body)
	return result{status: res.StatusCode, header: res.Header, body: buf.Bytes()}
}

func basic(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// login logs in and returns the token.
func (tb *testBridge) login(t *testing.T, user, password, newPassword string) string {
	t.Helper()
	body := ""
	if newPassword != "" {
		body = `{"new_password":"` + newPassword + `"}`
	}
	r := tb.do(t, "POST", "/v1/users/login", basic(user, password), body)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var env gen.LoginEnvelope
	require.NoError(t, json.Unmarshal(r.body, &env))
	require.Len(t, env.Users, 1)
	return env.Users[0].Token
}

const adminPass = "Adm1n-Passw0rd!"

func TestFirstAdminLoginMustSetNewPassword(t *testing.T) {
	t.Parallel()
	tb := newTestBridge(t, bridge.Config{})
	steps := []struct {
		name     string
		authz    string
		body     string
		status   int
		code     int
		details  string
		expected string // expires_after of a 200
	}{
		{"default password without new_password", basic("admin", "secret"), "", 401, 1024, "Password must be changed", ""},
		{"empty body", basic("admin", "secret"), `{}`, 401, 1024, "Password must be changed", ""},
		// The spec's password pattern is checked by validation, before the handler's rules.
		{"weak new password", basic("admin", "secret"), `{"new_password":"weakpassword"}`, 400, 1009, `regular expression "[A-Z]"`, ""},
		{"short new password", basic("admin", "secret"), `{"new_password":"Ab1!"}`, 400, 1009, "minimum string length is 8", ""},
		{"good new password", basic("admin", "secret"), `{"new_password":"` + adminPass + `"}`, 200, 0, "", "2026-01-12 09:00:00+00:00"},
		{"old password", basic("admin", "secret"), "", 401, 1005, "Missing or invalid authentication credentials", ""},
		{"new password", basic("admin", adminPass), "", 200, 0, "", "2026-01-12 09:00:00+00:00"},
		{"unknown user", basic("nobody", adminPass), "", 401, 1005, "Missing or invalid authentication credentials", ""},
	}
	for _, s := range steps { // in order: each step depends on the previous ones
		r := tb.do(t, "POST", "/v1/users/login", s.authz, s.body)
		require.Equal(t, s.status, r.status, "%s: %s", s.name, r.body)
		if s.status != http.StatusOK {
			code, details := r.code(t)
			assert.Equal(t, s.code, code, s.name)
			assert.Contains(t, details, s.details, s.name)
			if s.status == http.StatusUnauthorized && s.code == 1005 {
				assert.Equal(t, `Basic realm="WhatsApp Business API"`, r.header.Get("WWW-Authenticate"), s.name)
			}
			continue
		}
		var env gen.LoginEnvelope
		require.NoError(t, json.Unmarshal(r.body, &env), s.name)
		require.Len(t, env.Users, 1, s.name)
		assert.Equal(t, s.expected, env.Users[0].ExpiresAfter, s.name)
		assert.Regexp(t, `^[\w-]+\.[\w-]+\.[\w-]+$`, env.Users[0].Token, s.name)
		require.NotNil(t, env.Meta, s.name)
		assert.Equal(t, "wabridge-dev", *env.Meta.Version, s.name)
		assert.Equal(t, gen.MetaAPIStatusStable, *env.Meta.APIStatus, s.name)
	}
}

func TestAPIClientChangesFirstPasswordAndLogsInAgainAfterExpiry(t *testing.T) {
	t.Parallel()
	tb := newTestBridge(t, bridge.Config{})
	c, err := api.NewClient(tb.URL, api.WithCredentials("admin", "secret"), api.WithNewPassword(adminPass), api.WithMaxRetries(0))
	require.NoError(t, err)
	ctx := t.Context()
	exp, err := c.Login(ctx)
	require.NoError(t, err)
	assert.True(t, c.PasswordChanged())
	assert.Equal(t, testStart.Add(7*24*time.Hour), exp.UTC())

	u, err := c.GetUser(ctx, "admin")
	require.NoError(t, err)
	require.NotNil(t, u.ROLES)
	assert.Equal(t, gen.UserRoleAdmin, *u.ROLES)

	// The token expires on the bridge's clock; the client's next call gets 401 and logs in
	// again with the new password.
	tb.clock.Advance(7*24*time.Hour + time.Minute)
	require.NoError(t, c.CreateUser(ctx, "alice", "Al1ce-Passw0rd!"))
	u, err = c.GetUser(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, gen.UserRoleUser, *u.ROLES)

	alice, err := api.NewClient(tb.URL, api.WithCredentials("alice", "Al1ce-Passw0rd!"), api.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = alice.GetUser(ctx, "admin")
	var ae *api.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusForbidden, ae.StatusCode)
	require.NoError(t, alice.UpdateUserPassword(ctx, "alice", "Al1ce-Passw0rd-2!"))
	require.NoError(t, alice.Logout(ctx))
}

func TestUsersFollowTheOnPremisesRules(t *testing.T) {
	t.Parallel()
	tb := newTestBridge(t, bridge.Config{})
	admin := "Bearer " + tb.login(t, "admin", "secret", adminPass)
	r := tb.do(t, "POST", "/v1/users", admin, `{"username":"table_user","password":"Us3r-Passw0rd!"}`)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	user := "Bearer " + tb.login(t, "table_user", "Us3r-Passw0rd!", "")
	cases := []struct {
		name, method, path, authz, body string
		status, code                    int
		details                         string
	}{
		{"duplicate user", "POST", "/v1/users", admin, `{"username":"table_user","password":"Us3r-Passw0rd!"}`, 500, 1014, "Unable to create user. Already exist?"},
		// Validation against the spec answers these before the handler's own rules.
		{"username with a space", "POST", "/v1/users", admin, `{"username":"bad user","password":"Us3r-Passw0rd!"}`, 400, 1009, "Parameter 'username' is not valid"},
		{"reserved username", "POST", "/v1/users", admin, `{"username":"_apiuser","password":"Us3r-Passw0rd!"}`, 400, 1009, "Parameter 'username' is not valid"},
		{"weak password", "POST", "/v1/users", admin, `{"username":"other_user","password":"password"}`, 400, 1009, `regular expression "[A-Z]"`},
		{"user creates user", "POST", "/v1/users", user, `{"username":"other_user","password":"Us3r-Passw0rd!"}`, 403, 1005, "only the admin user may call createUser"},
		{"user reads self", "GET", "/v1/users/table_user", user, "", 200, 0, ""},
		{"user reads admin", "GET", "/v1/users/admin", user, "", 403, 1005, "Regular user cannot read other user information"},
		{"user changes admin", "PUT", "/v1/users/admin", user, `{"password":"Adm1n-Passw0rd-2!"}`, 403, 1005, "Regular user cannot modify other user"},
		{"admin reads missing", "GET", "/v1/users/nobody", admin, "", 404, 1006, "User does not exist"},
		{"admin changes missing", "PUT", "/v1/users/nobody", admin, `{"password":"Adm1n-Passw0rd-2!"}`, 404, 1006, "User does not exist"},
		{"admin deletes admin", "DELETE", "/v1/users/admin", admin, "", 400, 1009, "Admin user cannot be deleted"},
		{"admin deletes missing", "DELETE", "/v1/users/nobody", admin, "", 404, 1006, "User does not exist"},
		{"API key without WithAPIKey", "GET", "/v1/users/admin", "Apikey some-long-api-key", "", 401, 1005, "Missing or invalid authentication credentials"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := tb.do(t, c.method, c.path, c.authz, c.body)
			require.Equal(t, c.status, r.status, "%s", r.body)
			if c.status >= 400 {
				code, details := r.code(t)
				assert.Equal(t, c.code, code)
				assert.Contains(t, details, c.details)
			}
		})
	}
}

func TestDeletingAUserRevokesItsTokens(t *testing.T) {
	t.Parallel()
	tb := newTestBridge(t, bridge.Config{})
	admin := "Bearer " + tb.login(t, "admin", "secret", adminPass)
	require.Equal(t, http.StatusCreated, tb.do(t, "POST", "/v1/users", admin, `{"username":"gone_user","password":"Us3r-Passw0rd!"}`).status)
	user := "Bearer " + tb.login(t, "gone_user", "Us3r-Passw0rd!", "")
	require.Equal(t, http.StatusOK, tb.do(t, "GET", "/v1/users/gone_user", user, "").status)
	require.Equal(t, http.StatusOK, tb.do(t, "DELETE", "/v1/users/gone_user", admin, "").status)
	assert.Equal(t, http.StatusUnauthorized, tb.do(t, "GET", "/v1/users/gone_user", user, "").status)
	r := tb.do(t, "POST", "/v1/users/login", basic("gone_user", "Us3r-Passw0rd!"), "")
	assert.Equal(t, http.StatusUnauthorized, r.status)
}

func TestPasswordChangeKeepsTokensAndRefusesTheOldPassword(t *testing.T) {
	t.Parallel()
	tb := newTestBridge(t, bridge.Config{})
	admin := "Bearer " + tb.login(t, "admin", "secret", adminPass)
	require.Equal(t, http.StatusOK, tb.do(t, "PUT", "/v1/users/admin", admin, `{"password":"Adm1n-Passw0rd-2!"}`).status)
	assert.Equal(t, http.StatusOK, tb.do(t, "GET", "/v1/users/admin", admin, "").status, "tokens stay valid")
	assert.Equal(t, http.StatusUnauthorized, tb.do(t, "POST", "/v1/users/login", basic("admin", adminPass), "").status)
	tb.login(t, "admin", "Adm1n-Passw0rd-2!", "")
}

func TestLogoutRevokesOnlyTheTokenOfTheRequest(t *testing.T) {
	t.Parallel()
	tb := newTestBridge(t, bridge.Config{})
	first := "Bearer " + tb.login(t, "admin", "secret", adminPass)
	second := "Bearer " + tb.login(t, "admin", adminPass, "")
	require.Equal(t, http.StatusOK, tb.do(t, "POST", "/v1/users/logout", first, "").status)
	r := tb.do(t, "GET", "/v1/users/admin", first, "")
	assert.Equal(t, http.StatusUnauthorized, r.status)
	code, _ := r.code(t)
	assert.Equal(t, 1005, code)
	assert.Equal(t, http.StatusOK, tb.do(t, "GET", "/v1/users/admin", second, "").status)
}

func TestTokensExpireAfterSevenDaysAndArePurged(t *testing.T) {
	t.Parallel()
	tb := newTestBridge(t, bridge.Config{})
	tok := tb.login(t, "admin", "secret", adminPass)
	tb.clock.Advance(7*24*time.Hour - time.Second)
	assert.Equal(t, http.StatusOK, tb.do(t, "GET", "/v1/users/admin", "Bearer "+tok, "").status, "valid until its expiry")
	stale := tb.login(t, "admin", adminPass, "") // issued just before the first expires
	tb.clock.Advance(time.Second)
	assert.Equal(t, http.StatusUnauthorized, tb.do(t, "GET", "/v1/users/admin", "Bearer "+tok, "").status, "expired at 7 days")
	tb.clock.Advance(8 * 24 * time.Hour)
	tb.login(t, "admin", adminPass, "") // a login more than an hour after the last purge purges
	err := tb.store.RevokeToken(context.Background(), store.HashToken(stale))
	assert.ErrorIs(t, err, store.ErrNotFound, "the expired token is purged from the store")
}

func TestAPIKeyOnlyWithWithAPIKey(t *testing.T) {
	t.Parallel()
	const key = "bridge-api-key-0001"
	with := newTestBridge(t, bridge.Config{}, bridge.WithAPIKey(key))
	without := newTestBridge(t, bridge.Config{})
	// getUser takes bearer tokens only: a valid key is 403 there, an unknown one 401.
	r := with.do(t, "GET", "/v1/users/admin", "Apikey "+key, "")
	assert.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
	assert.Equal(t, http.StatusUnauthorized, without.do(t, "GET", "/v1/users/admin", "Apikey "+key, "").status)
	// checkHealth lists the API key: it passes authentication (whatever the handler answers).
	assert.NotContains(t, []int{401, 403}, with.do(t, "GET", "/v1/health", "Apikey "+key, "").status)
	assert.Equal(t, http.StatusUnauthorized, without.do(t, "GET", "/v1/health", "Apikey "+key, "").status)
}

// stubRelay answers 299 so that a test sees the relay was reached.
type stubRelay struct{}

func (stubRelay) ServeHTTP(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(299) }

func (stubRelay) Admit(context.Context) error { return nil }

func TestRelayIsServedAtThePathOfPublicURL(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, publicURL, path string
	}{
		{"PublicURL's path", "https://bridge.example.com/meta/hook", "/meta/hook"},
		{"default path", "", bridge.DefaultWebhookPath},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tb := newTestBridge(t, bridge.Config{PublicURL: c.publicURL, Relay: stubRelay{}})
			assert.Equal(t, 299, tb.do(t, "POST", c.path, "", "").status)
			assert.Equal(t, 299, tb.do(t, "GET", c.path+"?hub.mode=subscribe", "", "").status)
			r := tb.do(t, "POST", c.path+"/below", "", "")
			assert.Equal(t, http.StatusNotFound, r.status)
			code, _ := r.code(t)
			assert.Equal(t, 1006, code)
		})
	}
}

func TestNewRefusesBadConfigAndOptions(t *testing.T) {
	t.Parallel()
	st, err := store.NewMemory()
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	c, err := cloud.NewClient(fake.DefaultCloudPhoneNumberID, cloud.WithToken(fake.DefaultCloudToken), cloud.WithBaseURL("http://127.0.0.1:1"))
	require.NoError(t, err)
	good := bridge.Config{Cloud: c, Store: st}
	for _, tc := range []struct {
		name string
		cfg  bridge.Config
		opts []bridge.Option
	}{
		{"no cloud", bridge.Config{Store: st}, nil},
		{"no store", bridge.Config{Cloud: c}, nil},
		{"short API key", good, []bridge.Option{bridge.WithAPIKey("short")}},
		{"API key with a space", good, []bridge.Option{bridge.WithAPIKey("a key with spaces")}},
		{"too few iterations", good, []bridge.Option{bridge.WithPasswordIterations(10)}},
		{"nil option", good, []bridge.Option{nil}},
		{"relative PublicURL", bridge.Config{Cloud: c, Store: st, Relay: stubRelay{}, PublicURL: "/hook"}, nil},
		{"PublicURL without path", bridge.Config{Cloud: c, Store: st, Relay: stubRelay{}, PublicURL: "https://bridge.example.com"}, nil},
		{"PublicURL on the API", bridge.Config{Cloud: c, Store: st, Relay: stubRelay{}, PublicURL: "https://bridge.example.com/v1/messages"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := bridge.New(t.Context(), tc.cfg, tc.opts...)
			assert.Error(t, err)
		})
	}
}

func TestInitialAdminIsCreatedOnlyInAnEmptyStore(t *testing.T) {
	t.Parallel()
	st, err := store.NewMemory()
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	h, err := store.HashPasswordIterations("Own3r-Passw0rd!", store.MinPBKDF2Iterations)
	require.NoError(t, err)
	require.NoError(t, st.CreateUser(t.Context(), store.User{Name: "owner", PasswordHash: h, Role: store.RoleAdmin}))
	c, err := cloud.NewClient(fake.DefaultCloudPhoneNumberID, cloud.WithToken(fake.DefaultCloudToken), cloud.WithBaseURL("http://127.0.0.1:1"))
	require.NoError(t, err)
	_, err = bridge.New(t.Context(), bridge.Config{Cloud: c, Store: st}, bridge.WithPasswordIterations(store.MinPBKDF2Iterations))
	require.NoError(t, err)
	_, err = st.User(t.Context(), "admin")
	assert.ErrorIs(t, err, store.ErrNotFound)

	empty, err := store.NewMemory()
	require.NoError(t, err)
	t.Cleanup(func() { _ = empty.Close() })
	_, err = bridge.New(t.Context(), bridge.Config{Cloud: c, Store: empty}, bridge.WithPasswordIterations(store.MinPBKDF2Iterations))
	require.NoError(t, err)
	u, err := empty.User(t.Context(), "admin")
	require.NoError(t, err)
	assert.True(t, u.MustChangePassword)
	assert.Equal(t, store.RoleAdmin, u.Role)
	ok, err := store.VerifyPassword(u.PasswordHash, "secret")
	require.NoError(t, err)
	assert.True(t, ok)
}

// TestFailedLoginsAreLimitedPerAddress checks the Webapp's failed-login limit: once an address
// used up its failed logins, even the right password gets 429 with Retry-After (the password
// is not even hashed), other addresses are unaffected, and a token comes back with time.
func TestFailedLoginsAreLimitedPerAddress(t *testing.T) {
	t.Parallel()
	tb := newTestBridge(t, bridge.Config{}, bridge.WithFailedLoginLimit(3, time.Hour))
	tb.login(t, "admin", "secret", adminPass)
	for i := range 3 {
		r := tb.do(t, "POST", "/v1/users/login", basic("admin", "wrong-"+string(rune('a'+i))), "")
		require.Equal(t, http.StatusUnauthorized, r.status, "failed login %d", i+1)
	}
	r := tb.do(t, "POST", "/v1/users/login", basic("admin", adminPass), "")
	require.Equal(t, http.StatusTooManyRequests, r.status, "%s", r.body)
	code, details := r.code(t)
	assert.Equal(t, 1015, code)
	assert.Contains(t, details, "bad login attempts")
	assert.Equal(t, "1200", r.header.Get("Retry-After"), "3 an hour: one every 20 minutes")

	// Another address still logs in.
	req := httptest.NewRequest("POST", "/v1/users/login", nil)
	req.RemoteAddr = "192.0.2.7:41000"
	req.Header.Set("Authorization", basic("admin", adminPass))
	rec := httptest.NewRecorder()
	tb.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())

	// One failed login comes back every 20 minutes: a good login then passes, and one more
	// failure uses the regained allowance up again.
	tb.clock.Advance(20 * time.Minute)
	tb.login(t, "admin", adminPass, "")
	require.Equal(t, http.StatusUnauthorized, tb.do(t, "POST", "/v1/users/login", basic("admin", "wrong"), "").status)
	require.Equal(t, http.StatusTooManyRequests, tb.do(t, "POST", "/v1/users/login", basic("admin", adminPass), "").status)
}

func TestFailedLoginLimitCanBeTurnedOffAndRefusesNonsense(t *testing.T) {
	t.Parallel()
	tb := newTestBridge(t, bridge.Config{}, bridge.WithFailedLoginLimit(0, 0))
	tb.login(t, "admin", "secret", adminPass)
	for range 40 {
		require.Equal(t, http.StatusUnauthorized, tb.do(t, "POST", "/v1/users/login", basic("admin", "wrong"), "").status)
	}
	tb.login(t, "admin", adminPass, "")
	st, err := store.NewMemory()
	require.NoError(t, err)
	defer st.Close()
	c, err := cloud.NewClient("1", cloud.WithToken("t"))
	require.NoError(t, err)
	for _, o := range []bridge.Option{bridge.WithFailedLoginLimit(-1, time.Hour), bridge.WithFailedLoginLimit(5, 0)} {
		_, err := bridge.New(t.Context(), bridge.Config{Cloud: c, Store: st}, o)
		assert.ErrorContains(t, err, "WithFailedLoginLimit")
	}
}
