package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
)

// testDelays keep the status webhooks of the fake quick, so that the flow takes well under a
// second.
var testDelays = fake.StatusDelays{Sent: 5 * time.Millisecond, Delivered: 5 * time.Millisecond, Read: 5 * time.Millisecond}

// duration matches the timing at the end of a transcript line.
const duration = `\s+(\d+\.\dms|\d+ms|[\d.]+s)`

// TestQuickstart runs `make demo`'s flow against the in-process fake and checks the
// transcript line by line, then the fake's record of what happened.
func TestQuickstart(t *testing.T) {
	t.Parallel()
	var srv *fake.Server
	var out bytes.Buffer
	err := run(t.Context(), config{StatusDelays: testDelays, onFake: func(s *fake.Server) { srv = s }}, &out)
	require.NoError(t, err, out.String())

	want := []string{
		`wabiz quickstart against the in-process fake https://127\.0\.0\.1:\d+ \(HTTPS, CA generated at start\)`,
		``,
		`✓  1/11 login     admin, password changed on first login` + duration,
		`✓  2/11 health    unregistered → registered \+1 6315551019 "Wabiz Demo", connected` + duration,
		`✓  3/11 webhook   webhooks\.url = http://127\.0\.0\.1:\d+/webhook, all statuses on` + duration,
		`✓  4/11 contact   \+1 631 555 1234 is on WhatsApp as 16315551234` + duration,
		`✓  5/11 upload    \d+-byte PNG drawn in code, media id \S+` + duration,
		`✓  6/11 text      sent, id \S+` + duration,
		`✓  7/11 image     sent, id \S+` + duration,
		`✓  8/11 template  quickstart_hello \(en_US\) sent, id \S+` + duration,
		`✓  9/11 statuses  sent, delivered and read for text, image, template` + duration,
		`✓ 10/11 reply     "Got it, thanks!" from Ana \(16315551234\), marked read` + duration,
		`✓ 11/11 download  \d+ bytes image/png, identical to the upload \(sha256 [0-9a-f]{8}…\)` + duration,
		``,
		`All 11 steps passed in ` + strings.TrimPrefix(duration, `\s+`) + `\.`,
	}
	assertLines(t, want, out.String())

	// What the fake saw: three messages that went all the way to read, and a reply marked read.
	require.NotNil(t, srv)
	sent := srv.SentMessages()
	require.Len(t, sent, 3)
	for i, typ := range []string{"text", "image", "template"} {
		assert.Equal(t, typ, sent[i].Type)
		assert.Equal(t, "16315551234", sent[i].To)
		var statuses []string
		for _, s := range sent[i].Statuses {
			assert.True(t, s.Notified, "%s status %s not delivered to the webhook", typ, s.Status)
			statuses = append(statuses, s.Status)
		}
		assert.Equal(t, []string{"sent", "delivered", "read"}, statuses, typ)
	}
	require.NotNil(t, sent[1].Message.Image)
	require.NotNil(t, sent[1].Message.Image.ID)
	inbound := srv.InboundMessages()
	require.Len(t, inbound, 1)
	assert.True(t, inbound[0].Read, "the reply is marked read")
	assert.Equal(t, sent[0].ID, *inbound[0].Message.Context.ID, "the reply quotes the text message")
}

// TestQuickstartFailure checks that a failing step stops the flow with an error naming it and
// a ✗ line in the transcript.
func TestQuickstartFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		prepare func(t *testing.T, s *fake.Server)
		line    string // the ✗ line, as a regular expression
		err     string
	}{
		{
			name: "upload refused",
			prepare: func(t *testing.T, s *fake.Server) {
				_, err := s.InjectFault(fake.Fault{OperationID: "uploadMedia", Status: 500, Details: "disk full"})
				require.NoError(t, err)
			},
			line: `✗  5/11 upload    wabiz: uploadMedia: POST /v1/media: 500 .*disk full`,
			err:  "step 5/11 (upload) failed",
		},
		{
			name: "message failed",
			prepare: func(t *testing.T, s *fake.Server) {
				require.NoError(t, s.SetRecipient("16315551234", fake.RecipientBehavior{FailWith: 470}))
			},
			// All three fail; which status arrives first is up to the webhook's concurrency.
			line: `✗  9/11 statuses  the (text|image|template) message \S+ failed: 470 `,
			err:  "step 9/11 (statuses) failed",
		},
		{
			name: "never read",
			prepare: func(t *testing.T, s *fake.Server) {
				require.NoError(t, s.SetRecipient("16315551234", fake.RecipientBehavior{NeverReads: true}))
			},
			line: `✗  9/11 statuses  timed out after 1s \(so far text: sent, delivered; image: sent, delivered; template: sent, delivered\)`,
			err:  "step 9/11 (statuses) failed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			cfg := config{StatusDelays: testDelays, StatusTimeout: time.Second,
				onFake: func(s *fake.Server) { tt.prepare(t, s) }}
			err := run(t.Context(), cfg, &out)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
			assert.Regexp(t, `(?m)^`+tt.line, out.String())
			assert.NotContains(t, out.String(), "All 11 steps passed")
		})
	}
}

// TestQuickstartAgainstServer runs the flow as against a real deployment (a fake served by
// NewTestServer stands in for it): registration with a code typed by the user, a webhook URL
// in place before the run and restored after it, and a reply the customer sends once the
// program asks for it.
func TestQuickstartAgainstServer(t *testing.T) {
	t.Parallel()
	const previousURL = "http://127.0.0.1:9/previous-receiver"
	// Without keep-alive the fake leaves no idle connection to the receiver behind, which its
	// graceful shutdown would wait for.
	hooks := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	ts := fake.NewTestServer(t, fake.WithPlainHTTPWebhooks(), fake.WithUnregistered(), fake.WithVerifiedName("Acme Support"),
		fake.WithStatusDelays(testDelays), fake.WithWebhookURL(previousURL), fake.WithWebhookHTTPClient(hooks))

	var asked []string
	cfg := config{
		BaseURL:  ts.URL,
		Username: "admin", Password: fake.DefaultAdminPassword, NewPassword: "Acme-Admin#2026",
		To:                "+44 7700 900123",
		WebhookListen:     "127.0.0.1:0",
		TemplateNamespace: "acme_ns", TemplateName: "order_ready", TemplateLanguage: "en_GB",
		TemplateParams: []string{"Bob", "A-1042"},
		StatusTimeout:  5 * time.Second, ReplyTimeout: 5 * time.Second,
		Registration: gen.AccountRegistration{Cc: "44", PhoneNumber: "7700900001",
			Cert: base64.StdEncoding.EncodeToString([]byte("cert")), Method: gen.AccountRegistrationMethodVoice},
		AskCode: func(_ context.Context, prompt string) (string, error) {
			asked = append(asked, prompt)
			return fake.DefaultVerificationCode, nil
		},
	}
	// The customer replies when the program asks, as a person reading the transcript would.
	out := &promptWatcher{prompt: "→ On the phone of +44 7700 900123", onPrompt: func() {
		_, err := ts.InjectInbound(fake.Inbound{ProfileName: "Bob", Message: gen.InboundMessage{
			From: "447700900123", Type: "text", Text: &gen.InboundText{Body: "Thanks!"}}})
		assert.NoError(t, err)
	}}
	err := run(t.Context(), cfg, out)
	require.NoError(t, err, out.String())

	assert.Equal(t, []string{`code sent by voice to +44 7700900001 for "Acme Support"`}, asked)
	assertLines(t, []string{
		`wabiz quickstart against http://127\.0\.0\.1:\d+, customer \+44 7700 900123`,
		``,
		`✓  1/11 login     admin, password changed on first login` + duration,
		`✓  2/11 health    unregistered → registered \+44 7700900001 "Acme Support", connected` + duration,
		`✓  3/11 webhook   webhooks\.url = http://127\.0\.0\.1:\d+/webhook, all statuses on` + duration,
		`✓  4/11 contact   \+44 7700 900123 is on WhatsApp as 447700900123` + duration,
		`✓  5/11 upload    .*` + duration,
		`✓  6/11 text      sent, id \S+` + duration,
		`✓  7/11 image     sent, id \S+` + duration,
		`✓  8/11 template  order_ready \(en_GB\) sent, id \S+` + duration,
		`  → On the phone of \+44 7700 900123, open the chat and reply to the business \(waiting up to 5s\)\.`,
		`✓  9/11 statuses  sent, delivered and read for text, image, template` + duration,
		`✓ 10/11 reply     "Thanks!" from Bob \(447700900123\), marked read` + duration,
		`✓ 11/11 download  .*` + duration,
		``,
		`All 11 steps passed in .*\.`,
		`  · webhook settings restored \(webhooks\.url = "` + regexp.QuoteMeta(previousURL) + `"\)`,
	}, out.String())

	tpl := ts.SentMessages()[2].Message.Template
	require.NotNil(t, tpl)
	assert.Equal(t, "acme_ns", tpl.Namespace)
	assert.Equal(t, "order_ready", tpl.Name)

	// The deployment is left as it was found, apart from the new password.
	client, err := api.NewClient(ts.URL, api.WithCredentials("admin", "Acme-Admin#2026"))
	require.NoError(t, err)
	settings, err := client.GetApplicationSettings(t.Context())
	require.NoError(t, err)
	assert.Equal(t, previousURL, *settings.Webhooks.URL)
	assert.False(t, *settings.Webhooks.Message.Sent, "sent statuses are off again, as by default")
	assert.True(t, ts.InboundMessages()[0].Read)
}

// TestLogin covers the first-login cases: a password to change, none given, a password changed
// by an earlier run, and an account with no change pending.
func TestLogin(t *testing.T) {
	t.Parallel()
	const newPassword = "Acme-Admin#2026"
	tests := []struct {
		name        string
		server      []fake.Option
		password    string
		newPassword string
		want        string
		wantErr     string
	}{
		{name: "first login", password: fake.DefaultAdminPassword, newPassword: newPassword,
			want: "admin, password changed on first login"},
		{name: "first login without a new password", password: fake.DefaultAdminPassword,
			wantErr: "set WA_NEW_PASSWORD"},
		{name: "second run", server: []fake.Option{fake.WithAdminPassword(newPassword)},
			password: fake.DefaultAdminPassword, newPassword: newPassword,
			want: "admin, password already changed by an earlier run"},
		{name: "no change pending", server: []fake.Option{fake.WithAdminPassword(newPassword)},
			password: newPassword, newPassword: "Other-Pass#2026", want: "admin, no password change needed"},
		{name: "wrong password", server: []fake.Option{fake.WithAdminPassword(newPassword)},
			password: "Wrong-Pass#1", wantErr: "401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := fake.NewTestServer(t, tt.server...)
			f := &flow{baseURL: ts.URL, cfg: config{Username: "admin", Password: tt.password, NewPassword: tt.newPassword}}
			got, err := f.login(t.Context())
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			_, err = f.client.CheckHealth(t.Context())
			assert.NoError(t, err, "the client is logged in")
		})
	}
}

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	full := map[string]string{
		"WA_BASE_URL": "https://wa.example.com:9090", "WA_PASSWORD": " pass word ", "WA_TO": "+1 631 555 1234",
		"WA_WEBHOOK_PUBLIC_URL": "https://hooks.example.com/wa", "WA_TEMPLATE_NAMESPACE": "ns",
		"WA_TEMPLATE_NAME": "hello_world", "WA_CA_FILE": "ca.pem",
	}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range full {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	readFile := func(name string) ([]byte, error) {
		if name == "ca.pem" {
			return []byte("PEM"), nil
		}
		return nil, errors.New("no such file")
	}
	tests := []struct {
		name    string
		env     map[string]string
		check   func(t *testing.T, c config)
		wantErr string
	}{
		{name: "no base URL: the fake", env: map[string]string{"WA_TO": "ignored"}, check: func(t *testing.T, c config) {
			assert.Empty(t, c.BaseURL)
			assert.Empty(t, c.To)
			assert.Equal(t, demoStatusDelays, c.StatusDelays)
		}},
		{name: "defaults", env: full, check: func(t *testing.T, c config) {
			assert.Equal(t, "admin", c.Username)
			assert.Equal(t, " pass word ", c.Password, "passwords are not trimmed")
			assert.Equal(t, ":8080", c.WebhookListen)
			assert.Equal(t, "en_US", c.TemplateLanguage)
			assert.Empty(t, c.TemplateParams)
			assert.Equal(t, 2*time.Minute, c.ReplyTimeout)
			assert.Equal(t, 2*time.Minute, c.StatusTimeout)
			assert.Equal(t, gen.AccountRegistrationMethodSms, c.Registration.Method)
			assert.Equal(t, []byte("PEM"), c.CACertPEM)
		}},
		{name: "everything", env: with(map[string]string{
			"WA_USERNAME": "ops", "WA_NEW_PASSWORD": "N3w-pass!", "WA_WEBHOOK_LISTEN": "0.0.0.0:9000",
			"WA_TEMPLATE_LANGUAGE": "pt_BR", "WA_TEMPLATE_PARAMS": "Ana, 58213", "WA_REPLY_TIMEOUT": "30s",
			"WA_CC": "1", "WA_PHONE": "6315550000", "WA_CERT": "Q0VSVA==", "WA_REG_METHOD": "VOICE", "WA_REG_CODE": "123-456",
		}), check: func(t *testing.T, c config) {
			assert.Equal(t, "ops", c.Username)
			assert.Equal(t, "N3w-pass!", c.NewPassword)
			assert.Equal(t, "0.0.0.0:9000", c.WebhookListen)
			assert.Equal(t, []string{"Ana", "58213"}, c.TemplateParams)
			assert.Equal(t, 30*time.Second, c.ReplyTimeout)
			assert.Equal(t, gen.AccountRegistration{Cc: "1", PhoneNumber: "6315550000", Cert: "Q0VSVA==",
				Method: gen.AccountRegistrationMethodVoice}, c.Registration)
			assert.Equal(t, "123-456", c.RegistrationCode)
		}},
		{name: "missing", env: map[string]string{"WA_BASE_URL": "https://wa"},
			wantErr: "WA_PASSWORD, WA_TO, WA_WEBHOOK_PUBLIC_URL, WA_TEMPLATE_NAMESPACE, WA_TEMPLATE_NAME"},
		{name: "webhook URL without scheme", env: with(map[string]string{"WA_WEBHOOK_PUBLIC_URL": "hooks.example.com/wa"}), wantErr: "https://"},
		{name: "plain HTTP webhook, for wafake", env: with(map[string]string{"WA_WEBHOOK_PUBLIC_URL": "http://127.0.0.1:8080/wa"}),
			check: func(t *testing.T, c config) { assert.Equal(t, "http://127.0.0.1:8080/wa", c.WebhookPublicURL) }},
		{name: "bad method", env: with(map[string]string{"WA_REG_METHOD": "fax"}), wantErr: "sms or voice"},
		{name: "bad timeout", env: with(map[string]string{"WA_REPLY_TIMEOUT": "soon"}), wantErr: "WA_REPLY_TIMEOUT"},
		{name: "missing CA file", env: with(map[string]string{"WA_CA_FILE": "nope.pem"}), wantErr: "WA_CA_FILE: no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := configFromEnv(func(k string) string { return tt.env[k] }, readFile)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.check(t, c)
		})
	}
}

func TestDemoPNG(t *testing.T) {
	t.Parallel()
	img := demoPNG()
	contentType, _, err := api.DetectContentType(bytes.NewReader(img))
	require.NoError(t, err)
	assert.Equal(t, "image/png", contentType)
	assert.Equal(t, img, demoPNG(), "the image is the same on every run")
	assert.Less(t, len(img), 4096)
}

// assertLines matches each line of got against the regular expression at the same index.
func assertLines(t *testing.T, want []string, got string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	for i, w := range want {
		if !assert.Less(t, i, len(lines), "missing line %d: %s\n%s", i+1, w, got) {
			return
		}
		assert.Regexp(t, `^`+w+`$`, lines[i], "line %d\n%s", i+1, got)
	}
	assert.Len(t, lines, len(want), got)
}

// promptWatcher records the transcript and calls onPrompt once, when a line holding prompt has
// been written.
type promptWatcher struct {
	prompt   string
	onPrompt func()

	mu    sync.Mutex
	buf   bytes.Buffer
	fired bool
}

func (w *promptWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	n, _ := w.buf.Write(p)
	fire := !w.fired && strings.Contains(w.buf.String(), w.prompt)
	w.fired = w.fired || fire
	w.mu.Unlock()
	if fire {
		w.onPrompt()
	}
	return n, nil
}

func (w *promptWatcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func TestGatewayStatus(t *testing.T) {
	t.Parallel()
	status := func(s gen.GatewayStatus) *gen.GatewayStatus { return &s }
	tests := []struct {
		name   string
		health gen.Health
		want   gen.GatewayStatus
	}{
		{"single instance", gen.Health{GatewayStatus: status(gen.GatewayStatusUnregistered)}, gen.GatewayStatusUnregistered},
		{"cluster with a connected node", gen.Health{AdditionalProperties: map[string]gen.HealthNode{
			"a:1": {GatewayStatus: status(gen.GatewayStatusDisconnected)},
			"b:2": {GatewayStatus: status(gen.GatewayStatusConnected)},
			"c:3": {},
		}}, gen.GatewayStatusConnected},
		{"cluster of unregistered nodes", gen.Health{AdditionalProperties: map[string]gen.HealthNode{
			"a:1": {GatewayStatus: status(gen.GatewayStatusUnregistered)},
		}}, gen.GatewayStatusUnregistered},
		{"nothing readable", gen.Health{}, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, gatewayStatus(&tt.health))
		})
	}
}

func TestMs(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		420 * time.Microsecond:  "0.4ms",
		9500 * time.Microsecond: "9.5ms",
		243 * time.Millisecond:  "243ms",
		3305 * time.Millisecond: "3.31s",
	} {
		assert.Equal(t, want, ms(d), d)
	}
}
