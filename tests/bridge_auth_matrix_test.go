package tests

import (
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/bridge"
	"github.com/wabiz/wabiz/bridge/store"
	"github.com/wabiz/wabiz/cloud"
	"github.com/wabiz/wabiz/fake"
)

// TestAuthMatrixOnTheBridge runs TestAuthMatrix's matrix against wabridge: the same
// expectations, because the bridge runs the fake's request pipeline over its own users and
// tokens. Operations the Cloud API cannot carry answer 501 after authentication, which the
// matrix counts as "neither 401 nor 403", as it should.
func TestAuthMatrixOnTheBridge(t *testing.T) {
	t.Parallel()
	authMatrix(t, newBridgeMatrixHarness)
}

// matrixClock is the bridge's clock in the matrix; the harness moves it to expire a token.
type matrixClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *matrixClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *matrixClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// newBridgeMatrixHarness builds a bridge in front of the fake's Cloud dialect, on a memory
// store, behind the contract middleware, with the credentials of the matrix: the admin (its
// first password changed to contractAdminPass), an ordinary user, an expired admin token and
// the API key. The group and media ids are placeholders: the matrix asserts authentication
// outcomes only, which come before validation and the handler. Every answer must match
// the spec (the contract middleware checks it), refusals included.
func newBridgeMatrixHarness(t *testing.T) *fuzzHarness {
	t.Helper()
	f := fake.NewTestServer(t, fake.WithLogger(slog.New(slog.DiscardHandler)))
	clk := &matrixClock{now: fuzzStart}
	st, err := store.NewMemory(store.WithClock(clk.Now))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	c, err := cloud.NewClient(fake.DefaultCloudPhoneNumberID, cloud.WithToken(fake.DefaultCloudToken),
		cloud.WithBaseURL(f.URL+"/graph"), cloud.WithHTTPClient(f.Client()), cloud.WithMaxRetries(0))
	require.NoError(t, err)
	b, err := bridge.New(t.Context(), bridge.Config{Cloud: c, Store: st, Now: clk.Now, Logger: slog.New(slog.DiscardHandler)},
		bridge.WithAPIKey(contractAPIKey), bridge.WithPasswordIterations(store.MinPBKDF2Iterations))
	require.NoError(t, err)

	h := &fuzzHarness{log: &errorLog{}, paths: mustSpecView(t).paths,
		group: "120363025246125486@g.us", media: "f043afd0-f0ae-4b9c-ab3d-696fb4c8cd68"}
	h.mw = newContractMiddleware(t, b, nil)
	first := "Basic " + basicCredentials("admin", "secret")
	rec := h.do(t, "POST", "/v1/users/login", first, jsonCT, []byte(`{"new_password":"`+contractAdminPass+`"}`))
	require.Equal(t, http.StatusOK, rec.Code, "%s", rec.Body)
	basic := rawCredentials{}.header(authBasicAdmin)
	h.creds.expired = idFrom(t, h.do(t, "POST", "/v1/users/login", basic, "", nil), "users", "token")
	clk.Advance(fake.TokenLifetime + time.Hour)
	h.creds.admin = idFrom(t, h.do(t, "POST", "/v1/users/login", basic, "", nil), "users", "token")
	rec = h.do(t, "POST", "/v1/users", "Bearer "+h.creds.admin, jsonCT, []byte(`{"username":"table_user","password":"`+contractUserPass+`"}`))
	require.Equal(t, http.StatusCreated, rec.Code, "%s", rec.Body)
	userBasic := "Basic " + basicCredentials("table_user", contractUserPass)
	h.creds.user = idFrom(t, h.do(t, "POST", "/v1/users/login", userBasic, "", nil), "users", "token")
	require.Empty(t, h.mw.takeViolations())
	return h
}
