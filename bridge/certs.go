package bridge

import (
	"context"

	"github.com/wabiz/wabiz/gen"
)

// UploadExternalCertificate is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) UploadExternalCertificate(ctx context.Context, request gen.UploadExternalCertificateRequestObject) (gen.UploadExternalCertificateResponseObject, error) {
	return nil, notBuilt("uploadExternalCertificate")
}

// DownloadExternalCACertificate is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) DownloadExternalCACertificate(ctx context.Context, request gen.DownloadExternalCACertificateRequestObject) (gen.DownloadExternalCACertificateResponseObject, error) {
	return nil, notBuilt("downloadExternalCACertificate")
}

// DeleteWebhookCACertificate is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) DeleteWebhookCACertificate(ctx context.Context, request gen.DeleteWebhookCACertificateRequestObject) (gen.DeleteWebhookCACertificateResponseObject, error) {
	return nil, notBuilt("deleteWebhookCACertificate")
}

// DownloadWebhookCACertificate is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) DownloadWebhookCACertificate(ctx context.Context, request gen.DownloadWebhookCACertificateRequestObject) (gen.DownloadWebhookCACertificateResponseObject, error) {
	return nil, notBuilt("downloadWebhookCACertificate")
}

// UploadWebhookCACertificate is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) UploadWebhookCACertificate(ctx context.Context, request gen.UploadWebhookCACertificateRequestObject) (gen.UploadWebhookCACertificateResponseObject, error) {
	return nil, notBuilt("uploadWebhookCACertificate")
}
