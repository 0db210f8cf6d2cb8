package cloud

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	cloudgen "github.com/wabiz/wabiz/gen/cloud"
)

// TestAccountWrappers checks method, path, query, body and result of the registration,
// profile and block wrappers.
func TestAccountWrappers(t *testing.T) {
	t.Parallel()
	pn := v + "/" + pnid
	for _, tc := range []struct {
		name, method, path, query, body, resp string
		call                                  func(ctx context.Context, c *Client) (any, error)
		want                                  any
	}{
		{name: "Register_with_backup", method: "POST", path: pn + "/register",
			body: `{"messaging_product":"whatsapp","pin":"520816","backup":{"data":"blob","password":"pw"}}`, resp: `{"success":"true"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.Register(ctx, "520816", &cloudgen.RegistrationBackup{Data: "blob", Password: "pw"})
			}},
		{name: "Register", method: "POST", path: pn + "/register", body: `{"messaging_product":"whatsapp","pin":"520816"}`,
			call: func(ctx context.Context, c *Client) (any, error) { return nil, c.Register(ctx, "520816", nil) }},
		{name: "Deregister", method: "POST", path: pn + "/deregister",
			call: func(ctx context.Context, c *Client) (any, error) { return nil, c.Deregister(ctx) }},
		{name: "RequestVerificationCode", method: "POST", path: pn + "/request_code", body: `{"code_method":"SMS","language":"en_US"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.RequestVerificationCode(ctx, cloudgen.CodeDeliveryCodeMethodSMS, "en_US")
			}},
		{name: "VerifyCode", method: "POST", path: pn + "/verify_code", body: `{"code":"123456"}`,
			call: func(ctx context.Context, c *Client) (any, error) { return nil, c.VerifyCode(ctx, "123456") }},
		{name: "GetBusinessProfile", method: "GET", path: pn + "/whatsapp_business_profile", query: "fields=about%2Cemail",
			resp: `{"data":[{"about":"Hi","email":"a@example.com","messaging_product":"whatsapp"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				p, err := c.GetBusinessProfile(ctx, "about", "email")
				if err != nil {
					return nil, err
				}
				return *p.About + " " + *p.Email, nil
			}, want: "Hi a@example.com"},
		{name: "UpdateBusinessProfile", method: "POST", path: pn + "/whatsapp_business_profile", body: `{"messaging_product":"whatsapp","about":"Open 9-5"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.UpdateBusinessProfile(ctx, cloudgen.BusinessProfileUpdate{About: ptr("Open 9-5")})
			}},
		{name: "ListBlockedUsers", method: "GET", path: pn + "/block_users", query: "limit=2",
			resp: `{"data":[{"messaging_product":"whatsapp","wa_id":"16315551234"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				l, err := c.ListBlockedUsers(ctx, &cloudgen.ListBlockedUsersParams{Limit: ptr(2)})
				if err != nil {
					return nil, err
				}
				return l.Data[0].WaID, nil
			}, want: "16315551234"},
		{name: "BlockUsers", method: "POST", path: pn + "/block_users", body: `{"messaging_product":"whatsapp","block_users":[{"user":"+16315551234"}]}`,
			resp: `{"messaging_product":"whatsapp","block_users":{"added_users":[{"input":"+16315551234","wa_id":"16315551234"}]}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				r, err := c.BlockUsers(ctx, "+16315551234")
				if err != nil {
					return nil, err
				}
				return (*r.AddedUsers)[0].Input, nil
			}, want: "+16315551234"},
		{name: "UnblockUsers", method: "DELETE", path: pn + "/block_users", body: `{"messaging_product":"whatsapp","block_users":[{"user":"16315551234"}]}`,
			resp: `{"messaging_product":"whatsapp","block_users":{"removed_users":[{"input":"16315551234"}]}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				r, err := c.UnblockUsers(ctx, "16315551234")
				if err != nil {
					return nil, err
				}
				return (*r.RemovedUsers)[0].Input, nil
			}, want: "16315551234"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var calls atomic.Int32
			mux.HandleFunc(tc.method+" "+tc.path, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
				assert.Equal(t, tc.query, r.URL.RawQuery)
				got, _ := io.ReadAll(r.Body)
				if tc.body == "" {
					assert.Empty(t, string(got))
				} else {
					assert.JSONEq(t, tc.body, string(got))
				}
				writeJSON(w, 200, cmp.Or(tc.resp, `{"success":true}`))
			})
			got, err := tc.call(t.Context(), c)
			require.NoError(t, err)
			assert.Equal(t, int32(1), calls.Load())
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestAccountArgumentErrors checks the client-side refusals of the account wrappers.
func TestAccountArgumentErrors(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { t.Errorf("unexpected request %s", r.URL.Path) })
	ctx := t.Context()
	var ae *ArgumentError
	assert.ErrorAs(t, c.Register(ctx, "12", nil), &ae)
	assert.ErrorAs(t, c.Register(ctx, "123456", &cloudgen.RegistrationBackup{Data: "x"}), &ae)
	assert.ErrorAs(t, c.RequestVerificationCode(ctx, "FAX", "en"), &ae)
	assert.ErrorAs(t, c.RequestVerificationCode(ctx, cloudgen.CodeDeliveryCodeMethodVOICE, ""), &ae)
	assert.ErrorAs(t, c.VerifyCode(ctx, ""), &ae)
	_, err := c.BlockUsers(ctx)
	assert.ErrorAs(t, err, &ae)
	_, err = c.UnblockUsers(ctx, "")
	assert.ErrorAs(t, err, &ae)
}

// TestSuccessEnvelopeMustSaySuccess checks that a 200 without success true is an error.
func TestSuccessEnvelopeMustSaySuccess(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("POST "+v+"/"+pnid+"/deregister", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"success":false}`)
	})
	assert.ErrorIs(t, c.Deregister(t.Context()), ErrUnexpectedResponse)
}
