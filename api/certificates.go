package api

import (
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
)

// maxPEM bounds a downloaded certificate bundle; real ones are a few kilobytes.
const maxPEM = 1 << 20

// UploadExternalCertificate replaces the certificate the Webapp serves HTTPS with
// (POST /v1/certificates/external). bundle is one PEM file holding, in this order, the private
// key, the server certificate and at least one intermediate CA certificate. It takes effect
// after every Webapp container has been restarted; an invalid bundle keeps the Webapp from
// starting, so check it (openssl verify) first.
//
//wabiz:operation uploadExternalCertificate
func (c *Client) UploadExternalCertificate(ctx context.Context, bundle []byte) error {
	_, err := c.Raw.UploadExternalCertificateWithBodyWithResponse(ctx, "text/plain", bytes.NewReader(bundle))
	return err
}

// DownloadExternalCACertificate returns the PEM of the CA that signed the Webapp's HTTPS
// certificate (GET /v1/certificates/external/ca), the file to trust with WithCACertPEM. A
// deployment without one answers 404.
//
//wabiz:operation downloadExternalCACertificate
func (c *Client) DownloadExternalCACertificate(ctx context.Context) ([]byte, error) {
	resp, err := c.Raw.DownloadExternalCACertificate(ctx)
	if err != nil {
		return nil, err
	}
	return readPEM("downloadExternalCACertificate", resp)
}

// UploadWebhookCACertificate stores the CA bundle (PEM, several certificates concatenated)
// that the Coreapp trusts when it calls a webhook URL whose certificate an internal CA
// issued (POST /v1/certificates/webhooks/ca). It replaces any previous bundle and takes effect
// after the Coreapp nodes restart.
//
//wabiz:operation uploadWebhookCACertificate
func (c *Client) UploadWebhookCACertificate(ctx context.Context, bundle []byte) error {
	// The server wants exactly "text/plain", without a charset parameter.
	_, err := c.Raw.UploadWebhookCACertificateWithBodyWithResponse(ctx, "text/plain", bytes.NewReader(bundle))
	return err
}

// DownloadWebhookCACertificate returns the webhook CA bundle stored with
// UploadWebhookCACertificate (GET /v1/certificates/webhooks/ca). Without one the server
// answers 404, possibly without a JSON body.
//
//wabiz:operation downloadWebhookCACertificate
func (c *Client) DownloadWebhookCACertificate(ctx context.Context) ([]byte, error) {
	resp, err := c.Raw.DownloadWebhookCACertificate(ctx)
	if err != nil {
		return nil, err
	}
	return readPEM("downloadWebhookCACertificate", resp)
}

// DeleteWebhookCACertificate removes the webhook CA bundle
// (DELETE /v1/certificates/webhooks/ca); the Coreapp nodes load the change when they restart.
//
//wabiz:operation deleteWebhookCACertificate
func (c *Client) DeleteWebhookCACertificate(ctx context.Context) error {
	_, err := c.Raw.DeleteWebhookCACertificateWithResponse(ctx)
	return err
}

// readPEM reads and closes a PEM answer, refusing one that is too large or holds no PEM block.
func readPEM(op string, resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPEM+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxPEM {
		return nil, fmt.Errorf("%w: %s answered more than %d bytes", ErrUnexpectedResponse, op, maxPEM)
	}
	if block, _ := pem.Decode(data); block == nil {
		return nil, fmt.Errorf("%w: %s answered %d without a PEM certificate", ErrUnexpectedResponse, op, resp.StatusCode)
	}
	return data, nil
}
