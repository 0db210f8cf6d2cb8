package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wabiz/wabiz/bridge/store"
	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// Backup and restore of the bridge's own configuration: the application settings, the webhook
// CA and the users with their password hashes (never passwords; tokens are not kept, a
// restored bridge asks everyone to log in again). The format is the fake's (AES-256-GCM with
// a PBKDF2-SHA256 key, internal/onpremhttp) under the bridge's own magic, so that a fake's
// backup, or a Webapp's, is refused by name rather than as a wrong password.
//
// Meta's migration consumes a Webapp backup once, in POST /{PHONE_NUMBER_ID}/register; that
// blob has no meaning to the bridge, which restores only what it wrote itself.

// bridgeBackupIterations is the PBKDF2 cost of the bridge's backups (OWASP's 2023 figure for
// PBKDF2-HMAC-SHA256, like the fake).
const bridgeBackupIterations = 600000

// bridgeBackup is the plaintext of a backup.
type bridgeBackup struct {
	// Format is the version of this structure.
	Format      int                     `json:"format"`
	CreatedAt   time.Time               `json:"created_at"`
	Application gen.ApplicationSettings `json:"application"`
	WebhookCA   string                  `json:"webhook_ca,omitempty"`
	Users       []backupUser            `json:"users"`
}

type backupUser struct {
	Name               string     `json:"name"`
	PasswordHash       string     `json:"password_hash"`
	Role               store.Role `json:"role"`
	MustChangePassword bool       `json:"must_change_password"`
}

const bridgeBackupFormat = 1

// BackupSettings encrypts the bridge's configuration with the password.
func (b *Bridge) BackupSettings(ctx context.Context, req gen.BackupSettingsRequestObject) (gen.BackupSettingsResponseObject, error) {
	if req.Body == nil || req.Body.Password == "" {
		return nil, onpremhttp.Errorf(onpremhttp.CodeMissingParameter, "Parameter 'password' is required")
	}
	d, err := b.loadSettings(ctx)
	if err != nil {
		return nil, err
	}
	users, err := b.store.Users(ctx)
	if err != nil {
		return nil, fmt.Errorf("bridge: read users: %w", err)
	}
	snap := bridgeBackup{Format: bridgeBackupFormat, CreatedAt: b.now().UTC(), Application: d.app, WebhookCA: d.webhookCA}
	for _, u := range users {
		snap.Users = append(snap.Users, backupUser{Name: u.Name, PasswordHash: u.PasswordHash, Role: u.Role, MustChangePassword: u.MustChangePassword})
	}
	plain, err := json.Marshal(snap)
	if err != nil {
		return nil, err
	}
	data, err := onpremhttp.SealBackup(onpremhttp.BridgeBackupMagic, req.Body.Password, plain, bridgeBackupIterations)
	if err != nil {
		return nil, err
	}
	return gen.BackupSettings200JSONResponse{Body: gen.BackupEnvelope{Settings: gen.BackupPayload{Data: data}, Meta: b.meta}}, nil
}

// RestoreSettings decrypts a backup of a bridge, checks it like a PATCH of the settings, an
// upload of the webhook CA and a creation of each user, and only then applies it: the
// settings and the CA replace the current ones, each user of the backup is created or
// replaced (hash, role, must-change flag). Users that the backup does not name are kept, so a
// restore never locks out the admin who runs it. Backups of a fake or of a Webapp, a wrong
// password and altered data get 400 with code 1009.
func (b *Bridge) RestoreSettings(ctx context.Context, req gen.RestoreSettingsRequestObject) (gen.RestoreSettingsResponseObject, error) {
	if req.Body == nil || req.Body.Password == "" || req.Body.Data == "" {
		return nil, onpremhttp.Errorf(onpremhttp.CodeMissingParameter, "Parameters 'password' and 'data' are required")
	}
	switch onpremhttp.BackupMagic(req.Body.Data, onpremhttp.BridgeBackupMagic, onpremhttp.FakeBackupMagic) {
	case onpremhttp.FakeBackupMagic:
		return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "Unable to restore settings: this is a backup of the wabiz fake, not of wabridge; the bridge restores only its own backups")
	case "":
		return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "Unable to restore settings: this is not a wabridge backup (a backup of a WhatsApp Business API client is used once, by Meta's migration in POST /{PHONE_NUMBER_ID}/register, and cannot be restored into the bridge)")
	}
	plain, err := onpremhttp.OpenBackup(onpremhttp.BridgeBackupMagic, req.Body.Password, req.Body.Data, bridgeBackupIterations)
	if err != nil {
		return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "Unable to restore settings: %v", err)
	}
	var snap bridgeBackup
	if err := json.Unmarshal(plain, &snap); err != nil {
		return nil, onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "Unable to restore settings: the backup does not decode: %v", err)
	}
	if e := checkBackup(&snap); e != nil {
		return nil, e
	}
	app := snap.Application
	app.WaID = nil
	onpremhttp.NormalizeSettings(&app)
	if err := b.updateSettings(ctx, func(d *settingsDoc) error {
		waID := d.app.WaID
		d.app = onpremhttp.CloneSettings(app)
		d.app.WaID = waID
		d.webhookCA = snap.WebhookCA
		return nil
	}); err != nil {
		return nil, err
	}
	for _, u := range snap.Users {
		if err := b.restoreUser(ctx, u); err != nil {
			return nil, err
		}
	}
	return gen.RestoreSettings200JSONResponse{Body: gen.MetaEnvelope{Meta: b.meta}}, nil
}

// checkBackup validates what a restore would write with the rules of the operations that
// write it: a backup is authenticated, not trusted (another build or a hand-made file may
// hold max_concurrent_requests 0, an ftp:// URL or a user without a hash).
func checkBackup(snap *bridgeBackup) *onpremhttp.Error {
	fail := func(format string, args ...any) *onpremhttp.Error {
		return onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "Unable to restore settings: the backup holds invalid settings: %s", fmt.Sprintf(format, args...))
	}
	if snap.Format != bridgeBackupFormat {
		return fail("format %d, this bridge reads format %d", snap.Format, bridgeBackupFormat)
	}
	set := snap.Application
	if _, _, e := onpremhttp.CheckSettingValues(&set, false); e != nil {
		return fail("%s", e.Details)
	}
	if set.PassThrough != nil && *set.PassThrough {
		return fail("%s", onpremhttp.ErrPassThrough().Details)
	}
	if snap.WebhookCA != "" {
		ca := snap.WebhookCA
		if e := checkWebhookCA(&ca); e != nil {
			return fail("webhook CA: %s", e.Details)
		}
	}
	seen := map[string]bool{}
	for i, u := range snap.Users {
		switch {
		case u.Name == "":
			return fail("user %d has no name", i)
		case seen[u.Name]:
			return fail("user %q appears twice", u.Name)
		case u.Role != store.RoleAdmin && u.Role != store.RoleUser:
			return fail("user %q has role %q, want admin or user", u.Name, u.Role)
		}
		if _, err := store.VerifyPassword(u.PasswordHash, ""); err != nil {
			return fail("user %q has no valid password hash", u.Name)
		}
		seen[u.Name] = true
	}
	return nil
}

// restoreUser creates u or replaces the user of that name.
func (b *Bridge) restoreUser(ctx context.Context, u backupUser) error {
	err := b.store.CreateUser(ctx, store.User{Name: u.Name, PasswordHash: u.PasswordHash, Role: u.Role, MustChangePassword: u.MustChangePassword, CreatedAt: b.now()})
	if !errors.Is(err, store.ErrExists) {
		if err != nil {
			return fmt.Errorf("bridge: restore user %q: %w", u.Name, err)
		}
		return nil
	}
	if err := b.store.SetPassword(ctx, u.Name, u.PasswordHash, u.MustChangePassword); err != nil {
		return fmt.Errorf("bridge: restore user %q: %w", u.Name, err)
	}
	if err := b.store.SetRole(ctx, u.Name, u.Role); err != nil {
		return fmt.Errorf("bridge: restore user %q: %w", u.Name, err)
	}
	return nil
}
