package fake

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// Backup format: internal/onpremhttp's (AES-256-GCM with a PBKDF2-SHA256 key), which the
// bridge shares, under the fake's magic.
const (
	backupMagic      = onpremhttp.FakeBackupMagic
	backupIterations = 600000
)

// backupSnapshot is what a backup holds: the settings, not messages, media or callbacks.
type backupSnapshot struct {
	Registered   bool                    `json:"registered"`
	CC           string                  `json:"cc,omitempty"`
	Phone        string                  `json:"phone,omitempty"`
	VName        string                  `json:"vname,omitempty"`
	Shards       gen.ShardCount          `json:"shards"`
	TwoStepPIN   string                  `json:"two_step_pin,omitempty"`
	Settings     gen.ApplicationSettings `json:"settings"`
	Providers    []gen.MediaProvider     `json:"providers,omitempty"`
	Profile      gen.BusinessProfile     `json:"profile"`
	VerticalSet  bool                    `json:"vertical_set,omitempty"`
	About        string                  `json:"about"`
	Photo        []byte                  `json:"photo,omitempty"`
	PhotoType    string                  `json:"photo_type,omitempty"`
	ExternalCert []byte                  `json:"external_cert,omitempty"`
	ExternalCA   []byte                  `json:"external_ca,omitempty"`
	WebhookCA    []byte                  `json:"webhook_ca,omitempty"`
}

var errBadBackup = onpremhttp.ErrBadBackup

// encryptBackup seals plaintext with a key derived from password at the fake's KDF cost.
func encryptBackup(password string, plaintext []byte) (string, error) {
	return sealBackup(password, plaintext, backupIterations)
}

// sealBackup seals plaintext with a key derived from password in iter PBKDF2 rounds.
func sealBackup(password string, plaintext []byte, iter uint32) (string, error) {
	return onpremhttp.SealBackup(backupMagic, password, plaintext, iter)
}

// decryptBackup opens data at the fake's own KDF cost only.
func decryptBackup(password, data string) ([]byte, error) {
	return openBackup(password, data, backupIterations)
}

// openBackup opens data sealed at exactly iter PBKDF2 rounds.
func openBackup(password, data string, want uint32) ([]byte, error) {
	return onpremhttp.OpenBackup(backupMagic, password, data, want)
}

// BackupSettings encrypts the settings with the password (AES-256-GCM, PBKDF2-SHA256 key).
// Like the real client it needs a registered number (500/1011 otherwise).
func (s *Server) BackupSettings(_ context.Context, req gen.BackupSettingsRequestObject) (gen.BackupSettingsResponseObject, error) {
	if req.Body == nil || req.Body.Password == "" {
		return nil, errf(codeMissingParameter, "Parameter 'password' is required")
	}
	s.mu.RLock()
	st := s.st
	if !st.registered {
		s.mu.RUnlock()
		return nil, errf(codeServiceNotReady, "backups work only on a registered client")
	}
	snap := backupSnapshot{
		Registered: st.registered, CC: st.cc, Phone: st.phone, VName: st.vname, Shards: st.shards,
		TwoStepPIN: st.twoStepPIN, Settings: cloneSettings(st.settings), Providers: slices.Clone(st.providers),
		Profile: st.profile, VerticalSet: st.verticalSet, About: st.about,
		ExternalCert: st.externalCert, ExternalCA: st.externalCA, WebhookCA: st.webhookCA,
	}
	if st.photo != nil {
		snap.Photo, snap.PhotoType = st.photo.data, st.photo.contentType
	}
	plain, err := json.Marshal(snap)
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	data, err := sealBackup(req.Body.Password, plain, s.cfg.backupIterations)
	if err != nil {
		return nil, err
	}
	return gen.BackupSettings200JSONResponse{Body: gen.BackupEnvelope{Settings: gen.BackupPayload{Data: data}, Meta: s.meta}}, nil
}

// RestoreSettings decrypts a backup (from this or any other fake) and applies its settings; an
// unregistered fake becomes registered with the backup's number. A wrong password or altered
// data gets 400 with code 1009.
func (s *Server) RestoreSettings(_ context.Context, req gen.RestoreSettingsRequestObject) (gen.RestoreSettingsResponseObject, error) {
	if req.Body == nil || req.Body.Password == "" || req.Body.Data == "" {
		return nil, errf(codeMissingParameter, "Parameters 'password' and 'data' are required")
	}
	plain, err := openBackup(req.Body.Password, req.Body.Data, s.cfg.backupIterations)
	if err != nil {
		return nil, errf(codeInvalidParameter, "Unable to restore settings: %v", err)
	}
	var snap backupSnapshot
	if err := json.Unmarshal(plain, &snap); err != nil {
		return nil, errf(codeInvalidParameter, "Unable to restore settings: %v", errBadBackup)
	}
	if e := s.checkSnapshot(&snap); e != nil {
		return nil, e
	}
	s.mu.Lock()
	st := s.st
	if snap.Registered {
		st.registered, st.cc, st.phone, st.vname = true, snap.CC, snap.Phone, snap.VName
		st.waID = snap.CC + snap.Phone
		st.health = gen.GatewayStatusConnected
		st.registeredAt = s.clock.Now()
		st.pending = nil
	}
	if snap.Shards.Valid() {
		st.shards = snap.Shards
	}
	st.twoStepPIN = snap.TwoStepPIN
	st.settings = snap.Settings
	if st.registered {
		st.settings.WaID = ptr(st.waID)
	}
	normalizeSettings(&st.settings)
	st.providers = snap.Providers
	st.profile, st.verticalSet, st.about = snap.Profile, snap.VerticalSet, snap.About
	st.photo = nil
	if len(snap.Photo) > 0 {
		b := &blob{data: snap.Photo, contentType: snap.PhotoType, sha: sha256Hex(snap.Photo)}
		st.photo = b
		st.cdn[b.sha] = b
	}
	s.pruneCDNLocked() // the photo the backup replaced
	st.externalCert, st.externalCA, st.webhookCA = snap.ExternalCert, snap.ExternalCA, snap.WebhookCA
	set := st.settings
	ca := st.webhookCA
	s.resumeParkedLocked()
	s.mu.Unlock()
	s.hooks.setCA(ca)
	s.hooks.configure(set)
	return gen.RestoreSettings200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// normalizeSettings fills the settings a backup of another build may lack with the defaults
// (the shared rule of internal/onpremhttp).
func normalizeSettings(set *gen.ApplicationSettings) { onpremhttp.NormalizeSettings(set) }

// checkSnapshot validates what a backup would restore with the rules of the operations that
// set it: the application settings against the body schema of PATCH /v1/settings/application
// in the spec and its value checks (a backup is only authenticated, not trusted: another build
// or a hand-made file may hold `max_concurrent_requests: 0`, which would stop delivery, or an
// `ftp://` URL), the shard count and the about text.
func (s *Server) checkSnapshot(snap *backupSnapshot) *apiError {
	fail := func(e *apiError) *apiError {
		return errf(codeInvalidParameter, "Unable to restore settings: the backup holds invalid settings: %s", e.Details)
	}
	set := snap.Settings
	set.WaID = nil // read-only: the restored value is replaced by the number's own
	if e := s.checkSettingsSchema(&set); e != nil {
		return fail(e)
	}
	if _, _, e := checkSettingValues(&set, s.cfg.plainHTTPWebhooks); e != nil {
		return fail(e)
	}
	if set.PassThrough != nil && *set.PassThrough {
		return fail(fromShared(onpremhttp.ErrPassThrough()))
	}
	if snap.Shards != 0 && !snap.Shards.Valid() {
		return fail(errf(codeInvalidParameter, "Parameter 'shards' must be one of 1, 2, 4, 8, 16, 32"))
	}
	if len([]rune(snap.About)) > 139 {
		return fail(errf(codeInvalidParameter, "Parameter 'text' is longer than 139 characters"))
	}
	return nil
}

// checkSettingsSchema validates settings against the request body schema of
// updateApplicationSettings, as the request pipeline validates a PATCH.
func (s *Server) checkSettingsSchema(set *gen.ApplicationSettings) *apiError {
	o := s.ops["updateApplicationSettings"]
	if o == nil || o.spec.RequestBody == nil || o.spec.RequestBody.Value == nil {
		return errf(codeInvalidParameter, "the spec has no body schema for updateApplicationSettings")
	}
	mt := o.spec.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return errf(codeInvalidParameter, "the spec has no JSON body schema for updateApplicationSettings")
	}
	raw, err := json.Marshal(set)
	if err != nil {
		return errf(codeInvalidParameter, "the settings cannot be encoded: %v", err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return errf(codeInvalidParameter, "the settings cannot be decoded: %v", err)
	}
	opts := append([]openapi3.SchemaValidationOption{openapi3.VisitAsRequest(), openapi3.MultiErrors()}, o.filterOpts.SchemaValidationOptions...)
	if err := mt.Schema.Value.VisitJSON(v, opts...); err != nil {
		var me openapi3.MultiError
		if errors.As(err, &me) && len(me) > 0 {
			err = me[0]
		}
		var se *openapi3.SchemaError
		if errors.As(err, &se) {
			return onpremhttp.MapSchemaError(o.Operation, se)
		}
		return errf(codeInvalidParameter, "the settings do not match the schema: %v", err)
	}
	return nil
}
