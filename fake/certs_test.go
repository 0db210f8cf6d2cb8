package fake

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func pemOf(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func pemBlock(typ, body string) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: []byte(body)}))
}

func TestExternalCertificate(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	requireError(t, h.get("/v1/certificates/external/ca"), 404, codeNotFound)

	bundle := pemBlock("PRIVATE KEY", "key") + pemBlock("CERTIFICATE", "server") + pemBlock("CERTIFICATE", "intermediate")
	upload := func(body string) *resp {
		return h.do(req{method: "POST", path: "/v1/certificates/external", token: h.admin, body: body, contentType: "text/plain"})
	}
	requireError(t, upload(pemBlock("PRIVATE KEY", "key")+pemBlock("CERTIFICATE", "server")), 400, codeInvalidParameter)
	requireError(t, upload(pemBlock("CERTIFICATE", "a")+pemBlock("CERTIFICATE", "b")+pemBlock("CERTIFICATE", "c")), 400, codeInvalidParameter)
	requireError(t, upload(""), 400, codeInvalidParameter)
	requireError(t, upload("not pem at all"), 400, codeInvalidParameter)
	require.Equal(t, http.StatusCreated, upload(bundle).status)

	user := h.userToken("reader")
	r := h.do(req{method: "GET", path: "/v1/certificates/external/ca", token: user})
	require.Equal(t, http.StatusOK, r.status, "any user may download the CA")
	assert.Equal(t, "text/plain", r.header.Get("Content-Type"))
	assert.Equal(t, "attachment; filename=ca.pem", r.header.Get("Content-Disposition"))
	assert.Equal(t, pemBlock("CERTIFICATE", "intermediate"), string(r.body))
	requireError(t, h.do(req{method: "POST", path: "/v1/certificates/external", token: user, body: bundle, contentType: "text/plain"}), 403, codeAccessDenied)
}

func TestWebhookCACertificate(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	requireError(t, h.get("/v1/certificates/webhooks/ca"), 404, codeNotFound)
	ca := pemBlock("CERTIFICATE", "ca1") + pemBlock("CERTIFICATE", "ca2")
	up := func(body, ct string) *resp {
		return h.do(req{method: "POST", path: "/v1/certificates/webhooks/ca", token: h.admin, body: body, contentType: ct})
	}
	requireError(t, up(ca, "text/plain; charset=utf-8"), 400, codeInvalidParameter)
	requireError(t, up(ca, "application/x-pem-file"), 400, codeInvalidParameter)
	requireError(t, up("", "text/plain"), 400, codeMissingParameter)
	require.Equal(t, http.StatusOK, up(ca, "text/plain").status)
	r := h.get("/v1/certificates/webhooks/ca")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, ca, string(r.body))
	assert.Equal(t, "attachment; filename=webhookCaCerts.pem", r.header.Get("Content-Disposition"))
	user := h.userToken("viewer")
	requireError(t, h.do(req{method: "GET", path: "/v1/certificates/webhooks/ca", token: user}), 403, codeAccessDenied)
	require.Equal(t, http.StatusOK, h.send("DELETE", "/v1/certificates/webhooks/ca", nil).status)
	requireError(t, h.get("/v1/certificates/webhooks/ca"), 404, codeNotFound)
}

func TestGenerateTLSAndTestServerOverHTTPS(t *testing.T) {
	t.Parallel()
	ts := NewTestServer(t, WithTLS())
	require.True(t, strings.HasPrefix(ts.URL, "https://"))
	tok := ts.AdminToken(t)
	assert.Equal(t, TestAdminNewPassword, ts.AdminPassword)
	assert.NotEmpty(t, ts.AdminToken(t), "a second call logs in with the changed password")

	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/v1/certificates/external/ca", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := ts.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	assert.Equal(t, ts.CACertPEM, body, "the CA is served by the API")

	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(body))
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	req, _ = http.NewRequest(http.MethodGet, ts.URL+"/v1/health", nil)
	req.Header.Set("Authorization", "Apikey "+ts.APIKey)
	res2, err := c.Do(req)
	require.NoError(t, err, "a client trusting the downloaded CA verifies the server")
	res2.Body.Close()
	assert.Equal(t, http.StatusOK, res2.StatusCode)
}
