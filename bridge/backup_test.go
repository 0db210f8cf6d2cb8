package bridge

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/bridge/store"
	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

func TestBackupRestoresSettingsAndUsersIntoAnotherBridge(t *testing.T) {
	t.Parallel()
	src, srcStore := newConfigBridge(t)
	require.NoError(t, patch(t, src, `{"webhooks":{"url":"https://hooks.example.com/wa"},"log_level":"debug"}`))
	hash, err := store.HashPassword("S3cret-pass!")
	require.NoError(t, err)
	require.NoError(t, srcStore.CreateUser(t.Context(), store.User{Name: "ops", PasswordHash: hash, Role: store.RoleUser}))
	resp, err := src.BackupSettings(t.Context(), gen.BackupSettingsRequestObject{Body: &gen.BackupSettingsJSONRequestBody{Password: "pw"}})
	require.NoError(t, err)
	data := resp.(gen.BackupSettings200JSONResponse).Body.Settings.Data

	dst, dstStore := newConfigBridge(t)
	_, err = dst.RestoreSettings(t.Context(), gen.RestoreSettingsRequestObject{Body: &gen.RestoreSettingsJSONRequestBody{Password: "wrong", Data: data}})
	var e *onpremhttp.Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, 400, e.Status)

	_, err = dst.RestoreSettings(t.Context(), gen.RestoreSettingsRequestObject{Body: &gen.RestoreSettingsJSONRequestBody{Password: "pw", Data: data}})
	require.NoError(t, err)
	assert.Equal(t, getSettings(t, src), getSettings(t, dst))
	u, err := dstStore.User(t.Context(), "ops")
	require.NoError(t, err)
	assert.Equal(t, hash, u.PasswordHash)
}

func TestRestoreRefusesAFakeOrWebappBackupByName(t *testing.T) {
	t.Parallel()
	b, _ := newConfigBridge(t)
	fakeData, err := onpremhttp.SealBackup(onpremhttp.FakeBackupMagic, "pw", []byte(`{}`), 1)
	require.NoError(t, err)
	for name, c := range map[string]struct{ data, want string }{
		"fake":   {fakeData, "backup of the wabiz fake"},
		"webapp": {"b3BhcXVlIHdlYmFwcCBibG9i", "not a wabridge backup"},
	} {
		_, err := b.RestoreSettings(t.Context(), gen.RestoreSettingsRequestObject{Body: &gen.RestoreSettingsJSONRequestBody{Password: "pw", Data: c.data}})
		var e *onpremhttp.Error
		require.True(t, errors.As(err, &e), name)
		assert.Equal(t, 400, e.Status, name)
		assert.Contains(t, e.Details, c.want, name)
	}
}
