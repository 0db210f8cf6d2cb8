package tests

import (
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
)

// scenarioUsers: the first login must change the default password; then the user lifecycle.
func scenarioUsers(t *testing.T, cov *coverage) {
	ctx := t.Context()
	f := newFixture(t, cov)

	// Without a new password the first login is refused with 1024, and the client says why.
	_, err := f.client(t, api.WithCredentials("admin", fake.DefaultAdminPassword)).Login(ctx)
	var change *api.PasswordChangeRequiredError
	require.ErrorAs(t, err, &change)
	requireAPIError(t, err, http.StatusUnauthorized, api.CodePasswordChangeRequired)

	// With one, the client changes it during the login and keeps using it.
	admin := f.adminClient(t)
	exp, err := admin.Login(ctx)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now().Add(fake.TokenLifetime), exp, time.Minute)
	_, err = admin.Login(ctx) // a second login uses the new password
	require.NoError(t, err)

	// The default password no longer works; neither does a wrong one.
	_, err = f.client(t, api.WithCredentials("admin", fake.DefaultAdminPassword)).Login(ctx)
	requireAPIError(t, err, http.StatusUnauthorized, api.CodeAccessDenied)
	_, err = f.client(t, api.WithCredentials("admin", "Wrong-Passw0rd!")).Login(ctx)
	requireAPIError(t, err, http.StatusUnauthorized, api.CodeAccessDenied)
	_, err = f.client(t, api.WithCredentials("admin", contractAdminPass)).Login(ctx)
	require.NoError(t, err)

	// createUser: success, a name outside the rules, a user token, and the documented 500 for
	// a name that exists.
	require.NoError(t, admin.CreateUser(ctx, "alice", contractUserPass))
	requireAPIError(t, admin.CreateUser(ctx, "ab", contractUserPass), http.StatusBadRequest, api.CodeInvalidParameter)
	requireAPIError(t, admin.CreateUser(ctx, "bob_user", "weak"), http.StatusBadRequest, api.CodeInvalidParameter)
	requireAPIError(t, admin.CreateUser(ctx, "alice", contractUserPass), http.StatusInternalServerError, 1014)
	alice := f.client(t, api.WithCredentials("alice", contractUserPass))
	requireAPIError(t, alice.CreateUser(ctx, "mallory", contractUserPass), http.StatusForbidden, api.CodeAccessDenied)

	// getUser: the admin reads anyone, a user only itself.
	u, err := admin.GetUser(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, "alice", u.Username)
	require.NotNil(t, u.ROLES)
	assert.Equal(t, gen.UserRoleUser, *u.ROLES)
	u, err = alice.GetUser(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, "alice", u.Username)
	u, err = admin.GetUser(ctx, "admin")
	require.NoError(t, err)
	require.NotNil(t, u.ROLES)
	assert.Equal(t, gen.UserRoleAdmin, *u.ROLES)
	_, err = alice.GetUser(ctx, "admin")
	requireAPIError(t, err, http.StatusForbidden, api.CodeAccessDenied)
	_, err = admin.GetUser(ctx, "nobody")
	requireAPIError(t, err, http.StatusNotFound, api.CodeNotFound)

	// updateUser: a user changes its own password and its client logs in with it from then on.
	const alicePass2 = "Alice-N3w-Pass!"
	require.NoError(t, alice.UpdateUserPassword(ctx, "alice", alicePass2))
	_, err = alice.Login(ctx)
	require.NoError(t, err, "the client must log in with the password it just set")
	requireAPIError(t, admin.UpdateUserPassword(ctx, "alice", "short"), http.StatusBadRequest, api.CodeInvalidParameter)
	requireAPIError(t, alice.UpdateUserPassword(ctx, "admin", alicePass2), http.StatusForbidden, api.CodeAccessDenied)
	requireAPIError(t, admin.UpdateUserPassword(ctx, "nobody", alicePass2), http.StatusNotFound, api.CodeNotFound)

	// logout revokes only that token: the next call logs in again, transparently.
	require.NoError(t, alice.Logout(ctx))
	_, err = alice.GetUser(ctx, "alice")
	require.NoError(t, err)
	requireAPIError(t, f.anonymous(t).Logout(ctx), http.StatusUnauthorized, api.CodeAccessDenied)

	// deleteUser revokes the user's tokens; the admin cannot be deleted.
	require.NoError(t, admin.DeleteUser(ctx, "alice"))
	_, err = alice.GetUser(ctx, "alice")
	requireAPIError(t, err, http.StatusUnauthorized, api.CodeAccessDenied)
	requireAPIError(t, admin.DeleteUser(ctx, "admin"), http.StatusBadRequest, api.CodeInvalidParameter)
	requireAPIError(t, admin.DeleteUser(ctx, "alice"), http.StatusNotFound, api.CodeNotFound)
}

// testCert is a base64 verified-name certificate; the fake reads the display name from it
// unless WithVerifiedName says otherwise.
var testCert = base64.StdEncoding.EncodeToString([]byte("contract-test-certificate"))

// scenarioRegistration registers an unregistered number, then manages shards and two-step
// verification.
func scenarioRegistration(t *testing.T, cov *coverage) {
	ctx := t.Context()
	f := newFixture(t, cov, withFake(fake.WithUnregistered(), fake.WithVerifiedName("Pasta Co")))
	admin := f.adminClient(t)
	user := f.userClient(t, "operator")

	h, err := admin.CheckHealth(ctx)
	require.NoError(t, err)
	require.NotNil(t, h.GatewayStatus)
	assert.Equal(t, gen.GatewayStatusUnregistered, *h.GatewayStatus)
	// Sending before registration: 500 with code 1011, documented by sendMessage.
	_, err = admin.SendText(ctx, contractCustomer, "too early")
	requireAPIError(t, err, http.StatusInternalServerError, 1011)

	reg := gen.AccountRegistration{Cc: "1", PhoneNumber: "6315550000", Method: gen.AccountRegistrationMethodSms, Cert: testCert}
	bad := reg
	bad.Cc = "0"
	_, err = admin.RequestCode(ctx, bad)
	requireAPIError(t, err, http.StatusBadRequest, api.CodeInvalidParameter)
	_, err = user.RequestCode(ctx, reg)
	requireAPIError(t, err, http.StatusForbidden, api.CodeAccessDenied)
	cr, err := admin.RequestCode(ctx, reg)
	require.NoError(t, err)
	assert.False(t, cr.AlreadyRegistered)
	assert.Equal(t, "Pasta Co", cr.VerifiedName)

	requireAPIError(t, admin.VerifyAccount(ctx, "000000"), http.StatusBadRequest, api.CodeInvalidParameter)
	require.NoError(t, admin.VerifyAccount(ctx, fake.DefaultVerificationCode))
	h, err = admin.CheckHealth(ctx)
	require.NoError(t, err)
	assert.Equal(t, gen.GatewayStatusConnected, *h.GatewayStatus)
	cr, err = admin.RequestCode(ctx, reg)
	require.NoError(t, err)
	assert.True(t, cr.AlreadyRegistered, "a registered number answers 201")
	_, err = admin.SendText(ctx, contractCustomer, "registered now")
	require.NoError(t, err)

	// Shards.
	n, err := admin.GetShards(ctx)
	require.NoError(t, err)
	assert.Equal(t, gen.ShardCountN1, n)
	shards := gen.ShardSettings{Cc: "1", PhoneNumber: "6315550000", Cert: testCert, Shards: gen.ShardCountN4}
	require.NoError(t, admin.SetShards(ctx, shards))
	n, err = admin.GetShards(ctx)
	require.NoError(t, err)
	assert.Equal(t, gen.ShardCountN4, n)
	shards.Shards = 3
	requireAPIError(t, admin.SetShards(ctx, shards), http.StatusBadRequest, api.CodeInvalidParameter)
	_, err = user.GetShards(ctx)
	requireAPIError(t, err, http.StatusForbidden, api.CodeAccessDenied)

	// Two-step verification: once on, a new code request needs the PIN.
	requireAPIError(t, admin.EnableTwoStep(ctx, "12"), http.StatusBadRequest, api.CodeInvalidParameter)
	require.NoError(t, admin.EnableTwoStep(ctx, "246810"))
	_, err = admin.RequestCode(ctx, reg)
	requireAPIError(t, err, http.StatusBadRequest, api.CodeRequiredParamMissing)
	withPin := reg
	withPin.Pin = ptr("246810")
	cr, err = admin.RequestCode(ctx, withPin)
	require.NoError(t, err)
	assert.True(t, cr.AlreadyRegistered)
	requireAPIError(t, user.DisableTwoStep(ctx), http.StatusForbidden, api.CodeAccessDenied)
	require.NoError(t, admin.DisableTwoStep(ctx))
	_, err = admin.RequestCode(ctx, reg)
	require.NoError(t, err)
}

// scenarioTokenExpiry: tokens live 7 days on the fake's clock; past that the client gets 401,
// logs in again by itself and replays the request.
func scenarioTokenExpiry(t *testing.T, cov *coverage) {
	ctx := t.Context()
	f := newFixture(t, cov, withManualClock())
	admin := f.adminClient(t)
	_, err := admin.ListGroups(ctx)
	require.NoError(t, err)

	f.clock.Advance(fake.TokenLifetime + time.Minute)
	groups, err := admin.ListGroups(ctx)
	require.NoError(t, err, "the client must log in again transparently")
	assert.Empty(t, groups)
	assert.Equal(t, []string{
		"login 401", "login 200", "listGroups 200", // first login: password change
		"listGroups 401", "login 200", "listGroups 200", // expiry, re-login, replay
	}, f.mw.opLog("login", "listGroups"))
}

// scenarioBackupRestore backs the settings up on one fake and restores them on another,
// unregistered one.
func scenarioBackupRestore(t *testing.T, cov *coverage) {
	ctx := t.Context()
	src := newFixture(t, cov)
	admin := src.adminClient(t)
	const about = "Fresh pasta every day"
	require.NoError(t, admin.UpdateProfileAbout(ctx, about))
	require.NoError(t, admin.UpdateBusinessProfile(ctx, gen.BusinessProfile{
		Description: ptr("Pasta shop"), Websites: &[]string{"https://pasta.example.com"},
	}))
	require.NoError(t, admin.UpdateApplicationSettings(ctx, gen.ApplicationSettings{CallbackBackoffDelayMs: ptrNumber("1500")}))

	const password = "backup-passphrase-42"
	_, err := admin.BackupSettings(ctx, "")
	requireAPIError(t, err, http.StatusBadRequest, api.CodeInvalidParameter)
	_, err = src.userClient(t, "auditor").BackupSettings(ctx, password)
	requireAPIError(t, err, http.StatusForbidden, api.CodeAccessDenied)
	data, err := admin.BackupSettings(ctx, password)
	require.NoError(t, err)
	require.NotEmpty(t, data)

	dst := newFixture(t, cov, withFake(fake.WithUnregistered()))
	dstAdmin := dst.adminClient(t)
	requireAPIError(t, dstAdmin.RestoreSettings(ctx, "wrong-passphrase", data), http.StatusBadRequest, api.CodeInvalidParameter)
	requireAPIError(t, dstAdmin.RestoreSettings(ctx, password, "bm90IGEgYmFja3Vw"), http.StatusBadRequest, api.CodeInvalidParameter)
	require.NoError(t, dstAdmin.RestoreSettings(ctx, password, data))

	got, err := dstAdmin.GetProfileAbout(ctx)
	require.NoError(t, err)
	assert.Equal(t, about, got)
	p, err := dstAdmin.GetBusinessProfile(ctx)
	require.NoError(t, err)
	assert.Equal(t, ptr("Pasta shop"), p.Description)
	set, err := dstAdmin.GetApplicationSettings(ctx)
	require.NoError(t, err)
	require.NotNil(t, set.CallbackBackoffDelayMs)
	assert.Equal(t, "1500", set.CallbackBackoffDelayMs.String())
	h, err := dstAdmin.CheckHealth(ctx)
	require.NoError(t, err)
	assert.Equal(t, gen.GatewayStatusConnected, *h.GatewayStatus, "the restored number is registered")
	requireAPIError(t, dst.userClient(t, "restorer").RestoreSettings(ctx, password, data), http.StatusForbidden, api.CodeAccessDenied)
}

func ptr[T any](v T) *T { return &v }
