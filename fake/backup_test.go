package fake

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

// testBackupIterations is the KDF cost of the fakes of these tests: 600,000 rounds take
// seconds under the race detector.
const testBackupIterations = 1000

// withBackupIterations sets the KDF cost of backups (the only cost restore accepts).
func withBackupIterations(n uint32) Option {
	return func(cfg *config) error {
		cfg.backupIterations = n
		return nil
	}
}

// backupOf returns the backup of h's settings after edit changed its snapshot, sealed at iter
// PBKDF2 rounds: what a hand-made or foreign backup file can hold.
func backupOf(t *testing.T, h *harness, password string, iter uint32, edit func(*backupSnapshot)) string {
	t.Helper()
	r := h.send("POST", "/v1/settings/backup", gen.BackupPassword{Password: password})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var env gen.BackupEnvelope
	r.decode(t, &env)
	plain, err := openBackup(password, env.Settings.Data, testBackupIterations)
	require.NoError(t, err)
	var snap backupSnapshot
	require.NoError(t, json.Unmarshal(plain, &snap))
	edit(&snap)
	plain, err = json.Marshal(snap)
	require.NoError(t, err)
	data, err := sealBackup(password, plain, iter)
	require.NoError(t, err)
	return data
}

func TestRestoreValidatesSettingsLikePatch(t *testing.T) {
	t.Parallel()
	const pw = "Backup-Pass1!"
	for _, c := range []struct {
		name string
		edit func(*backupSnapshot)
	}{
		{"max_concurrent_requests 0 would stop delivery", func(s *backupSnapshot) {
			s.Settings.Webhooks.MaxConcurrentRequests = ptr(gen.ApplicationWebhookSettingsMaxConcurrentRequests(0))
		}},
		{"ftp webhook URL", func(s *backupSnapshot) { s.Settings.Webhooks.URL = ptr("ftp://x") }},
		{"negative back-off", func(s *backupSnapshot) { s.Settings.CallbackBackoffDelayMs = ptr(json.Number("-5")) }},
		{"zero heartbeat", func(s *backupSnapshot) { s.Settings.HeartbeatInterval = ptr(0) }},
		{"unknown auto-download type", func(s *backupSnapshot) {
			s.Settings.Media.AutoDownload = &[]gen.AutoDownloadMediaType{"hologram"}
		}},
		{"pass_through on", func(s *backupSnapshot) { s.Settings.PassThrough = ptr(true) }},
		{"about over 139 characters", func(s *backupSnapshot) { s.About = string(make([]rune, 140)) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a := newHarness(t, withBackupIterations(testBackupIterations))
			data := backupOf(t, a, pw, testBackupIterations, c.edit)
			b := newHarness(t, withBackupIterations(testBackupIterations))
			before := appSettings(t, b)
			d := requireError(t, b.send("POST", "/v1/settings/restore", gen.EncryptedBackup{Password: pw, Data: data}), 400, codeInvalidParameter)
			assert.Contains(t, *d.Details, "invalid settings")
			assert.Equal(t, before, appSettings(t, b), "nothing was restored")
			assert.Equal(t, 6, b.srv.WebhookStats().MaxConcurrent)
		})
	}
	t.Run("valid backup still restores", func(t *testing.T) {
		t.Parallel()
		a := newHarness(t, withBackupIterations(testBackupIterations))
		data := backupOf(t, a, pw, testBackupIterations, func(s *backupSnapshot) {
			s.Settings.Webhooks.MaxConcurrentRequests = ptr(gen.ApplicationWebhookSettingsMaxConcurrentRequestsN12)
		})
		b := newHarness(t, withBackupIterations(testBackupIterations))
		require.Equal(t, http.StatusOK, b.send("POST", "/v1/settings/restore", gen.EncryptedBackup{Password: pw, Data: data}).status)
		assert.Equal(t, 12, b.srv.WebhookStats().MaxConcurrent)
	})
}

// TestRestoreAcceptsOnlyTheFakesOwnKDFCost proves that the iteration count in the header is
// not honoured: a backup sealed with the right password at another cost (which the old check,
// any count from 100,000 to 10,000,000, accepted) is refused before any key is derived.
func TestRestoreAcceptsOnlyTheFakesOwnKDFCost(t *testing.T) {
	t.Parallel()
	const pw = "Backup-Pass1!"
	h := newHarness(t, withBackupIterations(testBackupIterations))
	data := backupOf(t, h, pw, 100000, func(*backupSnapshot) {})
	_, err := openBackup(pw, data, testBackupIterations)
	assert.ErrorIs(t, err, errBadBackup)
	requireError(t, h.send("POST", "/v1/settings/restore", gen.EncryptedBackup{Password: pw, Data: data}), 400, codeInvalidParameter)
	own := backupOf(t, h, pw, testBackupIterations, func(*backupSnapshot) {})
	assert.Equal(t, http.StatusOK, h.send("POST", "/v1/settings/restore", gen.EncryptedBackup{Password: pw, Data: own}).status)
}
