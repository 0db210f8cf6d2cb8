package bridge

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"strings"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// The webhook CA is the one certificate the bridge keeps: the relay trusts it (on top of the
// system roots) when it posts callbacks to the integration's webhooks.url, as the Coreapp did.
// It is stored in the settings document (webhook_ca) and read at every delivery round through
// RelaySettings, so an upload applies without a restart. The Webapp's external certificate
// and its CA are refused (refusals.go): the bridge's own TLS comes from its flags.

// checkWebhookCA applies the Webapp's rules to an upload (an empty body is 1008) and, beyond
// them, refuses a bundle with no parseable CERTIFICATE block: the Webapp would store it and
// fail every callback later, the bridge says so at upload.
func checkWebhookCA(body *string) *onpremhttp.Error {
	if body == nil || strings.TrimSpace(*body) == "" {
		return onpremhttp.Errorf(onpremhttp.CodeMissingParameter, "No cert data found")
	}
	rest := []byte(*body)
	n := 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			return onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "PEM section %d is %s; the webhook CA bundle holds CERTIFICATE sections only", n+1, b.Type)
		}
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			return onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "PEM section %d is not a valid certificate: %v", n+1, err)
		}
		n++
	}
	if n == 0 {
		return onpremhttp.Errorf(onpremhttp.CodeInvalidParameter, "The webhook CA bundle holds no PEM CERTIFICATE section")
	}
	return nil
}

// UploadWebhookCACertificate stores the CA bundle the relay then trusts for webhooks.url.
// The request pipeline checks that the Content-Type is text/plain.
func (b *Bridge) UploadWebhookCACertificate(ctx context.Context, req gen.UploadWebhookCACertificateRequestObject) (gen.UploadWebhookCACertificateResponseObject, error) {
	if e := checkWebhookCA(req.Body); e != nil {
		return nil, e
	}
	pemText := *req.Body
	if err := b.updateSettings(ctx, func(d *settingsDoc) error {
		d.webhookCA = pemText
		return nil
	}); err != nil {
		return nil, err
	}
	return gen.UploadWebhookCACertificate200JSONResponse{Body: gen.MetaEnvelope{Meta: b.meta}}, nil
}

// DownloadWebhookCACertificate returns the webhook CA bundle (404 with 1006 when there is
// none).
func (b *Bridge) DownloadWebhookCACertificate(ctx context.Context, _ gen.DownloadWebhookCACertificateRequestObject) (gen.DownloadWebhookCACertificateResponseObject, error) {
	d, err := b.loadSettings(ctx)
	if err != nil {
		return nil, err
	}
	if d.webhookCA == "" {
		return nil, onpremhttp.Errorf(onpremhttp.CodeNotFound, "No webhook CA certificate is stored")
	}
	disp := "attachment; filename=webhookCaCerts.pem"
	return gen.DownloadWebhookCACertificate200TextResponse{
		Body:    d.webhookCA,
		Headers: gen.DownloadWebhookCACertificate200ResponseHeaders{ContentDisposition: &disp},
	}, nil
}

// DeleteWebhookCACertificate removes the webhook CA bundle (the relay goes back to the system
// roots); deleting when there is none succeeds, as on the Webapp.
func (b *Bridge) DeleteWebhookCACertificate(ctx context.Context, _ gen.DeleteWebhookCACertificateRequestObject) (gen.DeleteWebhookCACertificateResponseObject, error) {
	if err := b.updateSettings(ctx, func(d *settingsDoc) error {
		d.webhookCA = ""
		return nil
	}); err != nil {
		return nil, err
	}
	return gen.DeleteWebhookCACertificate200JSONResponse{Body: gen.MetaEnvelope{Meta: b.meta}}, nil
}

// UploadExternalCertificate is refused: the bridge's TLS certificate comes from its flags.
func (b *Bridge) UploadExternalCertificate(context.Context, gen.UploadExternalCertificateRequestObject) (gen.UploadExternalCertificateResponseObject, error) {
	return nil, refuse("uploadExternalCertificate")
}

// DownloadExternalCACertificate is refused: the bridge's TLS certificate comes from its flags
// (cmd/wabridge prints where it wrote a generated CA).
func (b *Bridge) DownloadExternalCACertificate(context.Context, gen.DownloadExternalCACertificateRequestObject) (gen.DownloadExternalCACertificateResponseObject, error) {
	return nil, refuse("downloadExternalCACertificate")
}
