package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/fake"
	"github.com/wabiz/wabiz/gen"
)

// orderUpdate is the template the example is written for, as the fake checks it.
func orderUpdate(header string) fake.Template {
	return fake.Template{Namespace: "acme_ns", Name: "order_update", Languages: []string{"en_US"},
		HeaderFormat: header, BodyParams: 3, Buttons: []fake.TemplateButton{
			{Index: 0, SubType: gen.TemplateComponentSubTypeURL},
			{Index: 1, SubType: gen.TemplateComponentSubTypeQuickReply},
		}}
}

// noon is the timestamp the example sends for -delivery 2026-03-14.
var noon = time.Date(2026, 3, 14, 12, 0, 0, 0, time.Local).Unix()

// wantBody is the body component for the flags of the tests.
var wantBody = `{"type":"body","parameters":[
	{"type":"text","text":"Bob"},
	{"type":"currency","currency":{"fallback_value":"1250.50 EUR","code":"EUR","amount_1000":1250500}},
	{"type":"date_time","date_time":{"fallback_value":"March 14, 2026","timestamp":` + jsonInt(noon) + `}}]}`

// wantButtons are the button components for -order A-1042.
const wantButtons = `
	{"type":"button","sub_type":"url","index":0,"parameters":[{"type":"text","text":"orders/A-1042"}]},
	{"type":"button","sub_type":"quick_reply","index":1,"parameters":[{"type":"payload","payload":"track-A-1042"}]}`

func TestSendTemplate(t *testing.T) {
	t.Parallel()
	pngFile := filepath.Join(t.TempDir(), "box.png")
	var img bytes.Buffer
	require.NoError(t, png.Encode(&img, image.NewGray(image.Rect(0, 0, 8, 8))))
	require.NoError(t, os.WriteFile(pngFile, img.Bytes(), 0o600))

	tests := []struct {
		name       string
		header     string // the template's header format
		args       []string
		wantOut    string // regular expression
		wantHeader func(t *testing.T, out string) string
	}{
		{
			name:    "text header",
			header:  "text",
			wantOut: `^template order_update \(en_US\) sent to 447700900123: message id \S+\n$`,
			wantHeader: func(*testing.T, string) string {
				return `{"type":"header","parameters":[{"type":"text","text":"A-1042"}]}`
			},
		},
		{
			name:    "image header",
			header:  "image",
			args:    []string{"-image", pngFile},
			wantOut: `^header image box\.png uploaded: media id \S+\ntemplate order_update \(en_US\) sent to 447700900123: message id \S+\n$`,
			wantHeader: func(t *testing.T, out string) string {
				// The header refers to the image uploaded first.
				m := regexp.MustCompile(`media id (\S+)`).FindStringSubmatch(out)
				require.Len(t, m, 2, out)
				return `{"type":"header","parameters":[{"type":"image","image":{"id":"` + m[1] + `"}}]}`
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := fake.NewTestServer(t, fake.WithTemplates(orderUpdate(tt.header)),
				fake.WithPlainHTTPWebhooks(), fake.WithWebhookURL(fake.NewWebhookRecorder(t).URL))
			env := map[string]string{"WA_BASE_URL": ts.URL, "WA_PASSWORD": fake.DefaultAdminPassword,
				"WA_NEW_PASSWORD": fake.TestAdminNewPassword, "WA_TEMPLATE_NAMESPACE": "acme_ns"}
			args := append([]string{"-to", "+44 7700 900123", "-customer", "Bob", "-order", "A-1042",
				"-amount", "1250.5", "-currency", "EUR", "-delivery", "2026-03-14"}, tt.args...)
			var out bytes.Buffer
			require.NoError(t, run(t.Context(), args, getenv(env), &out))
			assert.Regexp(t, tt.wantOut, out.String())

			sent := ts.SentMessages()
			require.Len(t, sent, 1)
			assert.Equal(t, "447700900123", sent[0].To)
			got, err := json.Marshal(sent[0].Message.Template)
			require.NoError(t, err)
			assert.JSONEq(t, `{"namespace":"acme_ns","name":"order_update",
				"language":{"code":"en_US","policy":"deterministic"},
				"components":[`+tt.wantHeader(t, out.String())+`,`+wantBody+`,`+wantButtons+`]}`, string(got))
		})
	}
}

// TestSendTemplateRejected checks that the server's verdict on a template that does not match
// the approved one reaches the user with its code.
func TestSendTemplateRejected(t *testing.T) {
	t.Parallel()
	ts := fake.NewTestServer(t, fake.WithTemplates(orderUpdate("text")), fake.WithPlainHTTPWebhooks(), fake.WithWebhookURL(fake.NewWebhookRecorder(t).URL))
	env := map[string]string{"WA_BASE_URL": ts.URL, "WA_PASSWORD": fake.DefaultAdminPassword,
		"WA_NEW_PASSWORD": fake.TestAdminNewPassword}
	err := run(t.Context(), []string{"-to", "16315551234", "-namespace", "acme_ns", "-template", "order_shipped"}, getenv(env), &bytes.Buffer{})
	assert.ErrorContains(t, err, "sending template order_shipped (en_US): wabiz: sendMessage: POST /v1/messages: 404 Not Found: 2001")
	assert.Empty(t, ts.SentMessages())
}

func TestDryRun(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	args := []string{"-dry-run", "-to", "+44 7700 900123", "-customer", "Bob", "-order", "A-1042",
		"-amount", "1250.5", "-currency", "EUR", "-delivery", "2026-03-14", "-image", "photos/box.png"}
	require.NoError(t, run(t.Context(), args, getenv(nil), &out))
	body, ok := strings.CutPrefix(out.String(), "POST /v1/messages\n")
	require.True(t, ok, out.String())
	assert.JSONEq(t, `{"to":"447700900123","type":"template","template":{"namespace":"<your namespace>",
		"name":"order_update","language":{"code":"en_US","policy":"deterministic"},"components":[
		{"type":"header","parameters":[{"type":"image","image":{"id":"<media id of box.png, uploaded when sending>"}}]},
		`+wantBody+`,`+wantButtons+`]}}`, body)
}

func TestParseFlags(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 30, 18, 0, 0, 0, time.Local)
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(t *testing.T, o options)
		wantErr string
	}{
		{name: "defaults from the environment", env: map[string]string{"WA_TO": "+1 (631) 555-1234", "WA_TEMPLATE_NAMESPACE": "ns"},
			check: func(t *testing.T, o options) {
				assert.Equal(t, "16315551234", o.to)
				assert.Equal(t, "ns", o.namespace)
				assert.Equal(t, 10990, o.amount1000)
				assert.Equal(t, time.Date(2026, 6, 1, 12, 0, 0, 0, time.Local), o.delivery, "two days later, at noon")
			}},
		{name: "flags win", args: []string{"-to", "447700900123", "-namespace", "other"},
			env: map[string]string{"WA_TO": "16315551234", "WA_TEMPLATE_NAMESPACE": "ns"},
			check: func(t *testing.T, o options) {
				assert.Equal(t, "447700900123", o.to)
				assert.Equal(t, "other", o.namespace)
			}},
		{name: "no recipient", args: []string{"-namespace", "ns"}, wantErr: "-to (or WA_TO) is required"},
		{name: "no namespace", args: []string{"-to", "1"}, wantErr: "-namespace"},
		{name: "bad amount", args: []string{"-to", "1", "-namespace", "ns", "-amount", "ten"}, wantErr: "-amount"},
		{name: "negative amount", args: []string{"-to", "1", "-namespace", "ns", "-amount", "-1"}, wantErr: "-amount"},
		{name: "bad date", args: []string{"-to", "1", "-namespace", "ns", "-delivery", "14/03/2026"}, wantErr: "-delivery"},
		{name: "stray argument", args: []string{"-to", "1", "-namespace", "ns", "extra"}, wantErr: "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseFlags(tt.args, getenv(tt.env), now)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.check(t, o)
		})
	}
}

func TestNewClientNeedsServer(t *testing.T) {
	t.Parallel()
	err := run(t.Context(), []string{"-to", "1", "-namespace", "ns"}, getenv(nil), &bytes.Buffer{})
	assert.ErrorContains(t, err, "WA_BASE_URL and WA_PASSWORD are required")
}

func getenv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
